package io.sparkdistill.pipeline.config;

import java.util.Arrays;
import java.util.Locale;

/** The network families a {@link ModelSpec} can build. */
public enum Architecture {
  /**
   * A plain convolutional network: {@code depth} blocks of conv 3x3, batch norm, ReLU and 2x2 max
   * pooling, then flatten, optional dropout and a linear classifier.
   */
  CNN,
  /** DJL's model-zoo {@code ResNetV1} with {@code depth} layers. */
  RESNET,
  /**
   * The text path's BERT-style encoder with a masked-language-model head ({@code mlm.MlmSpec}):
   * {@code width} is the hidden size, {@code depth} the number of transformer blocks.
   */
  BERT;

  /** True for the architecture of the text (masked-language-model) path. */
  public boolean isText() {
    return this == BERT;
  }

  /**
   * Looks an architecture up by name, ignoring case.
   *
   * @param name the name, e.g. {@code "cnn"} or {@code "resnet"}
   * @return the architecture
   * @throws IllegalArgumentException naming the known architectures when {@code name} is unknown
   */
  public static Architecture of(String name) {
    for (Architecture a : values()) {
      if (a.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown architecture '"
            + name
            + "', known: "
            + Arrays.toString(values()).toLowerCase(Locale.ROOT));
  }
}
