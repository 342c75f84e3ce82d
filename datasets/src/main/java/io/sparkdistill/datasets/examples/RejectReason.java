package io.sparkdistill.datasets.examples;

/** Why an input was quarantined; {@link #code()} is what the {@code rejected} table stores. */
public enum RejectReason {
  /** The bytes are not an image any decoder here understands (corrupt, not an image at all). */
  UNDECODABLE_IMAGE("undecodable-image"),
  /** The image decoder started but the data ended early. */
  TRUNCATED_IMAGE("truncated-image"),
  /** An image whose colour model cannot be converted to the configured channels. */
  UNSUPPORTED_COLOR_MODEL("unsupported-color-model"),
  /** A validation image whose class folder or label names a class the train split lacks. */
  UNKNOWN_CLASS("unknown-class"),
  /** A validation image that the label file does not mention. */
  NO_LABEL("no-label"),
  /** A file outside the expected layout (for example directly under the split folder). */
  OUTSIDE_LAYOUT("outside-layout"),
  /** An IDX record that the images and labels headers disagree about. */
  IDX_HEADER_MISMATCH("idx-header-mismatch"),
  /** An IDX record cut off by the end of the file. */
  IDX_TRUNCATED("idx-truncated"),
  /** An IDX label outside the declared class range. */
  LABEL_OUT_OF_RANGE("label-out-of-range");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
