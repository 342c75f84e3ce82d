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
 * (plain loops, not its classes), and checks that report.json says the same. It checks
 * consistency, not that distillation wins.
 */
final class ReportCheck {
  private static final double EPS = 1e-9;

  private ReportCheck() {}

  /** One budget of one variant, recomputed: mean over seeds. */
  private record Point(double budget, int steps, double wall, double accuracy) {}

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
      Map<String, Long> stepsPerRun = new HashMap<>();
      for (Row row : spark.read().parquet(runRoot.resolve("train-students/steps").toString())
          .groupBy("run_id").count().collectAsList()) {
        stepsPerRun.put(row.getString(0), row.getLong(1));
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
          curve.add(new Point(budget.getKey(), budget.getValue().get(0).getAs("total_steps"), wall / n, accuracy / n));
        }
        curves.put(variant.getKey(), curve);
      }
      List<Point> base = curves.get(baseline);
      double target = base.get(base.size() - 1).accuracy();
      assertThat(report.get("target_accuracy").asDouble()).isCloseTo(target, within(EPS));

      Double baseSteps = costToTarget(base, target, true);
      Double baseWall = costToTarget(base, target, false);
      assertThat(report.get("variants")).hasSize(curves.size());
      for (JsonNode v : report.get("variants")) {
        String name = v.get("name").asText();
        List<Point> curve = curves.get(name);
        assertThat(curve).as("variant " + name + " in the tables").isNotNull();
        assertThat(v.get("final_accuracy").asDouble()).as(name).isCloseTo(curve.get(curve.size() - 1).accuracy(), within(EPS));
        Double steps = costToTarget(curve, target, true);
        Double wall = costToTarget(curve, target, false);
        assertNullableClose(v.get("steps_to_target"), steps, name + " steps_to_target");
        assertNullableClose(v.get("wall_s_to_target"), wall, name + " wall_s_to_target");
        assertNullableClose(v.get("speedup_steps"), steps == null ? null : baseSteps / steps, name + " speedup_steps");
        assertNullableClose(v.get("speedup_wall"), wall == null ? null : baseWall / wall, name + " speedup_wall");
        JsonNode budgets = v.get("budgets");
        assertThat(budgets).hasSize(curve.size());
        for (int i = 0; i < curve.size(); i++) {
          assertThat(budgets.get(i).get("steps").asInt()).isEqualTo(curve.get(i).steps());
          assertThat(budgets.get(i).get("accuracy_mean").asDouble()).isCloseTo(curve.get(i).accuracy(), within(EPS));
        }
      }
    } finally {
      spark.stop();
    }
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
  private static Double costToTarget(List<Point> curve, double target, boolean steps) {
    if (curve.get(0).accuracy() >= target) {
      return cost(curve.get(0), steps);
    }
    for (int i = 0; i + 1 < curve.size(); i++) {
      Point a = curve.get(i);
      Point b = curve.get(i + 1);
      if (a.accuracy() < target && b.accuracy() >= target) {
        double f = (target - a.accuracy()) / (b.accuracy() - a.accuracy());
        return cost(a, steps) + f * (cost(b, steps) - cost(a, steps));
      }
    }
    return null;
  }

  private static double cost(Point p, boolean steps) {
    return steps ? p.steps() : p.wall();
  }
}
