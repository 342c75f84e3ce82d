package io.sparkdistill.pipeline.report;

import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The cost (steps or wall seconds) at which a variant's curve first reaches a target accuracy.
 *
 * <p>The points are taken by ascending budget. When the smallest budget already reaches the
 * target, its cost is the answer, an upper bound ({@code reachedAtSmallestBudget}): a smaller
 * budget was not tried. Otherwise the first segment {@code i -> i+1} with {@code acc_i < target
 * <= acc_i+1} gives the cost by linear interpolation, {@code c_i + (target - acc_i) / (acc_i+1 -
 * acc_i) * (c_i+1 - c_i)}; on a curve that dips and rises again, that is the first crossing. A
 * curve that never reaches the target has no cost ({@code null}): nothing is extrapolated.
 *
 * @param cost the interpolated cost, or null when the target is not reached
 * @param reachedAtSmallestBudget the smallest budget already reached it ({@code cost} is an upper
 *     bound)
 */
public record TimeToTarget(Double cost, boolean reachedAtSmallestBudget) {
  public static final TimeToTarget NOT_REACHED = new TimeToTarget(null, false);

  public boolean reached() {
    return cost != null;
  }

  /** The cost, measured by {@code cost}, at which {@code points} first reach {@code target}. */
  public static TimeToTarget of(List<BudgetPoint> points, double target, ToDoubleFunction<BudgetPoint> cost) {
    List<BudgetPoint> sorted =
        points.stream().sorted(Comparator.comparingDouble(BudgetPoint::budgetFraction)).toList();
    if (sorted.isEmpty()) {
      return NOT_REACHED;
    }
    if (sorted.get(0).accuracyMean() >= target) {
      return new TimeToTarget(cost.applyAsDouble(sorted.get(0)), true);
    }
    for (int i = 0; i + 1 < sorted.size(); i++) {
      BudgetPoint a = sorted.get(i);
      BudgetPoint b = sorted.get(i + 1);
      if (a.accuracyMean() < target && target <= b.accuracyMean()) {
        double fraction = (target - a.accuracyMean()) / (b.accuracyMean() - a.accuracyMean());
        double ca = cost.applyAsDouble(a);
        return new TimeToTarget(ca + fraction * (cost.applyAsDouble(b) - ca), false);
      }
    }
    return NOT_REACHED;
  }

  /** Steps to the target. */
  public static TimeToTarget steps(List<BudgetPoint> points, double target) {
    return of(points, target, BudgetPoint::steps);
  }

  /** Robust wall seconds to the target ({@link BudgetPoint#wallS}). */
  public static TimeToTarget wallSeconds(List<BudgetPoint> points, double target) {
    return of(points, target, BudgetPoint::wallS);
  }

  /** Measured wall seconds (means over seeds) to the target. */
  public static TimeToTarget rawWallSeconds(List<BudgetPoint> points, double target) {
    return of(points, target, BudgetPoint::rawWallS);
  }

  /**
   * {@code baseline / variant}: how many times sooner the variant got there; null when either is
   * unknown or the variant's cost is not positive.
   */
  public static Double speedup(Double baseline, Double variant) {
    if (baseline == null || variant == null || variant <= 0) {
      return null;
    }
    return baseline / variant;
  }
}
