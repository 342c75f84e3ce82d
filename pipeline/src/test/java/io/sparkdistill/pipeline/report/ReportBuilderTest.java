package io.sparkdistill.pipeline.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Baseline choice, per-budget aggregation and teacher costs, without Spark. */
class ReportBuilderTest {
  private static final TeacherCosts COSTS =
      new TeacherCosts(Map.of("a", 30.0, "b", 20.0), Map.of("a", 10.0, "b", 8.0), List.of("a", "b"), 5.0);

  private static RunResult run(String variant, String policy, List<String> teachers, double budget, long seed, int steps, double top1) {
    return new RunResult(
        variant + ".b" + budget + ".s" + seed, variant, policy, teachers, budget, seed, steps, steps / 10.0, top1, top1, 0.1);
  }

  @Test
  void theBaselineIsTheVariantWithoutATeacher() {
    Report report =
        ReportBuilder.build(
            "r", "d",
            List.of(run("plain", "none", List.of(), 1.0, 1, 100, 0.8), run("kd", "single", List.of("a"), 1.0, 1, 100, 0.9)),
            Map.of(), COSTS);

    assertThat(report.target().variant()).isEqualTo("plain");
    assertThat(report.variants()).extracting(Report.VariantResult::name).containsExactly("plain", "kd");
  }

  @Test
  void eachSeedsOwnCurveGivesItsSpeedUpAgainstTheSameSeedsBaseline() {
    // Target: baseline mean at budget 1 = (0.80 + 0.84) / 2 = 0.82.
    List<RunResult> runs = List.of(
        run("baseline", "none", List.of(), 0.5, 1, 50, 0.70), run("baseline", "none", List.of(), 1.0, 1, 100, 0.80),
        run("baseline", "none", List.of(), 0.5, 2, 50, 0.74), run("baseline", "none", List.of(), 1.0, 2, 100, 0.84),
        run("kd", "single", List.of("a"), 0.5, 1, 50, 0.82), run("kd", "single", List.of("a"), 1.0, 1, 100, 0.90),
        run("kd", "single", List.of("a"), 0.5, 2, 50, 0.72), run("kd", "single", List.of("a"), 1.0, 2, 100, 0.80));
    Report report = ReportBuilder.build("r", "d", runs, Map.of(), COSTS);
    Report.VariantResult kd = report.variants().stream().filter(v -> v.name().equals("kd")).findFirst().orElseThrow();
    // Per seed, the target is that seed's baseline at budget 1. Seed 1 (0.80): kd is there at its
    // smallest budget, 50 steps against 100. Seed 2 (0.84): kd never gets there (0.80): null.
    assertThat(kd.speedupStepsBySeed()).containsEntry(1L, 2.0).containsEntry(2L, null);
    // Mean curve: kd (0.77, 0.85) reaches 0.82 at 50 + 50 * 0.05 / 0.08 = 81.25; baseline at 100.
    assertThat(kd.speedupSteps()).isCloseTo(100 / 81.25, org.assertj.core.api.Assertions.within(1e-9));
    Report.VariantResult base = report.baseline();
    assertThat(base.speedupStepsBySeed()).containsEntry(1L, 1.0).containsEntry(2L, 1.0);
  }

  @Test
  void severalVariantsWithoutATeacherNeedOneNamedBaseline() {
    List<RunResult> runs =
        new ArrayList<>(List.of(run("x", "none", List.of(), 1.0, 1, 100, 0.8), run("y", "none", List.of(), 1.0, 1, 100, 0.7)));
    assertThatThrownBy(() -> ReportBuilder.build("r", "d", runs, Map.of(), COSTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("several variants train without a teacher ([x, y])")
        .hasMessageContaining("name the baseline 'baseline'");

    runs.add(run("baseline", "none", List.of(), 1.0, 1, 100, 0.75));
    assertThat(ReportBuilder.build("r", "d", runs, Map.of(), COSTS).targetAccuracy()).isEqualTo(0.75);
  }

  @Test
  void noVariantWithoutATeacherIsAClearError() {
    assertThatThrownBy(
            () -> ReportBuilder.build("r", "d", List.of(run("kd", "single", List.of("a"), 1.0, 1, 100, 0.9)), Map.of(), COSTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no baseline")
        .hasMessageContaining("kd (single)");
  }

  @Test
  void seedsOfABudgetMustTrainTheSameSchedule() {
    List<RunResult> runs = List.of(run("baseline", "none", List.of(), 1.0, 1, 100, 0.8), run("baseline", "none", List.of(), 1.0, 2, 120, 0.8));

    assertThatThrownBy(() -> ReportBuilder.build("r", "d", runs, Map.of(), COSTS))
        .hasMessageContaining("variant 'baseline' at budget 1.0 has runs of different lengths");
  }

  @Test
  void aSingleSeedHasNoStandardDeviation() {
    BudgetPoint one = BudgetPoint.of(List.of(run("v", "none", List.of(), 1.0, 1, 100, 0.8)), 0.1);
    BudgetPoint two =
        BudgetPoint.of(List.of(run("v", "none", List.of(), 1.0, 2, 100, 0.9), run("v", "none", List.of(), 1.0, 1, 100, 0.8)), 0.1);

    assertThat(one.accuracyStd()).isNull();
    assertThat(two.accuracyStd()).isCloseTo(Math.sqrt(0.005), within(1e-12));
    assertThat(two.seeds()).containsExactly(1L, 2L);
    assertThat(two.accuracies()).containsExactly(0.8, 0.9);
  }

  @Test
  void teacherCostsFollowThePolicy() {
    List<String> warnings = new ArrayList<>();

    assertThat(COSTS.cost("base", "none", List.of(), warnings)).isEqualTo(0.0);
    assertThat(COSTS.cost("kd", "single", List.of("a"), warnings)).isEqualTo(40.0);
    assertThat(COSTS.cost("rnd", "random", List.of("a", "b"), warnings)).isEqualTo(68.0);
    assertThat(COSTS.cost("mean", "mean", List.of("ensemble"), warnings)).isEqualTo(73.0);
    assertThat(COSTS.cost("both", "random", List.of("a", "ensemble"), warnings)).isEqualTo(73.0);
    assertThat(COSTS.cost("on", "online", List.of("a"), warnings)).isEqualTo(30.0);
    assertThat(warnings).isEmpty();

    assertThat(COSTS.cost("kd-c", "single", List.of("c"), warnings)).isNull();
    assertThat(warnings).containsExactly(
        "teacher cost of variant 'kd-c' is unknown: no train-teachers metric train_seconds.c, no soft-labels metric seconds.c");
  }

  @Test
  void costsAreReadFromManifestMetrics() {
    TeacherCosts costs =
        TeacherCosts.fromMetrics(
            Map.of("train_seconds.a", 30, "test_accuracy.a", 0.9, "train_seconds.b", 20.5),
            Map.of("seconds.a", 10.0, "examples_per_second.a", 99.0),
            Map.of("teachers", "a, b"),
            5.0);

    assertThat(costs.trainSeconds()).containsOnly(Map.entry("a", 30.0), Map.entry("b", 20.5));
    assertThat(costs.softLabelSeconds()).containsOnly(Map.entry("a", 10.0));
    assertThat(costs.ensembleTeachers()).containsExactly("a", "b");
    assertThat(TeacherCosts.fromMetrics(Map.of("train_seconds.z", 1.0), Map.of(), Map.of(), 1.0).ensembleTeachers())
        .containsExactly("z");
    assertThat(TeacherCosts.fromMetrics(Map.of(), Map.of(), null, null).ensembleSeconds()).isNull();
  }
}
