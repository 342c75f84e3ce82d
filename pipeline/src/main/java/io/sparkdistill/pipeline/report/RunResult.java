package io.sparkdistill.pipeline.report;

import java.util.List;

/**
 * One trained student, as the report sees it: a row of {@code train-students/runs/} joined with
 * its row of {@code evaluate/models/}.
 *
 * @param runId {@code <variant>.b<budget>.s<seed>}
 * @param variant variant name
 * @param policy none, single, mean, random or online
 * @param teachers the teachers it learned from ({@code ensemble} for the ensemble table)
 * @param budgetFraction fraction of the baseline's full step budget
 * @param seed training seed
 * @param totalSteps steps of its schedule
 * @param wallSeconds training time, without evaluations
 * @param trainedAccuracy test top-1 as the training loop measured it
 * @param top1 test top-1 as the evaluate stage measured it: the run's final accuracy
 * @param ece the evaluate stage's expected calibration error
 * @param perplexity the evaluate stage's masked-token perplexity (text path; else null)
 * @param downstreamAccuracy accuracy after fine-tuning on the downstream task (null without one)
 * @param stepSeconds the median of its step times in {@code train-students/steps/} (see {@link
 *     WallEstimate}); null when unknown, then {@link #secondsPerStep()} falls back to the mean
 */
public record RunResult(
    String runId,
    String variant,
    String policy,
    List<String> teachers,
    double budgetFraction,
    long seed,
    int totalSteps,
    double wallSeconds,
    double trainedAccuracy,
    double top1,
    double ece,
    Double perplexity,
    Double downstreamAccuracy,
    Double stepSeconds) {
  public RunResult {
    teachers = List.copyOf(teachers);
  }

  /** A run whose step times are unknown. */
  public RunResult(
      String runId, String variant, String policy, List<String> teachers, double budgetFraction,
      long seed, int totalSteps, double wallSeconds, double trainedAccuracy, double top1, double ece,
      Double perplexity, Double downstreamAccuracy) {
    this(runId, variant, policy, teachers, budgetFraction, seed, totalSteps, wallSeconds,
        trainedAccuracy, top1, ece, perplexity, downstreamAccuracy, null);
  }

  /**
   * Its typical seconds per step: {@code stepSeconds} when known, else the mean, {@code
   * wallSeconds / totalSteps}.
   */
  public double secondsPerStep() {
    return stepSeconds != null ? stepSeconds : wallSeconds / totalSteps;
  }

  /** The same run with its median step time. */
  public RunResult withStepSeconds(double seconds) {
    return new RunResult(runId, variant, policy, teachers, budgetFraction, seed, totalSteps, wallSeconds,
        trainedAccuracy, top1, ece, perplexity, downstreamAccuracy, seconds);
  }

  /** An image run (no perplexity, no downstream task). */
  public RunResult(
      String runId, String variant, String policy, List<String> teachers, double budgetFraction,
      long seed, int totalSteps, double wallSeconds, double trainedAccuracy, double top1, double ece) {
    this(runId, variant, policy, teachers, budgetFraction, seed, totalSteps, wallSeconds,
        trainedAccuracy, top1, ece, null, null, null);
  }
}
