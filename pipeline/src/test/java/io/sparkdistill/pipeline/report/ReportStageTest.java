package io.sparkdistill.pipeline.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.Manifest;
import io.sparkdistill.pipeline.dag.ManifestStore;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.eval.EvaluationTable;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import io.sparkdistill.pipeline.students.StudentCurveTable;
import io.sparkdistill.pipeline.students.StudentRunTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report stage on a hand-made run: four variants at budgets 0.5 and 1.0 (1000 steps).
 *
 * <pre>
 * variant   policy  teachers   b=0.5 (500 steps)              b=1.0 (1000 steps)
 * baseline  none    []         wall 50,54  acc 0.70,0.72      wall 100,104 acc 0.80,0.82  target 0.81
 * kd        single  [a]        wall 60,62  acc 0.76,0.78      wall 120,124 acc 0.85,0.87
 * ens       mean    [ensemble] wall 55,57  acc 0.82,0.84      wall 110,112 acc 0.86,0.88
 * online    online  [a]        wall 70     acc 0.61 (seed 1)  wall 140     acc 0.76
 * </pre>
 *
 * Teachers: a trains in 30 s and labels in 10 s, b in 20 s and 8 s; the ensemble of a and b takes
 * 5 s. Each run's steps go at an even pace, so its seconds per step are wall / steps, and a
 * variant's are the lower middle of its runs': baseline 0.100 (robust walls 50 and 100 s), kd
 * 0.120 (60, 120), ens 0.110 (55, 110), online 0.140 (70, 140).
 */
class ReportStageTest extends LocalSparkTest {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir Path dir;
  private RunLayout layout;
  private ManifestStore manifests;
  private final List<Row> runs = new ArrayList<>();
  private final List<Row> models = new ArrayList<>();
  private final List<Row> steps = new ArrayList<>();

  @BeforeEach
  void upstreamManifests() {
    layout = new RunLayout(dir.resolve("run").toString(), new Configuration());
    manifests = new ManifestStore(layout);
    manifest(StageName.TRAIN_TEACHERS, Map.of("train_seconds.a", 30.0, "train_seconds.b", 20.0, "test_accuracy.a", 0.9), 55.0);
    manifest(StageName.SOFT_LABELS, Map.of("seconds.a", 10.0, "seconds.b", 8.0), 20.0);
    manifest(StageName.ENSEMBLE, Map.of("rows", 1000L), Map.of("teachers", "a,b", "wall_seconds", 4.9), 5.0);
    manifest(StageName.TRAIN_STUDENTS, Map.of(), 1.0);
    manifest(StageName.EVALUATE, Map.of(), 1.0);
  }

  private void manifest(StageName stage, Map<String, Object> metrics, double wallSeconds) {
    manifest(stage, Map.of(), metrics, wallSeconds);
  }

  private void manifest(StageName stage, Map<String, Long> rows, Map<String, Object> metrics, double wallSeconds) {
    String now = Instant.now().toString();
    manifests.write(
        new Manifest(Manifest.FORMAT_VERSION, stage.id(), "test", stage.id() + "-output", "fingerprint",
            Map.of(), rows, metrics, List.of(), now, now, wallSeconds, Map.of(), List.of()));
  }

  /** One run; the training loop's final accuracy is {@code top1 + drift}. */
  private void run(String variant, String policy, List<String> teachers, double budget, long seed, double wall, double top1, double drift) {
    String runId = variant + ".b" + budget + ".s" + seed;
    int total = (int) Math.round(1000 * budget);
    runs.add(RowFactory.create(runId, variant, policy, teachers, budget, seed, total,
        policy.equals("none") ? 0 : total, 32, 32L * total, wall, top1 + drift, "students/" + runId));
    models.add(RowFactory.create(runId, "student", variant, budget, seed, 100L, top1, null, 0.05,
        List.of(top1, top1), List.of(List.of(1L, 0L), List.of(0L, 1L))));
    // Four recorded steps, a quarter of the run apart, at an even pace: the median step time is wall / total.
    for (int k = 1; k <= 4; k++) {
      Double accuracy = k % 2 == 0 ? top1 * k / 4 : null; // evaluated at the second and the last
      int step = total * k / 4 - 1;
      steps.add(RowFactory.create(runId, variant, budget, seed, step, 32L * (step + 1), wall * k / 4, 0.1,
          1.0 / k, Map.of("ce", 1.0 / k), accuracy, null));
    }
  }

