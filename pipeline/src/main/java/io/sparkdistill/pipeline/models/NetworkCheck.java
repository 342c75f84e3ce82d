package io.sparkdistill.pipeline.models;

import io.sparkdistill.datasets.image.ImageShape;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.NetworkSettings;

/**
 * Refuses a configured network that cannot be built (a CNN too deep for its width, heads that do
 * not divide the hidden size, ...) before any work, rather than after ingest: the specification is
 * built for a small stand-in dataset, since any shape or vocabulary will do.
 */
public final class NetworkCheck {
  private NetworkCheck() {}

  /** @throws ConfigError naming the network's configuration path and the problem */
  public static void check(NetworkSettings network) {
    try {
      if (network.architecture().isText()) {
        MlmSpec.of(network, 6, 8);
      } else {
        ModelSpec.of(network, 2, new ImageShape(28, 28, 1, ImageShape.ResizeMode.STRETCH));
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigError(network.path() + ": " + e.getMessage(), e);
    }
  }
}
