package io.sparkdistill.pipeline.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Wall seconds that one slowed run cannot move much: the report's wall figures (times to target,
 * speed-ups, the accuracy-vs-wall chart) use these, the measured ones stay beside them as {@code
 * raw_*}.
 *
 * <p>A run's <b>seconds per step</b> is the median of its step times (the differences of the
 * cumulative {@code wall_seconds} of {@code train-students/steps/}, per step): a pause that slows
 * fewer than half of its steps does not move it. A variant's seconds per step is the median of its
 * runs' over all budgets and seeds, the lower middle value of an even count: a straggler only ever
 * adds time, so with two runs the faster one stands, and up to half of a variant's runs can be
 * slowed without lifting it above an undisturbed run's. A run's <b>robust wall seconds</b> are its
 * variant's seconds per step times its steps.
 *
 * <p>A run whose seconds per step are more than {@code factor} times its variant's (or less than
 * {@code 1 / factor} of it) is a <b>straggler</b>: flagged in the report and its warnings.
 */
public final class RobustWall {
  /** What the report's unprefixed wall figures are. */
  public static final String ESTIMATE =
      "robust: a run's wall seconds are its variant's seconds per step x its steps; a run's seconds"
          + " per step are the median of its step times (train-students/steps), a variant's the median"
          + " over its runs and seeds (the lower middle value of an even count)";
  /** What the report's {@code raw_*} wall figures are. */
  public static final String RAW = "raw: the runs' measured wall_seconds (train-students/runs), means over seeds";

  private RobustWall() {}

  /** The median, the lower middle value of an even count; fails on no values. */
  public static double lowerMedian(Collection<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no values");
    }
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get((sorted.size() - 1) / 2);
  }

  /** Each variant's seconds per step, from its runs' (any order). */
  public static Map<String, Double> variantSecondsPerStep(List<RunResult> runs) {
    return runs.stream()
        .collect(Collectors.groupingBy(
            RunResult::variant,
            java.util.TreeMap::new,
            Collectors.collectingAndThen(
                Collectors.mapping(RunResult::secondsPerStep, Collectors.toList()), RobustWall::lowerMedian)));
  }

  /**
   * The runs whose seconds per step differ from their variant's by more than {@code factor}, by
   * variant, budget and seed.
   */
  public static List<Report.Straggler> stragglers(List<RunResult> runs, double factor) {
    Map<String, Double> variants = variantSecondsPerStep(runs);
    List<Report.Straggler> stragglers = new ArrayList<>();
    for (RunResult run : runs) {
      double median = variants.get(run.variant());
      double ratio = run.secondsPerStep() / median;
      if (ratio > factor || ratio < 1 / factor) {
        stragglers.add(
            new Report.Straggler(
                run.runId(), run.variant(), run.budgetFraction(), run.seed(), run.totalSteps(),
                run.secondsPerStep(), median, ratio, run.wallSeconds(), median * run.totalSteps()));
      }
    }
    stragglers.sort(
        java.util.Comparator.comparing(Report.Straggler::variant)
            .thenComparingDouble(Report.Straggler::budgetFraction)
            .thenComparingLong(Report.Straggler::seed));
    return stragglers;
  }

  /** The warning of a straggler, with the factor. */
  static String warning(Report.Straggler s, double factor) {
    return String.format(
        Locale.ROOT,
        "straggler: run %s took %s s per step, %.2fx its variant's median %s s (straggler factor %s);"
            + " its raw %s s of training are %s s in the robust estimate the wall speed-ups use",
        s.runId(), seconds(s.secondsPerStep()), s.ratio(), seconds(s.variantSecondsPerStep()), factor(factor),
        seconds(s.rawWallS()), seconds(s.wallS()));
  }

  /** Seconds to four significant digits, without trailing zeros: 0.01023, 0.12, 77.8, 1235. */
  static String seconds(double value) {
    return new java.math.BigDecimal(value).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** A factor without trailing zeros: 1.5, 2. */
  static String factor(double factor) {
    return java.math.BigDecimal.valueOf(factor).stripTrailingZeros().toPlainString();
  }
}