  private void variants() {
    for (long seed : new long[] {1, 2}) {
      double s = seed - 1;
      run("baseline", "none", List.of(), 0.5, seed, 50 + 4 * s, 0.70 + 0.02 * s, 0);
      run("baseline", "none", List.of(), 1.0, seed, 100 + 4 * s, 0.80 + 0.02 * s, 0);
      run("kd", "single", List.of("a"), 0.5, seed, 60 + 2 * s, 0.76 + 0.02 * s, 0);
      run("kd", "single", List.of("a"), 1.0, seed, 120 + 4 * s, 0.85 + 0.02 * s, 0.01 * s);
      run("ens", "mean", List.of("ensemble"), 0.5, seed, 55 + 2 * s, 0.82 + 0.02 * s, 0);
      run("ens", "mean", List.of("ensemble"), 1.0, seed, 110 + 2 * s, 0.86 + 0.02 * s, -0.005);
    }
    run("online", "online", List.of("a"), 0.5, 1, 70, 0.61, 0);
    run("online", "online", List.of("a"), 1.0, 1, 140, 0.76, 0);
    models.add(RowFactory.create("a", "teacher", null, null, null, 100L, 0.9, null, 0.04, List.of(0.9, 0.9),
        List.of(List.of(1L, 0L), List.of(0L, 1L))));
    models.add(RowFactory.create("b", "teacher", null, null, null, 100L, 0.85, null, 0.07, List.of(0.85, 0.85),
        List.of(List.of(1L, 0L), List.of(0L, 1L))));
  }

  private void writeTables() {
    spark.createDataFrame(runs, StudentRunTable.SCHEMA).write()
        .parquet(layout.table(StageName.TRAIN_STUDENTS, StudentRunTable.TABLE));
    spark.createDataFrame(steps, StudentCurveTable.SCHEMA).write()
        .parquet(layout.table(StageName.TRAIN_STUDENTS, StudentCurveTable.TABLE));
    spark.createDataFrame(models, EvaluationTable.MODELS_SCHEMA).write()
        .parquet(layout.table(StageName.EVALUATE, EvaluationTable.MODELS));
  }

