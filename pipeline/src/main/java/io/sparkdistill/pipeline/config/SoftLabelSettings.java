package io.sparkdistill.pipeline.config;

import java.util.List;

/**
 * The {@code soft-labels} section.
 *
 * @param teachers teachers to compute soft labels for (empty: every teacher)
 * @param views augmented views per train example, besides view 0
 * @param cropMinScale smallest crop area, as a fraction of the image
 * @param flip flip half of the views left-right
 * @param seed seed of the view draws
 * @param topK logits kept per row (0: every class, dense)
 * @param precision how logits are stored
 * @param batchSize examples per forward pass
 * @param rowGroupBytes Parquet row-group size of the written tables
 */
public record SoftLabelSettings(
    List<String> teachers,
    int views,
    double cropMinScale,
    boolean flip,
    long seed,
    int topK,
    LogitPrecision precision,
    int batchSize,
    long rowGroupBytes) {

  public SoftLabelSettings {
    teachers = List.copyOf(teachers);
  }

  static SoftLabelSettings from(ConfigReader r) {
    double minScale = r.doubleValue("soft-labels.crop-min-scale");
    if (!(minScale > 0 && minScale <= 1)) {
      throw r.invalid("soft-labels.crop-min-scale", "must be in (0, 1], got " + minScale);
    }
    return new SoftLabelSettings(
        r.stringList("soft-labels.teachers"),
        r.intAtLeast("soft-labels.views", 0),
        minScale,
        r.bool("soft-labels.flip"),
        r.longValue("soft-labels.seed"),
        r.intAtLeast("soft-labels.top-k", 0),
        r.enumValue("soft-labels.precision", LogitPrecision.class),
        r.intAtLeast("soft-labels.batch-size", 1),
        r.bytes("soft-labels.row-group-size"));
  }
}
