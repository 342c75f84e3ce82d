package io.sparkdistill.pipeline.config;

import io.sparkdistill.datasets.image.AlphaPolicy;
import io.sparkdistill.datasets.image.ImageShape;

/**
 * The {@code ingest} section.
 *
 * @param image shape every stored image is brought to
 * @param alpha what becomes of transparent pixels ({@code ingest.alpha})
 * @param maxPixels an image whose header declares more pixels is rejected ({@code too-many-pixels})
 *     without being decoded ({@code ingest.max-pixels})
 * @param shards number of shards examples are assigned to
 * @param partitions Spark partitions of the decoding work and of the written table
 * @param maxRejectedFraction a split rejecting more than this fraction of its inputs fails
 */
public record IngestSettings(
    ImageShape image,
    AlphaPolicy alpha,
    long maxPixels,
    int shards,
    int partitions,
    double maxRejectedFraction) {

  private static long maxPixels(ConfigReader reader) {
    long value = reader.longValue("ingest.max-pixels");
    if (value < 1) {
      throw reader.invalid("ingest.max-pixels", "must be at least 1, got " + value);
    }
    return value;
  }

  static IngestSettings from(ConfigReader reader) {
    int channels = reader.intAtLeast("ingest.image.channels", 1);
    if (channels != 1 && channels != 3) {
      throw reader.invalid("ingest.image.channels", "must be 1 or 3, got " + channels);
    }
    ImageShape shape =
        new ImageShape(
            reader.intAtLeast("ingest.image.height", 1),
            reader.intAtLeast("ingest.image.width", 1),
            channels,
            reader.enumValue("ingest.image.resize", ImageShape.ResizeMode.class));
    return new IngestSettings(
        shape,
        reader.enumValue("ingest.alpha", AlphaPolicy.class),
        maxPixels(reader),
        reader.intAtLeast("ingest.shards", 1),
        reader.intAtLeast("ingest.partitions", 1),
        reader.fraction("ingest.max-rejected-fraction"));
  }
}
