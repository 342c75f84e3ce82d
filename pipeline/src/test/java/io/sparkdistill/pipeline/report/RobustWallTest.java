package io.sparkdistill.pipeline.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The robust wall estimate on a synthetic matrix shaped like the default run (baseline and kd at
 * budgets 0.25, 0.5 and 1 of 1,406 steps, seeds 1 and 2), whose runs' step times vary by about 10
 * % as the did (13.6-16.8 s for 1,406 steps); then the same matrix with kd's full-budget seed-1 run slowed 5.5x, the
 * issue's straggler (77.8 s against 13.6-16.8 s).
 */
class RobustWallTest {
  private static final TeacherCosts COSTS = new TeacherCosts(Map.of("a", 30.0), Map.of("a", 10.0), List.of(), null);
  private static final double[] BUDGETS = {0.25, 0.5, 1.0};
  private static final int[] STEPS = {351, 703, 1406};
  /** Per-run jitter of the seconds per step, as a shared machine gives it (seed-major, by budget). */
  private static final double[] JITTER = {1.00, 1.06, 0.96, 1.03, 0.98, 1.10};

  /**
   * One variant's six runs at {@code secondsPerStep} (times the jitter): the run's median step
   * time, with mean step times 8 % above it (a few slow steps); {@code slowRun} is slowed by
   * {@code slowdown} throughout.
   */
  private static List<RunResult> variant(
      String name, String policy, double secondsPerStep, double[] accuracy, String slowRun, double slowdown) {
    List<RunResult> runs = new ArrayList<>();
    for (long seed = 1; seed <= 2; seed++) {
      for (int b = 0; b < BUDGETS.length; b++) {
        String id = name + ".b" + ReportMarkdown.budget(BUDGETS[b]) + ".s" + seed;
        double perStep = secondsPerStep * JITTER[(int) (seed - 1) * 3 + b] * (id.equals(slowRun) ? slowdown : 1);
        double top1 = accuracy[b] + 0.004 * (seed == 1 ? -1 : 1);
        runs.add(
            new RunResult(id, name, policy, policy.equals("none") ? List.of() : List.of("a"), BUDGETS[b], seed,
                STEPS[b], perStep * 1.08 * STEPS[b], top1, top1, 0.05, null, null, perStep));
      }
    }
    return runs;
  }

  private static Report report(String slowRun, double slowdown) {
    List<RunResult> runs = new ArrayList<>();
    runs.addAll(variant("baseline", "none", 0.0100, new double[] {0.80, 0.83, 0.857}, slowRun, slowdown));
    runs.addAll(variant("kd", "single", 0.0102, new double[] {0.82, 0.85, 0.875}, slowRun, slowdown));
    return ReportBuilder.build("r", "d", Report.TOP1, runs, Map.of(), COSTS, null, 1.5);
  }

  private static Report.VariantResult kd(Report report) {
    return report.variants().stream().filter(v -> v.name().equals("kd")).findFirst().orElseThrow();
  }

  @Test
  void aRunSlowedThroughoutIsFlaggedAndMovesNeitherSpeedUp() {
    Report quiet = report("", 1);
    Report slowed = report("kd.b1.s1", 5.5);

    // Steps do not depend on time at all.
    assertThat(kd(slowed).speedupSteps()).isEqualTo(kd(quiet).speedupSteps());
    assertThat(kd(slowed).speedupStepsBySeed()).isEqualTo(kd(quiet).speedupStepsBySeed());
    // kd reaches 0.857 between 703 and 1,406 steps, so its full-budget runs weigh in its wall time.
    assertThat(kd(quiet).speedupSteps()).isCloseTo(1406 / (703 + 703 * 0.007 / 0.025), within(1e-9));
    // The robust wall speed-up stays within a few percent of the quiet run's (kd's median moves by
    // one rank of its runs, 1.00 -> 1.03 of 0.0102 s) ...
    assertThat(kd(slowed).speedupWall() / kd(quiet).speedupWall()).isBetween(0.95, 1.05);
    assertThat(kd(slowed).speedupWallWithTeacherCost() / kd(quiet).speedupWallWithTeacherCost()).isBetween(0.95, 1.05);
    // ... while the measured one, the mean over seeds, collapses (the issue: 1.66x -> 1.05x).
    assertThat(kd(slowed).rawSpeedupWall() / kd(quiet).rawSpeedupWall()).isLessThan(0.6);
    assertThat(kd(slowed).rawWallSToTarget()).isGreaterThan(1.5 * kd(quiet).rawWallSToTarget());
    // The figures docs/PERFORMANCE.md quotes: steps 1.56x; raw wall 1.54x -> 0.80x; robust 1.53x -> 1.49x.
    assertThat(kd(slowed).speedupSteps()).isCloseTo(1.5625, within(1e-4));
    assertThat(kd(quiet).rawSpeedupWall()).isCloseTo(1.5403, within(1e-4));
    assertThat(kd(slowed).rawSpeedupWall()).isCloseTo(0.8012, within(1e-4));
    assertThat(kd(quiet).speedupWall()).isCloseTo(1.5319, within(1e-4));
    assertThat(kd(slowed).speedupWall()).isCloseTo(1.4872, within(1e-4));

    assertThat(quiet.stragglers()).isEmpty();
    assertThat(quiet.warnings()).noneMatch(w -> w.contains("straggler"));
    assertThat(slowed.stragglers()).singleElement().satisfies(s -> {
      assertThat(s.runId()).isEqualTo("kd.b1.s1");
      assertThat(s.ratio()).isGreaterThan(1.5);
      assertThat(s.secondsPerStep()).isCloseTo(0.0102 * 0.96 * 5.5, within(1e-12));
      assertThat(s.wallS()).isCloseTo(s.variantSecondsPerStep() * 1406, within(1e-9));
      assertThat(s.rawWallS()).isGreaterThan(3 * s.wallS());
    });
    assertThat(slowed.warnings()).anySatisfy(w -> assertThat(w)
        .startsWith("straggler: run kd.b1.s1 took ")
        .contains("its variant's median")
        .contains("(straggler factor 1.5)"));
    assertThat(slowed.wallEstimate().stragglerFactor()).isEqualTo(1.5);
    assertThat(slowed.wallEstimate().figures()).isEqualTo(RobustWall.ESTIMATE);

    String md = ReportMarkdown.render(slowed);
    assertThat(md).contains("## Wall-clock estimate", "**Stragglers** (factor 1.5)", "| kd.b1.s1 | ");
    assertThat(ReportMarkdown.render(quiet)).contains("No straggler: every run's seconds per step are within 1.5×");
  }

