package io.sparkdistill.pipeline.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the {@link Report} from the runs, the teachers' scores and the teacher costs: no Spark,
 * no files.
 *
 * <p>The baseline is the variant of policy {@code none} (the one named {@value #BASELINE} when
 * there are several); the target accuracy is its mean accuracy at its largest budget; every
 * variant, the baseline included, is timed to it with {@link TimeToTarget}. Wall figures use the
 * robust estimate of {@link RobustWall}, the measured seconds beside them as {@code raw_*}; runs
 * beyond the straggler factor are listed and warned about.
 */
public final class ReportBuilder {
  /** The baseline's name when several variants train without a teacher. */
  public static final String BASELINE = "baseline";
  /** The straggler factor of the short overloads: {@code report.straggler-factor}'s default. */
  public static final double DEFAULT_STRAGGLER_FACTOR = 1.5;

  private ReportBuilder() {}

  /**
   * The report.
   *
   * @param runs every student run with its evaluation
   * @param teacherScores evaluate's figures per teacher
   * @param costs the teachers' one-off costs
   */
  public static Report build(
      String runName,
      String dataset,
      List<RunResult> runs,
      Map<String, ModelScore> teacherScores,
      TeacherCosts costs) {
    return build(runName, dataset, Report.TOP1, runs, teacherScores, costs, null, DEFAULT_STRAGGLER_FACTOR);
  }

  /**
   * The report, with the text path's extras.
   *
   * @param metric what the accuracies are ({@link Report#TOP1} or {@link Report#MASKED_TOKEN})
   * @param downstream the downstream task, null without one
   * @param stragglerFactor runs whose seconds per step differ from their variant's by more than
   *     this factor are stragglers ({@link RobustWall})
   */
  public static Report build(
      String runName,
      String dataset,
      String metric,
      List<RunResult> runs,
      Map<String, ModelScore> teacherScores,
      TeacherCosts costs,
      Report.Downstream downstream,
      double stragglerFactor) {
    if (runs.isEmpty()) {
      throw new IllegalStateException("there are no student runs to report on");
    }
    List<VariantCurve> curves = VariantCurve.of(runs);
    VariantCurve baseline = baseline(curves);
    BudgetPoint targetPoint = baseline.largest();
    double target = targetPoint.accuracyMean();
    List<String> warnings = new ArrayList<>();
    List<Report.Straggler> stragglers = RobustWall.stragglers(runs, stragglerFactor);

    TimeToTarget baseSteps = TimeToTarget.steps(baseline.points(), target);
    TimeToTarget baseWall = TimeToTarget.wallSeconds(baseline.points(), target);
    TimeToTarget baseRawWall = TimeToTarget.rawWallSeconds(baseline.points(), target);
    List<Report.VariantResult> variants = new ArrayList<>();
    List<VariantCurve> ordered = new ArrayList<>(curves);
    ordered.sort(Comparator.comparing((VariantCurve c) -> c != baseline).thenComparing(VariantCurve::name));
    stragglers.forEach(s -> warnings.add(RobustWall.warning(s, stragglerFactor)));
    for (VariantCurve curve : ordered) {
      Double teacherCost = costs.cost(curve.name(), curve.policy(), curve.teachers(), warnings);
      TimeToTarget steps = TimeToTarget.steps(curve.points(), target);
      TimeToTarget wall = TimeToTarget.wallSeconds(curve.points(), target);
      TimeToTarget rawWall = TimeToTarget.rawWallSeconds(curve.points(), target);
      List<Report.LowerTarget> lower = new ArrayList<>();
      for (BudgetPoint base : baseline.points()) {
        lower.add(lowerTarget(baseline, curve, base, teacherCost));
      }
      BudgetPoint last = curve.largest();
      variants.add(
          new Report.VariantResult(
              curve.name(),
              curve.policy(),
              curve.teachers(),
              last.accuracyMean(),
              last.accuracyStd(),
              last.seeds(),
              curve.secondsPerStep(),
              steps.cost(),
              wall.cost(),
              rawWall.cost(),
              TimeToTarget.speedup(baseSteps.cost(), steps.cost()),
              TimeToTarget.speedup(baseWall.cost(), wall.cost()),
              TimeToTarget.speedup(baseRawWall.cost(), rawWall.cost()),
              teacherCost,
              TimeToTarget.speedup(baseWall.cost(), plus(wall.cost(), teacherCost)),
              steps.reachedAtSmallestBudget(),
              curve.points(),
              lower,
              bySeed(runs, baseline.name(), curve.name()),
              meanAtLargest(runs, curve, RunResult::perplexity),
              meanAtLargest(runs, curve, RunResult::downstreamAccuracy)));
    }
    return new Report(
        Report.FORMAT_VERSION,
        runName,
        dataset,
        metric,
        target,
        new Report.Target(baseline.name(), targetPoint.budgetFraction(), targetPoint.seeds()),
        variants,
        teachers(teacherScores, costs),
        costs.ensembleSeconds() == null
            ? null
            : new Report.EnsembleResult(costs.ensembleTeachers(), costs.ensembleSeconds()),
        consistency(runs),
        downstream,
        new Report.WallEstimate(RobustWall.ESTIMATE, RobustWall.RAW, stragglerFactor),
        stragglers,
        warnings);
  }

  /** The mean of a figure over the variant's runs at its largest budget; null if any is unknown. */
  private static Double meanAtLargest(
      List<RunResult> runs, VariantCurve curve, java.util.function.Function<RunResult, Double> figure) {
    double budget = curve.largest().budgetFraction();
    List<Double> values =
        runs.stream()
            .filter(r -> r.variant().equals(curve.name()) && r.budgetFraction() == budget)
            .map(figure)
            .toList();
    if (values.isEmpty() || values.contains(null)) {
      return null;
    }
    return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  /**
   * Per seed, the steps speed-up of the variant's own curve against the same seed's baseline
   * curve, to that baseline's accuracy at its largest budget: seed-paired, so the spread shows how
   * much of the mean speed-up is noise.
   */
  private static java.util.Map<Long, Double> bySeed(
      List<RunResult> runs, String baseline, String variant) {
    java.util.Map<Long, Double> speedups = new java.util.TreeMap<>();
    java.util.Set<Long> seeds = new java.util.TreeSet<>();
    runs.stream().filter(r -> r.variant().equals(variant)).forEach(r -> seeds.add(r.seed()));
    for (long seed : seeds) {
      List<RunResult> ofSeed = runs.stream().filter(r -> r.seed() == seed).toList();
      List<VariantCurve> curves = VariantCurve.of(ofSeed);
      VariantCurve base = curves.stream().filter(c -> c.name().equals(baseline)).findFirst().orElse(null);
      VariantCurve mine = curves.stream().filter(c -> c.name().equals(variant)).findFirst().orElseThrow();
      if (base != null) {
        double target = base.largest().accuracyMean();
        speedups.put(seed, TimeToTarget.speedup(
            TimeToTarget.steps(base.points(), target).cost(), TimeToTarget.steps(mine.points(), target).cost()));
      }
    }
    return speedups;
  }

  /** The variant trained without a teacher; fails when there is none or no way to choose. */
  static VariantCurve baseline(List<VariantCurve> curves) {
    List<VariantCurve> candidates = curves.stream().filter(VariantCurve::isBaselineCandidate).toList();
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    List<String> names = curves.stream().map(c -> c.name() + " (" + c.policy() + ")").toList();
    if (candidates.isEmpty()) {
      throw new IllegalStateException(
          "no baseline: no variant trains without a teacher (policy '" + VariantCurve.NO_TEACHER
              + "'); variants: " + names + ". Add a variant of policy none to train-students.");
    }
    return candidates.stream()
        .filter(c -> c.name().equals(BASELINE))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "several variants train without a teacher ("
                        + candidates.stream().map(VariantCurve::name).toList()
                        + ") and none is named '" + BASELINE + "'; name the baseline '" + BASELINE
                        + "'"));
  }

  private static Report.LowerTarget lowerTarget(
      VariantCurve baseline, VariantCurve curve, BudgetPoint base, Double teacherCost) {
    double target = base.accuracyMean();
    TimeToTarget baseSteps = TimeToTarget.steps(baseline.points(), target);
    TimeToTarget baseWall = TimeToTarget.wallSeconds(baseline.points(), target);
    TimeToTarget baseRawWall = TimeToTarget.rawWallSeconds(baseline.points(), target);
    TimeToTarget steps = TimeToTarget.steps(curve.points(), target);
    TimeToTarget wall = TimeToTarget.wallSeconds(curve.points(), target);
    TimeToTarget rawWall = TimeToTarget.rawWallSeconds(curve.points(), target);
    return new Report.LowerTarget(
        base.budgetFraction(),
        target,
        steps.cost(),
        wall.cost(),
        rawWall.cost(),
        steps.reachedAtSmallestBudget(),
        TimeToTarget.speedup(baseSteps.cost(), steps.cost()),
        TimeToTarget.speedup(baseWall.cost(), wall.cost()),
        TimeToTarget.speedup(baseRawWall.cost(), rawWall.cost()),
        TimeToTarget.speedup(baseWall.cost(), plus(wall.cost(), teacherCost)));
  }

  private static Double plus(Double a, Double b) {
    return a == null || b == null ? null : a + b;
  }

  private static List<Report.TeacherResult> teachers(Map<String, ModelScore> scores, TeacherCosts costs) {
    Set<String> names = new TreeSet<>(scores.keySet());
    names.addAll(costs.trainSeconds().keySet());
    names.addAll(costs.softLabelSeconds().keySet());
    List<Report.TeacherResult> teachers = new ArrayList<>();
    for (String name : names) {
      ModelScore score = scores.get(name);
      teachers.add(
          new Report.TeacherResult(
              name,
              score == null ? null : score.top1(),
              score == null ? null : score.ece(),
              costs.trainSeconds().get(name),
              costs.softLabelSeconds().get(name),
              score == null ? null : score.perplexity(),
              score == null ? null : score.downstreamAccuracy()));
    }
    return teachers;
  }

  private static Report.Consistency consistency(List<RunResult> runs) {
    double max = 0;
    for (RunResult run : runs) {
      max = Math.max(max, Math.abs(run.top1() - run.trainedAccuracy()));
    }
    return new Report.Consistency(max, runs.size());
  }
}
