package io.sparkdistill.pipeline.config;

/**
 * The {@code report} section.
 *
 * @param stragglerFactor a run whose seconds per step are more than this many times its variant's
 *     median (or less than its inverse) is flagged as a straggler; above 1
 */
public record ReportSettings(double stragglerFactor) {
  public ReportSettings {
    if (!(stragglerFactor > 1.0) || Double.isInfinite(stragglerFactor)) {
      throw new IllegalArgumentException("must be a finite number above 1, got " + stragglerFactor);
    }
  }

  static ReportSettings from(ConfigReader reader) {
    double factor = reader.doubleValue("report.straggler-factor");
    return reader.build("report.straggler-factor", () -> new ReportSettings(factor));
  }
}