  private StageOutcome runReport(String... extraLines) throws Exception {
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, "run.name = \"report-test\"\nrun.root = \"" + dir.resolve("run") + "\"\ndataset.name = \"toy\"\n"
        + String.join("\n", extraLines) + "\n");
    RunConfig config = ConfigLoader.load(conf, List.of());
    return new ReportStage(Stages.task(config)).run(new StageContext(config, layout, manifests, () -> spark, StageName.REPORT));
  }

  private Path reportFile(String name) {
    return dir.resolve("run").resolve("report").resolve(name);
  }

  private static JsonNode variant(JsonNode report, String name) {
    for (JsonNode v : report.get("variants")) {
      if (v.get("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no variant " + name);
  }

  @Test
  void reportsTimeToTargetAndSpeedUps() throws Exception {
    variants();
    writeTables();

    StageOutcome outcome = runReport();

    JsonNode json = new ObjectMapper().readTree(reportFile("report.json").toFile());
    assertThat(json.get("format_version").asInt()).isEqualTo(Report.FORMAT_VERSION);
    assertThat(json.get("run_name").asText()).isEqualTo("report-test");
    assertThat(json.get("dataset").asText()).isEqualTo("toy");
    assertThat(json.get("target_accuracy").asDouble()).isCloseTo(0.81, within(1e-9));
    assertThat(json.get("target").get("variant").asText()).isEqualTo("baseline");
    assertThat(json.get("target").get("budget_fraction").asDouble()).isEqualTo(1.0);
    assertThat(json.get("target").get("seeds").toString()).isEqualTo("[1,2]");
    assertThat(json.get("variants")).extracting(v -> v.get("name").asText())
        .containsExactly("baseline", "ens", "kd", "online");

    // baseline: 0.71 at 500 steps, 0.81 at 1000 -> the target at 1000 steps, 100 s (raw 102 s)
    JsonNode baseline = variant(json, "baseline");
    assertThat(baseline.get("final_accuracy").asDouble()).isCloseTo(0.81, within(1e-9));
    assertThat(baseline.get("final_accuracy_std").asDouble()).isCloseTo(Math.sqrt(2 * 0.01 * 0.01), within(1e-9));
    assertThat(baseline.get("steps_to_target").asDouble()).isCloseTo(1000, within(1e-9));
    assertThat(baseline.get("seconds_per_step").asDouble()).isCloseTo(0.1, within(1e-9));
    assertThat(baseline.get("wall_s_to_target").asDouble()).isCloseTo(100, within(1e-9));
    assertThat(baseline.get("raw_wall_s_to_target").asDouble()).isCloseTo(102, within(1e-9));
    assertThat(baseline.get("speedup_wall").asDouble()).isCloseTo(1, within(1e-9));
    assertThat(baseline.get("raw_speedup_wall").asDouble()).isCloseTo(1, within(1e-9));
    assertThat(baseline.get("teacher_cost_s").asDouble()).isEqualTo(0.0);
    assertThat(baseline.get("speedup_wall_with_teacher_cost").asDouble()).isCloseTo(1, within(1e-9));

    // kd: 0.77 at 500 steps / 60 s (raw 61 s), 0.86 at 1000 / 120 s (raw 122 s) -> 4/9 of the way
    JsonNode kd = variant(json, "kd");
    double f = 0.04 / 0.09;
    assertThat(kd.get("policy").asText()).isEqualTo("single");
    assertThat(kd.get("teachers").toString()).isEqualTo("[\"a\"]");
    assertThat(kd.get("final_accuracy").asDouble()).isCloseTo(0.86, within(1e-9));
    assertThat(kd.get("seeds").toString()).isEqualTo("[1,2]");
    assertThat(kd.get("steps_to_target").asDouble()).isCloseTo(500 + f * 500, within(1e-6));
    assertThat(kd.get("wall_s_to_target").asDouble()).isCloseTo(60 + f * 60, within(1e-6));
    assertThat(kd.get("raw_wall_s_to_target").asDouble()).isCloseTo(61 + f * 61, within(1e-6));
    assertThat(kd.get("speedup_steps").asDouble()).isCloseTo(1000 / (500 + f * 500), within(1e-6));
    assertThat(kd.get("speedup_wall").asDouble()).isCloseTo(100 / (60 + f * 60), within(1e-6));
    assertThat(kd.get("raw_speedup_wall").asDouble()).isCloseTo(102 / (61 + f * 61), within(1e-6));
    assertThat(kd.get("teacher_cost_s").asDouble()).isCloseTo(40, within(1e-9));
    assertThat(kd.get("speedup_wall_with_teacher_cost").asDouble()).isCloseTo(100 / (60 + f * 60 + 40), within(1e-6));
    assertThat(kd.get("reached_at_smallest_budget").asBoolean()).isFalse();
    JsonNode kdHalf = kd.get("budgets").get(0);
    assertThat(kdHalf.get("budget_fraction").asDouble()).isEqualTo(0.5);
    assertThat(kdHalf.get("steps").asInt()).isEqualTo(500);
    assertThat(kdHalf.get("wall_s").asDouble()).isCloseTo(60, within(1e-9));
    assertThat(kdHalf.get("raw_wall_s").asDouble()).isCloseTo(61, within(1e-9));
    assertThat(kdHalf.get("accuracy_mean").asDouble()).isCloseTo(0.77, within(1e-9));
    assertThat(kdHalf.get("accuracy_std").asDouble()).isCloseTo(Math.sqrt(2 * 0.01 * 0.01), within(1e-9));
    assertThat(kdHalf.get("accuracies").size()).isEqualTo(2);
    assertThat(kdHalf.get("ece_mean").asDouble()).isCloseTo(0.05, within(1e-9));

    // ens: 0.83 already at 500 steps / 55 s (raw 56 s; upper bounds); it pays a + b + the ensemble = 73 s
    JsonNode ens = variant(json, "ens");
    assertThat(ens.get("steps_to_target").asDouble()).isEqualTo(500.0);
    assertThat(ens.get("wall_s_to_target").asDouble()).isCloseTo(55, within(1e-9));
    assertThat(ens.get("raw_wall_s_to_target").asDouble()).isCloseTo(56, within(1e-9));
    assertThat(ens.get("reached_at_smallest_budget").asBoolean()).isTrue();
    assertThat(ens.get("speedup_steps").asDouble()).isCloseTo(2.0, within(1e-9));
    assertThat(ens.get("teacher_cost_s").asDouble()).isCloseTo(30 + 10 + 20 + 8 + 5, within(1e-9));
    assertThat(ens.get("speedup_wall_with_teacher_cost").asDouble()).isCloseTo(100.0 / (55 + 73), within(1e-9));

    // online: one seed, never reaches 0.81; pays the teacher's training only
    JsonNode online = variant(json, "online");
    assertThat(online.get("final_accuracy_std").isNull()).isTrue();
    assertThat(online.get("steps_to_target").isNull()).isTrue();
    assertThat(online.get("wall_s_to_target").isNull()).isTrue();
    assertThat(online.get("speedup_steps").isNull()).isTrue();
    assertThat(online.get("speedup_wall").isNull()).isTrue();
    assertThat(online.get("speedup_wall_with_teacher_cost").isNull()).isTrue();
    assertThat(online.get("teacher_cost_s").asDouble()).isEqualTo(30.0);

    // lower target: the baseline's 0.71 at budget 0.5 (reached there, 500 steps / 52 s)
    JsonNode onlineLower = online.get("lower_targets").get(0);
    assertThat(onlineLower.get("budget_fraction").asDouble()).isEqualTo(0.5);
    assertThat(onlineLower.get("target_accuracy").asDouble()).isCloseTo(0.71, within(1e-9));
    assertThat(onlineLower.get("steps_to_target").asDouble()).isCloseTo(500 + 500 * (0.10 / 0.15), within(1e-6));
    assertThat(onlineLower.get("speedup_steps").asDouble()).isCloseTo(500 / (500 + 500 * (0.10 / 0.15)), within(1e-6));
    JsonNode kdLower = kd.get("lower_targets").get(0);
    assertThat(kdLower.get("steps_to_target").asDouble()).isEqualTo(500.0);
    assertThat(kdLower.get("reached_at_smallest_budget").asBoolean()).isTrue();
    assertThat(kdLower.get("speedup_wall").asDouble()).isCloseTo(50.0 / 60, within(1e-9));
    assertThat(kdLower.get("raw_speedup_wall").asDouble()).isCloseTo(52.0 / 61, within(1e-9));
    assertThat(kd.get("lower_targets").get(1).get("steps_to_target").asDouble())
        .isCloseTo(kd.get("steps_to_target").asDouble(), within(1e-9));

    JsonNode teachers = json.get("teachers");
    assertThat(teachers).extracting(t -> t.get("name").asText()).containsExactly("a", "b");
    assertThat(teachers.get(0).get("top1").asDouble()).isEqualTo(0.9);
    assertThat(teachers.get(0).get("ece").asDouble()).isEqualTo(0.04);
    assertThat(teachers.get(0).get("train_seconds").asDouble()).isEqualTo(30.0);
    assertThat(teachers.get(1).get("soft_label_seconds").asDouble()).isEqualTo(8.0);
    assertThat(json.get("consistency").get("max_abs_final_accuracy_difference").asDouble()).isCloseTo(0.01, within(1e-9));
    assertThat(json.get("consistency").get("runs").asInt()).isEqualTo(14);

    String md = Files.readString(reportFile("report.md"));
    assertThat(md).contains("**Target:** test top-1 accuracy **0.8100**");
    assertThat(md).contains("| online | a (online) | 0.7600 ± – (1 seed) | not reached | not reached | not reached | – | s1 not reached | – | – |");
    assertThat(md).contains("| ens | ensemble (mean) | 0.8700 ± 0.0141 (2 seeds) | ≤ 500 | ≤ 55.0 | ≤ 56.0 | ≥ 2.00× |");
    assertThat(md).contains("## Wall-clock estimate", "| kd | 0.12 | 0 |", "No straggler");
    assertThat(json.get("stragglers")).isEmpty();
    assertThat(json.get("wall_estimate").get("straggler_factor").asDouble()).isEqualTo(1.5);
    assertThat(json.get("wall_estimate").get("figures").asText()).startsWith("robust: ");
    assertThat(json.get("wall_estimate").get("raw_figures").asText()).startsWith("raw: ");
    assertThat(md).contains("## Lower targets", "## Teachers", "## How to read this", "| a | 0.9000 | 0.0400 | 30.0 | 10.0 |");

    for (String chart : List.of("accuracy_vs_wall.png", "training_curves.png")) {
      byte[] bytes = Files.readAllBytes(reportFile(chart));
      assertThat(bytes.length).as(chart).isGreaterThan(1000);
      assertThat(Arrays.copyOf(bytes, 8)).as(chart).isEqualTo(PNG_MAGIC);
    }
    try (var files = Files.list(reportFile(""))) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
    }

    assertThat(outcome.rowCounts()).containsEntry("variants", 4L);
    assertThat((double) outcome.metrics().get("target_accuracy")).isCloseTo(0.81, within(1e-9));
    assertThat(outcome.metrics()).containsKeys("speedup_wall.baseline", "speedup_wall.kd", "speedup_wall.ens")
        .doesNotContainKey("speedup_wall.online")
        .containsEntry("stragglers", 0L);
    assertThat((double) outcome.metrics().get("seconds_per_step.kd")).isCloseTo(0.12, within(1e-9));
  }

  @Test
  void aSlowedRunIsFlaggedInTheReportAndItsWarningsAndDoesNotMoveTheWallSpeedUp() throws Exception {
    variants();
    // kd's full-budget seed 2 took 5x as long, every step of it (124 s -> 620 s).
    int slowed = runs.indexOf(runs.stream().filter(r -> r.getString(0).equals("kd.b1.0.s2")).findFirst().orElseThrow());
    Object[] row = rowValues(runs.get(slowed));
    row[10] = 620.0;
    runs.set(slowed, RowFactory.create(row));
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).getString(0).equals("kd.b1.0.s2")) {
        Object[] step = rowValues(steps.get(i));
        step[6] = (Double) step[6] * 5;
        steps.set(i, RowFactory.create(step));
      }
    }
    writeTables();

    StageOutcome outcome = runReport("report.straggler-factor = 2.5");

    JsonNode json = new ObjectMapper().readTree(reportFile("report.json").toFile());
    JsonNode kd = variant(json, "kd");
    double f = 0.04 / 0.09;
    // kd's runs now take 0.120, 0.120, 0.124 and 0.620 s per step: the lower middle is still 0.120.
    assertThat(kd.get("seconds_per_step").asDouble()).isCloseTo(0.12, within(1e-9));
    assertThat(kd.get("speedup_steps").asDouble()).isCloseTo(1000 / (500 + f * 500), within(1e-6));
    assertThat(kd.get("speedup_wall").asDouble()).isCloseTo(100 / (60 + f * 60), within(1e-6));
    assertThat(kd.get("raw_wall_s_to_target").asDouble()).isCloseTo(61 + f * ((120 + 620) / 2.0 - 61), within(1e-6));
    JsonNode straggler = json.get("stragglers").get(0);
    assertThat(json.get("stragglers")).hasSize(1);
    assertThat(straggler.get("run_id").asText()).isEqualTo("kd.b1.0.s2");
    assertThat(straggler.get("ratio").asDouble()).isCloseTo(0.62 / 0.12, within(1e-9));
    assertThat(straggler.get("raw_wall_s").asDouble()).isEqualTo(620.0);
    assertThat(straggler.get("wall_s").asDouble()).isCloseTo(120, within(1e-9));
    assertThat(json.get("wall_estimate").get("straggler_factor").asDouble()).isEqualTo(2.5);
    assertThat(outcome.warnings()).anySatisfy(w -> assertThat(w)
        .startsWith("straggler: run kd.b1.0.s2 took 0.62 s per step, 5.17x its variant's median 0.12 s (straggler factor 2.5)"));
    assertThat(outcome.metrics()).containsEntry("stragglers", 1L);
    String md = Files.readString(reportFile("report.md"));
    assertThat(md).contains("**Stragglers** (factor 2.5)", "| kd.b1.0.s2 | 0.62 | 5.17× | 620.0 | 120.0 |", "- straggler: run kd.b1.0.s2");
  }

  private static Object[] rowValues(Row row) {
    Object[] values = new Object[row.size()];
    for (int i = 0; i < row.size(); i++) {
      values[i] = row.get(i);
    }
    return values;
  }

  @Test
  void aRunWithoutEvaluationFailsNamingIt() throws Exception {
    variants();
    models.removeIf(row -> row.getString(0).equals("kd.b0.5.s2"));
    writeTables();

    assertThatThrownBy(this::runReport)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 student runs have no row in")
        .hasMessageContaining("[kd.b0.5.s2]");
  }

  @Test
  void withoutABaselineTheMessageSaysWhatToAdd() throws Exception {
    run("kd", "single", List.of("a"), 1.0, 1, 100, 0.8, 0);
    writeTables();

    assertThatThrownBy(this::runReport)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no baseline")
        .hasMessageContaining("policy 'none'");
  }

  @Test
  void missingTeacherFiguresLeaveTheCostUnknownWithAWarning() throws Exception {
    manifests.clear(StageName.SOFT_LABELS);
    variants();
    writeTables();

    StageOutcome outcome = runReport();

    JsonNode kd = variant(new ObjectMapper().readTree(reportFile("report.json").toFile()), "kd");
    assertThat(kd.get("teacher_cost_s").isNull()).isTrue();
    assertThat(kd.get("speedup_wall_with_teacher_cost").isNull()).isTrue();
    assertThat(kd.get("speedup_wall").isNull()).isFalse();
    assertThat(outcome.warnings()).contains("teacher cost of variant 'kd' is unknown: no soft-labels metric seconds.a");
  }

}
