package io.sparkdistill.pipeline.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Everything {@code report.json} holds (Jackson writes it in snake case); {@link ReportMarkdown}
 * and {@link ReportCharts} render the same record. Null figures are unknown, never guessed: a
 * target that was not reached, a standard deviation of one seed, a missing manifest figure.
 *
 * @param formatVersion version of this layout
 * @param runName the run's {@code run.name}
 * @param dataset the run's {@code dataset.name}
 * @param metric what the accuracies are: {@value #TOP1} (images) or {@value #MASKED_TOKEN} (text)
 * @param targetAccuracy the baseline's mean accuracy at its largest budget
 * @param target where the target accuracy comes from
 * @param variants every variant, baseline first, then by name
 * @param teachers every teacher known to evaluate or the teachers' manifests, by name
 * @param ensemble the ensemble the {@code mean} policy reads; null without an ensemble manifest
 * @param consistency evaluate's top-1 against the training loop's final accuracy
 * @param downstream the downstream task students were fine-tuned on; null without one
 * @param wallEstimate what the wall figures are: unprefixed ones robust, {@code raw_*} measured
 * @param stragglers the runs whose seconds per step differ from their variant's by more than the
 *     straggler factor
 * @param warnings things a reader should know (unknown teacher costs, stragglers)
 */
public record Report(
    int formatVersion,
    String runName,
    String dataset,
    String metric,
    double targetAccuracy,
    Target target,
    List<VariantResult> variants,
    List<TeacherResult> teachers,
    EnsembleResult ensemble,
    Consistency consistency,
    Downstream downstream,
    WallEstimate wallEstimate,
    List<Straggler> stragglers,
    List<String> warnings) {
  /**
   * 2: metric, perplexities and the downstream task (the text path). 3: robust wall figures
   * (unprefixed) beside the measured ones ({@code raw_*}), seconds per step, wall estimate and
   * stragglers.
   */
  public static final int FORMAT_VERSION = 3;

  public static final String TOP1 = "test top-1 accuracy";
  public static final String MASKED_TOKEN = "held-out masked-token accuracy";

  public Report {
    variants = List.copyOf(variants);
    teachers = List.copyOf(teachers);
    stragglers = List.copyOf(stragglers);
    warnings = List.copyOf(warnings);
  }

  /**
   * What the wall figures of the report are ({@link RobustWall}).
   *
   * @param figures what the unprefixed wall figures ({@code wall_s_to_target}, {@code
   *     speedup_wall}, {@code speedup_wall_with_teacher_cost}, a budget's {@code wall_s}) and the
   *     accuracy-vs-wall chart use: {@value RobustWall#ESTIMATE}
   * @param rawFigures what the {@code raw_*} figures are: {@value RobustWall#RAW}
   * @param stragglerFactor the {@code report.straggler-factor} runs are flagged beyond
   */
  public record WallEstimate(String figures, String rawFigures, double stragglerFactor) {}

  /**
   * A run whose seconds per step differ from its variant's by more than the straggler factor.
   *
   * @param runId the run
   * @param variant its variant
   * @param budgetFraction its budget
   * @param seed its seed
   * @param steps its steps
   * @param secondsPerStep the median of its step times
   * @param variantSecondsPerStep its variant's seconds per step
   * @param ratio {@code secondsPerStep / variantSecondsPerStep}
   * @param rawWallS its measured training seconds
   * @param wallS its robust training seconds, {@code variantSecondsPerStep x steps}
   */
  public record Straggler(
      String runId,
      String variant,
      double budgetFraction,
      long seed,
      int steps,
      double secondsPerStep,
      double variantSecondsPerStep,
      double ratio,
      double rawWallS,
      double wallS) {}

  /**
   * The quality every variant is timed to.
   *
   * @param variant the baseline variant
   * @param budgetFraction its largest budget
   * @param seeds the seeds averaged there
   */
  public record Target(String variant, double budgetFraction, List<Long> seeds) {
    public Target {
      seeds = List.copyOf(seeds);
    }
  }

  /**
   * One variant's result.
   *
   * @param name variant name
   * @param policy none, single, mean, random or online
   * @param teachers the teachers it learned from
   * @param finalAccuracy mean accuracy at its largest budget
   * @param finalAccuracyStd sample std there (null with one seed)
   * @param seeds the seeds at its largest budget
   * @param secondsPerStep its seconds per step over all its runs ({@link RobustWall})
   * @param stepsToTarget steps to the target accuracy; null when not reached
   * @param wallSToTarget robust training seconds to the target accuracy; null when not reached
   * @param rawWallSToTarget the same from the measured seconds (means over seeds)
   * @param speedupSteps baseline steps to target / these
   * @param speedupWall baseline robust seconds to target / these
   * @param rawSpeedupWall the same from the measured seconds
   * @param teacherCostS one-off seconds of the teachers it used (see {@link TeacherCosts})
   * @param speedupWallWithTeacherCost baseline robust seconds / (these + teacher cost)
   * @param reachedAtSmallestBudget its smallest budget already reached the target: the costs are
   *     upper bounds
   * @param budgets its curve, by ascending budget
   * @param lowerTargets the same figures for each budget's baseline accuracy
   * @param speedupStepsBySeed for each seed the variant and the baseline share, the steps
   *     speed-up of that seed's own curve against the baseline's same-seed curve, to that baseline
   *     run's accuracy at the largest budget (null where the variant does not reach it)
   * @param finalPerplexity mean masked-token perplexity at its largest budget (text; else null)
   * @param downstreamAccuracy mean downstream accuracy at its largest budget (null without one)
   */
  public record VariantResult(
      String name,
      String policy,
      List<String> teachers,
      double finalAccuracy,
      Double finalAccuracyStd,
      List<Long> seeds,
      double secondsPerStep,
      Double stepsToTarget,
      @JsonProperty("wall_s_to_target") Double wallSToTarget, // SNAKE_CASE would say wall_sto_target
      @JsonProperty("raw_wall_s_to_target") Double rawWallSToTarget,
      Double speedupSteps,
      Double speedupWall,
      Double rawSpeedupWall,
      Double teacherCostS,
      Double speedupWallWithTeacherCost,
      boolean reachedAtSmallestBudget,
      List<BudgetPoint> budgets,
      List<LowerTarget> lowerTargets,
      java.util.Map<Long, Double> speedupStepsBySeed,
      Double finalPerplexity,
      Double downstreamAccuracy) {
    public VariantResult {
      speedupStepsBySeed = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(speedupStepsBySeed));
      teachers = List.copyOf(teachers);
      seeds = List.copyOf(seeds);
      budgets = List.copyOf(budgets);
      lowerTargets = List.copyOf(lowerTargets);
    }
  }

  /**
   * Time to a lower target: the baseline's mean accuracy at one of its budgets.
   *
   * @param budgetFraction the baseline budget the target comes from
   * @param targetAccuracy the baseline's mean accuracy there
   * @param wallSToTarget robust seconds to it; {@code rawWallSToTarget} measured seconds
   * @param speedupWall from the robust seconds; {@code rawSpeedupWall} from the measured ones
   */
  public record LowerTarget(
      double budgetFraction,
      double targetAccuracy,
      Double stepsToTarget,
      @JsonProperty("wall_s_to_target") Double wallSToTarget, // SNAKE_CASE would say wall_sto_target
      @JsonProperty("raw_wall_s_to_target") Double rawWallSToTarget,
      boolean reachedAtSmallestBudget,
      Double speedupSteps,
      Double speedupWall,
      Double rawSpeedupWall,
      Double speedupWallWithTeacherCost) {}

  /**
   * One teacher; a figure is null when its stage did not record it.
   *
   * @param name teacher name
   * @param top1 evaluate's test top-1
   * @param ece evaluate's expected calibration error
   * @param trainSeconds training seconds (0 for a registered checkpoint)
   * @param softLabelSeconds seconds of its soft-label pass
   * @param perplexity masked-token perplexity (text; else null)
   * @param downstreamAccuracy accuracy after fine-tuning on the downstream task (null without one)
   */
  public record TeacherResult(
      String name, Double top1, Double ece, Double trainSeconds, Double softLabelSeconds,
      Double perplexity, Double downstreamAccuracy) {}

  /**
   * The downstream task every pre-trained student (and teacher) was fine-tuned on.
   *
   * @param task the task's name (e.g. spam-assassin, sst-2)
   * @param classes its number of classes
   * @param trainExamples examples fine-tuned on
   * @param testExamples examples scored
   * @param untrainedAccuracy the same fine-tuning from a randomly initialised student network: what
   *     pre-training adds is the difference
   */
  public record Downstream(
      String task, int classes, long trainExamples, long testExamples, Double untrainedAccuracy) {}

  /**
   * The ensemble table.
   *
   * @param teachers the teachers merged
   * @param seconds wall seconds of the ensemble stage
   */
  public record EnsembleResult(List<String> teachers, double seconds) {
    public EnsembleResult {
      teachers = List.copyOf(teachers);
    }
  }

  /**
   * @param maxAbsFinalAccuracyDifference max over runs of |evaluate top-1 - training loop's final
   *     accuracy|
   * @param runs runs compared
   */
  public record Consistency(double maxAbsFinalAccuracyDifference, int runs) {}

  /** The baseline's result. */
  public VariantResult baseline() {
    return variants.stream()
        .filter(v -> v.name().equals(target.variant()))
        .findFirst()
        .orElseThrow();
  }
}
