package io.sparkdistill.pipeline.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The interpolation of steps and seconds to a target accuracy, on hand-made curves. */
class TimeToTargetTest {
  private static BudgetPoint point(double budget, int steps, double wall, double accuracy) {
    return new BudgetPoint(budget, steps, wall, wall, accuracy, null, List.of(accuracy), List.of(1L), 0.0);
  }

  /** 0.70 at 250 steps / 20 s, 0.80 at 500 / 45 s, 0.90 at 1000 / 100 s. */
  private static final List<BudgetPoint> RISING =
      List.of(point(0.25, 250, 20, 0.70), point(0.5, 500, 45, 0.80), point(1.0, 1000, 100, 0.90));

  @Test
  void interpolatesLinearlyInsideTheCrossingSegment() {
    TimeToTarget steps = TimeToTarget.steps(RISING, 0.85);
    TimeToTarget wall = TimeToTarget.wallSeconds(RISING, 0.85);

    assertThat(steps.cost()).isCloseTo(750.0, within(1e-9)); // 500 + (0.05 / 0.10) * 500
    assertThat(wall.cost()).isCloseTo(72.5, within(1e-9)); // 45 + 0.5 * 55
    assertThat(steps.reachedAtSmallestBudget()).isFalse();
    assertThat(TimeToTarget.steps(RISING, 0.73).cost()).isCloseTo(325.0, within(1e-9)); // 250 + 0.3 * 250
  }

  @Test
  void aTargetEqualToAPointIsReachedThere() {
    assertThat(TimeToTarget.steps(RISING, 0.80).cost()).isCloseTo(500.0, within(1e-9));
    assertThat(TimeToTarget.steps(RISING, 0.90).cost()).isCloseTo(1000.0, within(1e-9));
  }

  @Test
  void reachedAtTheSmallestBudgetIsThatCostAndFlagged() {
    TimeToTarget steps = TimeToTarget.steps(RISING, 0.65);

    assertThat(steps.cost()).isEqualTo(250.0);
    assertThat(steps.reachedAtSmallestBudget()).isTrue();
    assertThat(TimeToTarget.steps(RISING, 0.70).reachedAtSmallestBudget()).isTrue();
  }

  @Test
  void neverReachedIsNullNotExtrapolated() {
    TimeToTarget steps = TimeToTarget.steps(RISING, 0.95);

    assertThat(steps.cost()).isNull();
    assertThat(steps.reached()).isFalse();
    assertThat(steps.reachedAtSmallestBudget()).isFalse();
    assertThat(TimeToTarget.steps(List.of(), 0.5).cost()).isNull();
  }

  @Test
  void nonMonotoneCurvesUseTheFirstCrossing() {
    List<BudgetPoint> dipping =
        List.of(
            point(0.25, 250, 25, 0.70),
            point(0.5, 500, 50, 0.82),
            point(0.75, 750, 75, 0.78),
            point(1.0, 1000, 100, 0.90));

    assertThat(TimeToTarget.steps(dipping, 0.80).cost())
        .isCloseTo(250 + 250 * (0.10 / 0.12), within(1e-9)); // 458.33: segment 0.25 -> 0.5
    assertThat(TimeToTarget.steps(dipping, 0.85).cost())
        .isCloseTo(750 + 250 * (0.07 / 0.12), within(1e-9)); // 895.83: only 0.75 -> 1.0 crosses
    List<BudgetPoint> fallingFirst = List.of(point(0.25, 250, 25, 0.90), point(0.5, 500, 50, 0.70));
    assertThat(TimeToTarget.steps(fallingFirst, 0.80).cost()).isEqualTo(250.0);
    List<BudgetPoint> falling = List.of(point(0.25, 250, 25, 0.75), point(0.5, 500, 50, 0.70));
    assertThat(TimeToTarget.steps(falling, 0.80).cost()).isNull();
  }

  @Test
  void pointsAreTakenByBudgetWhateverTheirOrder() {
    List<BudgetPoint> shuffled = List.of(RISING.get(2), RISING.get(0), RISING.get(1));

    assertThat(TimeToTarget.steps(shuffled, 0.85).cost()).isCloseTo(750.0, within(1e-9));
  }

  @Test
  void speedupIsBaselineOverVariantAndNullWhenEitherIsUnknown() {
    assertThat(TimeToTarget.speedup(1000.0, 500.0)).isEqualTo(2.0);
    assertThat(TimeToTarget.speedup(100.0, 400.0)).isEqualTo(0.25);
    assertThat(TimeToTarget.speedup(null, 500.0)).isNull();
    assertThat(TimeToTarget.speedup(1000.0, null)).isNull();
    assertThat(TimeToTarget.speedup(null, null)).isNull();
    assertThat(TimeToTarget.speedup(1000.0, 0.0)).isNull();
  }
}
