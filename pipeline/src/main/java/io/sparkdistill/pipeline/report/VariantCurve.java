package io.sparkdistill.pipeline.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A variant's accuracy-vs-cost curve: one {@link BudgetPoint} per budget, by ascending budget.
 *
 * @param name variant name
 * @param policy none, single, mean, random or online
 * @param teachers the teachers it learned from
 * @param points its budgets, ascending (at least one)
 * @param secondsPerStep its seconds per step over all its runs ({@link RobustWall})
 */
public record VariantCurve(
    String name, String policy, List<String> teachers, List<BudgetPoint> points, double secondsPerStep) {
  public static final String NO_TEACHER = "none";
  public static final String ONLINE = "online";

  public VariantCurve {
    teachers = List.copyOf(teachers);
    points = points.stream().sorted(Comparator.comparingDouble(BudgetPoint::budgetFraction)).toList();
    if (points.isEmpty()) {
      throw new IllegalArgumentException("variant '" + name + "' has no budget points");
    }
  }

  /** The point at the largest budget. */
  public BudgetPoint largest() {
    return points.get(points.size() - 1);
  }

  public boolean isBaselineCandidate() {
    return NO_TEACHER.equals(policy);
  }

  /**
   * The curves of all variants in {@code runs}, by variant name. Fails when a variant's runs
   * disagree on policy or teachers, or a budget's seeds on their step count.
   */
  public static List<VariantCurve> of(List<RunResult> runs) {
    Map<String, List<RunResult>> byVariant =
        runs.stream().collect(Collectors.groupingBy(RunResult::variant, TreeMap::new, Collectors.toList()));
    List<VariantCurve> curves = new ArrayList<>();
    byVariant.forEach(
        (name, variantRuns) -> {
          RunResult first = variantRuns.get(0);
          for (RunResult run : variantRuns) {
            if (!run.policy().equals(first.policy()) || !run.teachers().equals(first.teachers())) {
              throw new IllegalStateException(
                  "variant '" + name + "' mixes runs of different teachers: " + first.runId() + " ("
                      + first.policy() + " " + first.teachers() + ") and " + run.runId() + " ("
                      + run.policy() + " " + run.teachers() + ")");
            }
          }
          double secondsPerStep = RobustWall.lowerMedian(variantRuns.stream().map(RunResult::secondsPerStep).toList());
          List<BudgetPoint> points = new ArrayList<>();
          variantRuns.stream()
              .collect(Collectors.groupingBy(RunResult::budgetFraction, TreeMap::new, Collectors.toList()))
              .values()
              .forEach(budgetRuns -> points.add(BudgetPoint.of(budgetRuns, secondsPerStep)));
          curves.add(new VariantCurve(name, first.policy(), first.teachers(), points, secondsPerStep));
        });
    return curves;
  }
}
