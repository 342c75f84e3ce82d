package io.sparkdistill.datasets.examples;

/** Why an input was quarantined; {@link #code()} is what the {@code rejected} table stores. */
public enum RejectReason {
  /** The bytes are not an image any decoder here understands (corrupt, not an image at all). */
  UNDECODABLE_IMAGE("undecodable-image"),
  /** An image whose header declares more pixels than {@code ingest.max-pixels}; never decoded. */
  TOO_MANY_PIXELS("too-many-pixels"),
  /** A file of zero bytes (Spark's file sources would skip it silently). */
  EMPTY_FILE("empty-file"),
  /**
   * A file whose name ends in {@code ._COPYING_}: the temporary name of a {@code hadoop fs -put}
   * or {@code -cp} still running or interrupted (Spark's file sources would skip it silently).
   */
  INCOMPLETE_COPY("incomplete-copy"),
  /** A row of the validation labels file ({@code LOC_val_solution.csv}) whose image file is missing. */
  VAL_LABELS_WITHOUT_FILE("val-labels-without-file"),
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
  LABEL_OUT_OF_RANGE("label-out-of-range"),
  /** A JSON-lines record that is not a JSON object (unparsable, a bare value, a blank line). */
  INVALID_JSON("invalid-json"),
  /** A JSON-lines record without a {@code text} field, or with {@code "text": null}. */
  MISSING_TEXT("missing-text"),
  /** A JSON-lines record whose {@code text} is not a JSON string (a number, boolean, object, array). */
  WRONG_FIELD_TYPE("wrong-field-type"),
  /** A document whose text is empty or only whitespace (after tag stripping, for tagged corpora). */
  EMPTY_TEXT("empty-text"),
  /** A line or document whose bytes are not valid UTF-8. */
  NON_UTF8("non-utf8"),
  /** A plain-text document holding NUL characters: binary content, not text. */
  BINARY_CONTENT("binary-content"),
  /** A line longer than the reader's limit (a file without line breaks, usually binary). */
  LINE_TOO_LONG("line-too-long"),
  /** A gzip file that ends before its compressed stream does (an interrupted download or copy). */
  TRUNCATED_GZIP("truncated-gzip"),
  /** A file that cannot be read through: a corrupt gzip stream or checksum, an I/O error. */
  UNREADABLE_FILE("unreadable-file"),
  /** A token of a tagged corpus (Brown's {@code word/tag}) without its word or its tag. */
  MALFORMED_TAGGED_TOKEN("malformed-tagged-token"),
  /** A labelled text (a GLUE row, a SpamAssassin message) whose label is not one the task knows. */
  UNKNOWN_LABEL("unknown-label"),
  /** A row of a tab-separated file with another number of fields than its header. */
  WRONG_FIELD_COUNT("wrong-field-count");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
