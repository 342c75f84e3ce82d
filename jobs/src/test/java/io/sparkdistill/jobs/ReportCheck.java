package io.sparkdistill.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Recomputes a report's numbers from the run's Parquet tables, independently of the report code
 * (plain loops, not its classes), and checks that report.json says the same: times to target and
 * speed-ups in steps, in robust wall seconds (a variant's median seconds per step x steps) and in
 * raw (measured) wall seconds, the seconds per step, and the stragglers. It checks consistency, not
 * that distillation wins.
 */
final class ReportCheck {
  private static final double EPS = 1e-9;

  private ReportCheck() {}

  /**
   * One budget of one variant, recomputed: {@code wall} robust (the variant's seconds per step x
   * steps), {@code rawWall} and {@code accuracy} means over seeds.
   */
  private record Point(double budget, int steps, double wall, double rawWall, double accuracy) {}

  /** An image run's report: scores from {@code evaluate/models}. */
  static void check(Path runRoot, JsonNode report) {
    check(runRoot, report, "evaluate/models");
  }

  /**
   * A text run's report: scores from {@code evaluate/text-models}; also each variant's final
   * perplexity and, when evaluate fine-tuned on a downstream task, its downstream accuracy (means
   * at the largest budget) and the untrained reference.
   */
  static void checkText(Path runRoot, JsonNode report) {
    check(runRoot, report, "evaluate/text-models");
    SparkSession spark =
        SparkSession.builder().master("local[1]").appName("ReportCheck")
            .config("spark.ui.enabled", "false").getOrCreate();
    try {
      Map<String, Double> perplexity = new HashMap<>();
      for (Row row : spark.read().parquet(runRoot.resolve("evaluate/text-models").toString()).collectAsList()) {
        perplexity.put(row.getAs("model"), row.getAs("perplexity"));
      }
      Map<String, Double> downstream = new HashMap<>();
      for (Row row : spark.read().parquet(runRoot.resolve("evaluate/downstream").toString()).collectAsList()) {
        downstream.put(row.getAs("model"), row.getAs("accuracy"));
      }
      assertThat(report.get("downstream").get("untrained_accuracy").asDouble())
          .isCloseTo(downstream.get("untrained-student"), within(EPS));
      Map<String, double[]> sums = new TreeMap<>(); // variant -> perplexity, downstream, runs
      Map<String, Double> largest = new TreeMap<>();
      List<Row> runs = spark.read().parquet(runRoot.resolve("train-students/runs").toString()).collectAsList();
      runs.forEach(r -> largest.merge(r.getAs("variant"), r.getAs("budget_fraction"), Math::max));
      for (Row run : runs) {
        if (((Double) run.getAs("budget_fraction")).equals(largest.get((String) run.getAs("variant")))) {
          double[] s = sums.computeIfAbsent(run.getAs("variant"), v -> new double[3]);
          s[0] += perplexity.get((String) run.getAs("run_id"));
          s[1] += downstream.get((String) run.getAs("run_id"));
          s[2]++;
        }
      }
      for (JsonNode v : report.get("variants")) {
        double[] s = sums.get(v.get("name").asText());
        assertThat(v.get("final_perplexity").asDouble()).isCloseTo(s[0] / s[2], within(1e-6 * s[0] / s[2]));
        assertThat(v.get("downstream_accuracy").asDouble()).isCloseTo(s[1] / s[2], within(EPS));
      }
    } finally {
      spark.stop();
    }
  }

  private static void check(Path runRoot, JsonNode report, String evaluation) {
    SparkSession spark =
        SparkSession.builder().master("local[1]").appName("ReportCheck")
            .config("spark.ui.enabled", "false").getOrCreate();
    try {
      Map<String, Double> top1 = new HashMap<>();
      for (Row row : spark.read().parquet(runRoot.resolve(evaluation).toString()).collectAsList()) {
        top1.put(row.getAs("model"), row.getAs("top1"));
      }
      List<Row> runs = spark.read().parquet(runRoot.resolve("train-students/runs").toString()).collectAsList();
      // run -> step -> cumulative training seconds
      Map<String, TreeMap<Integer, Double>> stepWalls = new HashMap<>();
      for (Row row : spark.read().parquet(runRoot.resolve("train-students/steps").toString())
          .select("run_id", "step", "wall_seconds").collectAsList()) {
        stepWalls.computeIfAbsent(row.getString(0), k -> new TreeMap<>()).put(row.getInt(1), row.getDouble(2));
      }
      Map<String, Long> stepsPerRun = new HashMap<>();
      Map<String, Double> runSecondsPerStep = new HashMap<>();
      for (Map.Entry<String, TreeMap<Integer, Double>> run : stepWalls.entrySet()) {
        stepsPerRun.put(run.getKey(), (long) run.getValue().size());
        runSecondsPerStep.put(run.getKey(), medianStepSeconds(run.getValue()));
      }

      // variant -> budget -> runs
      Map<String, TreeMap<Double, List<Row>>> byVariant = new TreeMap<>();
      String baseline = null;
      for (Row run : runs) {
        String id = run.getAs("run_id");
        assertThat(stepsPerRun.get(id)).as("step rows of " + id).isEqualTo(((Integer) run.getAs("total_steps")).longValue());
        assertThat(top1).containsKey(id);
        // The training loop's last evaluation and the evaluate stage score the same model on the same split.
        assertThat(top1.get(id)).as("evaluate vs training loop, " + id).isCloseTo(run.getAs("final_accuracy"), within(1e-3));
        byVariant.computeIfAbsent(run.getAs("variant"), v -> new TreeMap<>())
            .computeIfAbsent(run.getAs("budget_fraction"), b -> new ArrayList<>()).add(run);
        if ("none".equals(run.getAs("policy"))) {
          baseline = run.getAs("variant");
        }
      }
      // A variant's seconds per step: the lower middle of its runs' median step times.
      Map<String, Double> variantSecondsPerStep = new TreeMap<>();
      for (Map.Entry<String, TreeMap<Double, List<Row>>> variant : byVariant.entrySet()) {
        List<Double> perRun = new ArrayList<>();
        variant.getValue().values().forEach(rs -> rs.forEach(r -> perRun.add(runSecondsPerStep.get((String) r.getAs("run_id")))));
        perRun.sort(null);
        variantSecondsPerStep.put(variant.getKey(), perRun.get((perRun.size() - 1) / 2));
      }
      Map<String, List<Point>> curves = new TreeMap<>();
      for (Map.Entry<String, TreeMap<Double, List<Row>>> variant : byVariant.entrySet()) {
        List<Point> curve = new ArrayList<>();
        for (Map.Entry<Double, List<Row>> budget : variant.getValue().entrySet()) {
          double wall = 0;
          double accuracy = 0;
          for (Row run : budget.getValue()) {
            wall += (Double) run.getAs("wall_seconds");
            accuracy += top1.get((String) run.getAs("run_id"));
          }
          int n = budget.getValue().size();
          int steps = budget.getValue().get(0).getAs("total_steps");
          curve.add(new Point(budget.getKey(), steps, variantSecondsPerStep.get(variant.getKey()) * steps, wall / n, accuracy / n));
        }
        curves.put(variant.getKey(), curve);
      }
      checkStragglers(report, runs, runSecondsPerStep, variantSecondsPerStep);
      List<Point> base = curves.get(baseline);
      double target = base.get(base.size() - 1).accuracy();
      assertThat(report.get("target_accuracy").asDouble()).isCloseTo(target, within(EPS));

      Double baseSteps = costToTarget(base, target, Point::steps);
      Double baseWall = costToTarget(base, target, Point::wall);
      Double baseRawWall = costToTarget(base, target, Point::rawWall);
      assertThat(report.get("variants")).hasSize(curves.size());
      for (JsonNode v : report.get("variants")) {
        String name = v.get("name").asText();
        List<Point> curve = curves.get(name);
        assertThat(curve).as("variant " + name + " in the tables").isNotNull();
        assertThat(v.get("final_accuracy").asDouble()).as(name).isCloseTo(curve.get(curve.size() - 1).accuracy(), within(EPS));
        Double steps = costToTarget(curve, target, Point::steps);
        Double wall = costToTarget(curve, target, Point::wall);
        Double rawWall = costToTarget(curve, target, Point::rawWall);
        assertNullableClose(v.get("seconds_per_step"), variantSecondsPerStep.get(name), name + " seconds_per_step");
        assertNullableClose(v.get("steps_to_target"), steps, name + " steps_to_target");
        assertNullableClose(v.get("wall_s_to_target"), wall, name + " wall_s_to_target");
        assertNullableClose(v.get("raw_wall_s_to_target"), rawWall, name + " raw_wall_s_to_target");
        assertNullableClose(v.get("speedup_steps"), steps == null ? null : baseSteps / steps, name + " speedup_steps");
        assertNullableClose(v.get("speedup_wall"), wall == null ? null : baseWall / wall, name + " speedup_wall");
        assertNullableClose(v.get("raw_speedup_wall"), rawWall == null ? null : baseRawWall / rawWall, name + " raw_speedup_wall");
        JsonNode budgets = v.get("budgets");
        assertThat(budgets).hasSize(curve.size());
        for (int i = 0; i < curve.size(); i++) {
          assertThat(budgets.get(i).get("steps").asInt()).isEqualTo(curve.get(i).steps());
          assertThat(budgets.get(i).get("accuracy_mean").asDouble()).isCloseTo(curve.get(i).accuracy(), within(EPS));
          assertNullableClose(budgets.get(i).get("wall_s"), curve.get(i).wall(), name + " wall_s");
          assertNullableClose(budgets.get(i).get("raw_wall_s"), curve.get(i).rawWall(), name + " raw_wall_s");
        }
      }
    } finally {
      spark.stop();
    }
  }

  /**
   * The runs whose median step time is more than the report's straggler factor times their
   * variant's (or less than its inverse): report.json lists exactly those, with their figures, and
   * warns about each, naming the factor.
   */
  private static void checkStragglers(
      JsonNode report, List<Row> runs, Map<String, Double> runSecondsPerStep, Map<String, Double> variantSecondsPerStep) {
    JsonNode estimate = report.get("wall_estimate");
    double factor = estimate.get("straggler_factor").asDouble();
    assertThat(factor).isGreaterThan(1);
    assertThat(estimate.get("figures").asText()).startsWith("robust: ");
    assertThat(estimate.get("raw_figures").asText()).startsWith("raw: ");
    Map<String, Row> expected = new TreeMap<>();
    for (Row run : runs) {
      String id = run.getAs("run_id");
      double ratio = runSecondsPerStep.get(id) / variantSecondsPerStep.get((String) run.getAs("variant"));
      if (ratio > factor || ratio < 1 / factor) {
        expected.put(id, run);
      }
    }
    Map<String, JsonNode> listed = new TreeMap<>();
    report.get("stragglers").forEach(s -> listed.put(s.get("run_id").asText(), s));
    assertThat(listed.keySet()).as("stragglers at factor " + factor).isEqualTo(expected.keySet());
    List<String> warnings = new ArrayList<>();
    report.get("warnings").forEach(w -> warnings.add(w.asText()));
    for (Map.Entry<String, Row> e : expected.entrySet()) {
      JsonNode s = listed.get(e.getKey());
      String variant = e.getValue().getAs("variant");
      int steps = e.getValue().getAs("total_steps");
      double median = variantSecondsPerStep.get(variant);
      assertNullableClose(s.get("seconds_per_step"), runSecondsPerStep.get(e.getKey()), e.getKey() + " seconds_per_step");
      assertNullableClose(s.get("variant_seconds_per_step"), median, e.getKey() + " variant_seconds_per_step");
      assertNullableClose(s.get("ratio"), runSecondsPerStep.get(e.getKey()) / median, e.getKey() + " ratio");
      assertNullableClose(s.get("raw_wall_s"), e.getValue().getAs("wall_seconds"), e.getKey() + " raw_wall_s");
      assertNullableClose(s.get("wall_s"), median * steps, e.getKey() + " wall_s");
      assertThat(warnings).as("warnings").anySatisfy(w -> assertThat(w)
          .startsWith("straggler: run " + e.getKey() + " took ")
          .contains("(straggler factor " + new java.math.BigDecimal(String.valueOf(factor)).stripTrailingZeros().toPlainString() + ")"));
    }
  }

  /**
   * The median (the mean of the two middle values of an even count) of a run's step times: the
   * difference of the cumulative seconds from the previous recorded step (0 before the first),
   * per step.
   */
  private static double medianStepSeconds(TreeMap<Integer, Double> cumulative) {
    List<Double> times = new ArrayList<>();
    int previousStep = -1;
    double previousWall = 0;
    for (Map.Entry<Integer, Double> step : cumulative.entrySet()) {
      times.add((step.getValue() - previousWall) / (step.getKey() - previousStep));
      previousStep = step.getKey();
      previousWall = step.getValue();
    }
    times.sort(null);
    int n = times.size();
    return n % 2 == 1 ? times.get(n / 2) : (times.get(n / 2 - 1) + times.get(n / 2)) / 2;
  }

  private static void assertNullableClose(JsonNode actual, Double expected, String what) {
    if (expected == null) {
      assertThat(actual == null || actual.isNull()).as(what + " is null").isTrue();
    } else {
      assertThat(actual.asDouble()).as(what).isCloseTo(expected, within(1e-6 * Math.max(1, Math.abs(expected))));
    }
  }

  /**
   * Cost at which the curve first reaches {@code target}: the smallest budget's cost if it already
   * does, else linear interpolation on the first segment that crosses it, else null.
   */
  private static Double costToTarget(List<Point> curve, double target, java.util.function.ToDoubleFunction<Point> cost) {
    if (curve.get(0).accuracy() >= target) {
      return cost.applyAsDouble(curve.get(0));
    }
    for (int i = 0; i + 1 < curve.size(); i++) {
      Point a = curve.get(i);
      Point b = curve.get(i + 1);
      if (a.accuracy() < target && b.accuracy() >= target) {
        double f = (target - a.accuracy()) / (b.accuracy() - a.accuracy());
        return cost.applyAsDouble(a) + f * (cost.applyAsDouble(b) - cost.applyAsDouble(a));
      }
    }
    return null;
  }

}
