package io.sparkdistill.pipeline.report;

import java.util.List;

/**
 * One point of a variant's accuracy-vs-cost curve: its runs at one budget, over seeds.
 *
 * @param budgetFraction fraction of the baseline's full step budget
 * @param steps steps of the schedule (equal across seeds)
 * @param wallS robust training seconds: the variant's seconds per step x {@code steps} (see {@link
 *     RobustWall}; what the wall speed-ups and the accuracy-vs-wall chart use)
 * @param rawWallS measured training seconds, mean over seeds
 * @param accuracyMean mean final test accuracy over seeds
 * @param accuracyStd sample standard deviation of the accuracies; null with a single seed
 * @param accuracies final test accuracy per seed, in {@code seeds} order
 * @param seeds the seeds, ascending
 * @param eceMean mean expected calibration error over seeds
 */
public record BudgetPoint(
    double budgetFraction,
    int steps,
    double wallS,
    double rawWallS,
    double accuracyMean,
    Double accuracyStd,
    List<Double> accuracies,
    List<Long> seeds,
    double eceMean) {
  public BudgetPoint {
    accuracies = List.copyOf(accuracies);
    seeds = List.copyOf(seeds);
  }

  /**
   * The point of one variant's runs at one budget (any order; at least one run), whose variant
   * takes {@code secondsPerStep} a step.
   */
  static BudgetPoint of(List<RunResult> runs, double secondsPerStep) {
    List<RunResult> sorted = runs.stream().sorted((a, b) -> Long.compare(a.seed(), b.seed())).toList();
    RunResult first = sorted.get(0);
    for (RunResult run : sorted) {
      if (run.totalSteps() != first.totalSteps()) {
        throw new IllegalStateException(
            "variant '" + first.variant() + "' at budget " + first.budgetFraction()
                + " has runs of different lengths: " + first.runId() + " " + first.totalSteps()
                + " steps, " + run.runId() + " " + run.totalSteps()
                + " steps; every seed of a budget must train the same schedule");
      }
    }
    List<Double> accuracies = sorted.stream().map(RunResult::top1).toList();
    double mean = mean(accuracies);
    return new BudgetPoint(
        first.budgetFraction(),
        first.totalSteps(),
        secondsPerStep * first.totalSteps(),
        mean(sorted.stream().map(RunResult::wallSeconds).toList()),
        mean,
        sampleStd(accuracies, mean),
        accuracies,
        sorted.stream().map(RunResult::seed).toList(),
        mean(sorted.stream().map(RunResult::ece).toList()));
  }

  static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).sum() / values.size();
  }

  /** Sample standard deviation (n - 1); null for fewer than two values. */
  static Double sampleStd(List<Double> values, double mean) {
    if (values.size() < 2) {
      return null;
    }
    double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
    return Math.sqrt(squares / (values.size() - 1));
  }
}