  @Test
  void aBudgetsWallIsTheVariantsMedianSecondsPerStepTimesItsSteps() {
    Report report = report("", 1);
    Report.VariantResult base = report.baseline();
    // Baseline runs at 0.0100 x [1.00, 1.06, 0.96, 1.03, 0.98, 1.10]: the lower middle of six is 1.00.
    assertThat(base.secondsPerStep()).isCloseTo(0.0100, within(1e-15));
    BudgetPoint full = base.budgets().get(2);
    assertThat(full.wallS()).isCloseTo(0.0100 * 1406, within(1e-12));
    assertThat(full.rawWallS()).isCloseTo(0.0100 * 1.08 * 1406 * (0.96 + 1.10) / 2, within(1e-9));
    assertThat(base.wallSToTarget()).isCloseTo(14.06, within(1e-9));
  }

  @Test
  void withTwoRunsTheFasterOneStands() {
    List<RunResult> runs = List.of(
        new RunResult("b.s1", "b", "none", List.of(), 1.0, 1, 100, 1.0, 0.8, 0.8, 0.1, null, null, 0.010),
        new RunResult("b.s2", "b", "none", List.of(), 1.0, 2, 100, 5.5, 0.8, 0.8, 0.1, null, null, 0.055));

    assertThat(RobustWall.variantSecondsPerStep(runs)).containsExactly(Map.entry("b", 0.010));
    assertThat(RobustWall.stragglers(runs, 1.5)).extracting(Report.Straggler::runId).containsExactly("b.s2");
    assertThat(RobustWall.stragglers(runs, 6.0)).isEmpty();
  }

  @Test
  void aRunMuchFasterThanItsVariantIsFlaggedToo() {
    List<RunResult> runs = List.of(
        new RunResult("b.s1", "b", "none", List.of(), 1.0, 1, 100, 1.0, 0.8, 0.8, 0.1, null, null, 0.010),
        new RunResult("b.s2", "b", "none", List.of(), 1.0, 2, 100, 1.0, 0.8, 0.8, 0.1, null, null, 0.010),
        new RunResult("b.s3", "b", "none", List.of(), 1.0, 3, 100, 0.2, 0.8, 0.8, 0.1, null, null, 0.002));

    assertThat(RobustWall.stragglers(runs, 1.5)).singleElement()
        .satisfies(s -> assertThat(s.ratio()).isCloseTo(0.2, within(1e-12)));
  }

  @Test
  void withoutStepTimesARunsSecondsPerStepAreItsMean() {
    RunResult run = new RunResult("b.s1", "b", "none", List.of(), 1.0, 1, 200, 3.0, 0.8, 0.8, 0.1);
    assertThat(run.secondsPerStep()).isEqualTo(0.015);
    assertThat(run.withStepSeconds(0.012).secondsPerStep()).isEqualTo(0.012);
  }

  @Test
  void theLowerMedianTakesTheSmallerMiddleOfAnEvenCount() {
    assertThat(RobustWall.lowerMedian(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(RobustWall.lowerMedian(List.of(4.0, 1.0))).isEqualTo(1.0);
    assertThat(RobustWall.lowerMedian(List.of(4.0, 2.0, 1.0, 3.0))).isEqualTo(2.0);
    assertThatThrownBy(() -> RobustWall.lowerMedian(List.of())).hasMessage("no values");
  }
}
