package io.sparkdistill.pipeline.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;

import io.sparkdistill.pipeline.dag.Manifest;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.task.Task;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.eval.DownstreamTable;
import io.sparkdistill.pipeline.eval.EvaluationTable;
import io.sparkdistill.pipeline.eval.TextEvaluationTable;
import io.sparkdistill.pipeline.students.StudentCurveTable;
import io.sparkdistill.pipeline.students.StudentRunTable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code report/report.json}, {@code report/report.md} and two PNG charts: how much sooner
 * each student variant reached the baseline's full-budget accuracy (see {@link ReportBuilder}).
 *
 * <p>Reads {@code train-students/runs/}, the evaluation rows of {@code evaluate/models/} (a run's
 * final accuracy is evaluate's top-1; on the text path {@code evaluate/text-models/}, the held-out
 * masked-token accuracy and perplexity, and {@code evaluate/downstream/} when there is a
 * downstream task), the evaluation steps of the full-budget runs in {@code
 * train-students/steps/} (each run's median step time for the robust wall figures of {@link
 * RobustWall}; the full-budget runs' evaluations for the training-curve chart) and the teachers'
 * costs from the
 * train-teachers, soft-labels and ensemble manifests. The tables are small: they are collected to
 * the driver and the rest is plain Java. Each file is written under a temporary name and renamed.
 */
public final class ReportStage implements Stage {
  private final Task task;

  public ReportStage(Task task) {
    this.task = task;
  }

  private static final Logger LOG = LoggerFactory.getLogger(ReportStage.class);

  public static final String JSON = "report.json";
  public static final String MARKDOWN = "report.md";

  @Override
  public StageName name() {
    return StageName.REPORT;
  }

  @Override
  public List<String> configSections() {
    return List.of("run.name", "dataset.name", "report");
  }

  @Override
  public StageOutcome run(StageContext context) throws IOException {
    SparkSession spark = context.spark();
    RunLayout layout = context.layout();
    Map<String, ModelScore> students = new TreeMap<>();
    Map<String, ModelScore> teachers = new TreeMap<>();
    context.describe("read evaluations and curves");
    String modelsPath = layout.table(StageName.EVALUATE, task.modelsTable());
    readEvaluations(spark, layout, modelsPath, task.modelsSchema(), students, teachers);
    Report.Downstream downstream = readDownstream(spark, layout, students, teachers);
    List<RunResult> runs =
        withStepSeconds(readRuns(spark, layout, students, modelsPath), stepSeconds(spark, layout));
    TeacherCosts costs = teacherCosts(context);
    Report report =
        ReportBuilder.build(
            context.config().run().name(), context.config().dataset().name(),
            task.accuracyName(), runs, teachers, costs, downstream,
            context.config().report().stragglerFactor());
    Map<String, List<ReportCharts.CurvePoint>> curves = trainingCurves(spark, layout, runs, report);

    FileSystem fs = layout.fs();
    Path dir = context.stageDir();
    write(fs, dir, JSON, ReportJson.render(report).getBytes(StandardCharsets.UTF_8));
    write(fs, dir, ReportCharts.ACCURACY_VS_WALL, ReportCharts.accuracyVsWall(report));
    write(fs, dir, ReportCharts.TRAINING_CURVES, ReportCharts.trainingCurves(report, curves));
    Path markdown = write(fs, dir, MARKDOWN, ReportMarkdown.render(report).getBytes(StandardCharsets.UTF_8));

    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("schema.report", Report.FORMAT_VERSION);
    metrics.put("baseline", report.target().variant());
    metrics.put("target_accuracy", report.targetAccuracy());
    metrics.put("max_abs_final_accuracy_difference", report.consistency().maxAbsFinalAccuracyDifference());
    metrics.put("stragglers", (long) report.stragglers().size());
    for (Report.VariantResult v : report.variants()) {
      metrics.put("seconds_per_step." + v.name(), v.secondsPerStep());
      if (v.speedupWall() != null) {
        metrics.put("speedup_wall." + v.name(), v.speedupWall());
      }
      if (v.speedupSteps() != null) {
        metrics.put("speedup_steps." + v.name(), v.speedupSteps());
      }
    }
    report.warnings().forEach(w -> LOG.warn("[report] {}", w));
    LOG.info("[report] {} variants, target accuracy {} -> {}", report.variants().size(),
        String.format("%.4f", report.targetAccuracy()), markdown);
    return new StageOutcome(
        Map.of("variants", (long) report.variants().size(), "runs", (long) runs.size()),
        metrics,
        report.warnings());
  }

  /**
   * Evaluate's models table of the run's task, split into students (by run id) and teachers (by
   * name); perplexity where the task's table has it (masked-language models).
   */
  private static void readEvaluations(
      SparkSession spark, RunLayout layout, String path, StructType schema, Map<String, ModelScore> students,
      Map<String, ModelScore> teachers) {
    boolean perplexity = schema.getFieldIndex(TextEvaluationTable.PERPLEXITY).isDefined();
    String[] columns =
        perplexity
            ? new String[] {EvaluationTable.MODEL, EvaluationTable.KIND, EvaluationTable.TOP1, EvaluationTable.ECE,
                TextEvaluationTable.PERPLEXITY}
            : new String[] {EvaluationTable.MODEL, EvaluationTable.KIND, EvaluationTable.TOP1, EvaluationTable.ECE};
    for (Row row : read(spark, layout, path, schema, columns).collectAsList()) {
      ModelScore score =
          perplexity
              ? new ModelScore(row.getDouble(2), row.getDouble(3), row.getDouble(4), null)
              : new ModelScore(row.getDouble(2), row.getDouble(3));
      put(path, row.getString(0), row.getString(1), score, students, teachers);
    }
  }

  /**
   * Evaluate's {@code evaluate/downstream/}, when it fine-tuned on a downstream task (text):
   * each model's accuracy joins its score; the untrained network's row is the task's reference.
   */
  private static Report.Downstream readDownstream(
      SparkSession spark, RunLayout layout, Map<String, ModelScore> students, Map<String, ModelScore> teachers)
      throws IOException {
    String path = layout.table(StageName.EVALUATE, DownstreamTable.TABLE);
    if (!layout.fs().exists(new Path(path))) {
      return null; // downstream.format = none
    }
    List<Row> rows =
        read(spark, layout, path, DownstreamTable.SCHEMA,
            DownstreamTable.MODEL, DownstreamTable.KIND, DownstreamTable.TASK, DownstreamTable.CLASSES,
            DownstreamTable.TRAIN_EXAMPLES, DownstreamTable.TEST_EXAMPLES, DownstreamTable.ACCURACY)
            .collectAsList();
    if (rows.isEmpty()) {
      return null;
    }
    Double untrained = null;
    for (Row row : rows) {
      String model = row.getString(0);
      String kind = row.getString(1);
      double accuracy = row.getDouble(6);
      if (DownstreamTable.KIND_UNTRAINED.equals(kind)) {
        untrained = accuracy;
        continue;
      }
      Map<String, ModelScore> scores = EvaluationTable.KIND_TEACHER.equals(kind) ? teachers : students;
      ModelScore score = scores.get(model);
      if (score == null) {
        throw new IllegalStateException(
            path + ": " + kind + " '" + model + "' has a downstream row but no row in "
                + layout.table(StageName.EVALUATE, TextEvaluationTable.MODELS));
      }
      scores.put(model, score.withDownstream(accuracy));
    }
    Row first = rows.get(0);
    return new Report.Downstream(first.getString(2), first.getInt(3), first.getLong(4), first.getLong(5), untrained);
  }

  private static void put(
      String path, String model, String kind, ModelScore score,
      Map<String, ModelScore> students, Map<String, ModelScore> teachers) {
    Map<String, ModelScore> target =
        switch (kind) {
          case EvaluationTable.KIND_STUDENT -> students;
          case EvaluationTable.KIND_TEACHER -> teachers;
          default -> throw new IllegalStateException(
              path + ": model '" + model + "' has kind '" + kind + "', expected "
                  + EvaluationTable.KIND_TEACHER + " or " + EvaluationTable.KIND_STUDENT);
        };
    if (target.put(model, score) != null) {
      throw new IllegalStateException(path + ": " + kind + " '" + model + "' has more than one row");
    }
  }

  /** The student runs, each with its evaluation; fails naming the runs evaluate has not scored. */
  private static List<RunResult> readRuns(
      SparkSession spark, RunLayout layout, Map<String, ModelScore> scores, String modelsPath) {
    String path = layout.table(StageName.TRAIN_STUDENTS, StudentRunTable.TABLE);
    Dataset<Row> table =
        read(spark, layout, path, StudentRunTable.SCHEMA,
            StudentRunTable.RUN_ID, StudentRunTable.VARIANT, StudentRunTable.POLICY, StudentRunTable.TEACHERS,
            StudentRunTable.BUDGET_FRACTION, StudentRunTable.SEED, StudentRunTable.TOTAL_STEPS,
            StudentRunTable.WALL_SECONDS, StudentRunTable.FINAL_ACCURACY);
    List<RunResult> runs = new ArrayList<>();
    List<String> unevaluated = new ArrayList<>();
    for (Row row : table.collectAsList()) {
      String runId = row.getString(0);
      ModelScore score = scores.get(runId);
      if (score == null) {
        unevaluated.add(runId);
        continue;
      }
      runs.add(
          new RunResult(
              runId, row.getString(1), row.getString(2), row.getList(3), row.getDouble(4), row.getLong(5),
              row.getInt(6), row.getDouble(7), row.getDouble(8), score.top1(), score.ece(),
              score.perplexity(), score.downstreamAccuracy()));
    }
    if (!unevaluated.isEmpty()) {
      unevaluated.sort(null);
      throw new IllegalStateException(
          unevaluated.size() + " student runs have no row in "
              + modelsPath + ": "
              + unevaluated.subList(0, Math.min(5, unevaluated.size()))
              + (unevaluated.size() > 5 ? " ..." : "") + "; re-run evaluate (--from evaluate)");
    }
    return runs;
  }

  /**
   * Each run's median step time from {@code train-students/steps/}: the difference of the
   * cumulative wall seconds from the previous recorded step (from 0 before the first), per step.
   */
  private static Map<String, Double> stepSeconds(SparkSession spark, RunLayout layout) {
    String path = layout.table(StageName.TRAIN_STUDENTS, StudentCurveTable.TABLE);
    Dataset<Row> steps =
        read(spark, layout, path, StudentCurveTable.SCHEMA, StudentRunTable.RUN_ID, "step", "wall_seconds");
    WindowSpec order = Window.partitionBy(StudentRunTable.RUN_ID).orderBy("step");
    Column seconds = col("wall_seconds").minus(coalesce(lag("wall_seconds", 1).over(order), lit(0.0)));
    Column stepsDone = col("step").minus(coalesce(lag("step", 1).over(order), lit(-1)));
    Map<String, Double> medians = new TreeMap<>();
    for (Row row :
        steps.select(col(StudentRunTable.RUN_ID), seconds.divide(stepsDone).as("seconds"))
            .groupBy(StudentRunTable.RUN_ID)
            .agg(expr("percentile(seconds, 0.5)"))
            .collectAsList()) {
      medians.put(row.getString(0), row.getDouble(1));
    }
    return medians;
  }

  /** The runs with their median step times; a run without step rows keeps its mean. */
  private static List<RunResult> withStepSeconds(List<RunResult> runs, Map<String, Double> stepSeconds) {
    return runs.stream()
        .map(r -> stepSeconds.containsKey(r.runId()) ? r.withStepSeconds(stepSeconds.get(r.runId())) : r)
        .toList();
  }

  private static TeacherCosts teacherCosts(StageContext context) {
    // An ensemble stage that wrote no table (one teacher, or the text path) is no ensemble.
    Optional<Manifest> ensemble =
        context.manifests().read(StageName.ENSEMBLE).filter(m -> m.rowCounts().getOrDefault("rows", 0L) > 0);
    return TeacherCosts.fromMetrics(
        metrics(context, StageName.TRAIN_TEACHERS),
        metrics(context, StageName.SOFT_LABELS),
        ensemble.map(Manifest::metrics).orElse(null),
        ensemble.map(Manifest::wallSeconds).orElse(null));
  }

  private static Map<String, Object> metrics(StageContext context, StageName stage) {
    return context.manifests().read(stage).map(Manifest::metrics).orElse(Map.of());
  }

  /**
   * Per variant, the evaluations of its full-budget (largest budget) run of the smallest seed, by
   * step, each at the robust seconds of its step (steps done x the variant's seconds per step), so
   * that a straggler's curve is not stretched.
   */
  private static Map<String, List<ReportCharts.CurvePoint>> trainingCurves(
      SparkSession spark, RunLayout layout, List<RunResult> runs, Report report) {
    Map<String, Double> secondsPerStep = new TreeMap<>();
    report.variants().forEach(v -> secondsPerStep.put(v.name(), v.secondsPerStep()));
    Map<String, String> variantOf = new TreeMap<>();
    Map<String, RunResult> chosen = new TreeMap<>();
    Comparator<RunResult> order =
        Comparator.comparingDouble(RunResult::budgetFraction)
            .reversed()
            .thenComparingLong(RunResult::seed);
    for (RunResult run : runs) {
      chosen.merge(run.variant(), run, (a, b) -> order.compare(a, b) <= 0 ? a : b);
    }
    String path = layout.table(StageName.TRAIN_STUDENTS, StudentCurveTable.TABLE);
    Dataset<Row> steps =
        read(spark, layout, path, StudentCurveTable.SCHEMA,
            StudentRunTable.RUN_ID, "step", "test_accuracy");
    Map<String, List<ReportCharts.CurvePoint>> curves = new LinkedHashMap<>();
    Map<String, List<ReportCharts.CurvePoint>> byRun = new TreeMap<>();
    chosen.values().forEach(run -> {
      variantOf.put(run.runId(), run.variant());
      List<ReportCharts.CurvePoint> points = new ArrayList<>();
      curves.put(run.variant() + " (seed " + run.seed() + ")", points);
      byRun.put(run.runId(), points);
    });
    List<Row> rows =
        steps
            .filter(col("test_accuracy").isNotNull().and(col(StudentRunTable.RUN_ID).isin(byRun.keySet().toArray())))
            .orderBy(StudentRunTable.RUN_ID, "step")
            .collectAsList();
    for (Row row : rows) {
      double seconds = (row.getInt(1) + 1) * secondsPerStep.get(variantOf.get(row.getString(0)));
      byRun.get(row.getString(0)).add(new ReportCharts.CurvePoint(seconds, row.getDouble(2)));
    }
    return curves;
  }

  /**
   * The named columns of a Parquet table, after checking that it exists and that they have the
   * schema's types.
   */
  private static Dataset<Row> read(
      SparkSession spark, RunLayout layout, String path, StructType schema, String... columns) {
    try {
      if (!layout.fs().exists(new Path(path))) {
        throw new IllegalStateException("the table " + path + " does not exist; run its stage first");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
    Dataset<Row> table = spark.read().parquet(path);
    StructType found = table.schema();
    List<Column> selected = new ArrayList<>();
    for (String column : columns) {
      DataType expected = schema.apply(column).dataType();
      DataType type = found.getFieldIndex(column).isDefined() ? found.apply(column).dataType() : null;
      if (type == null || !DataType.equalsIgnoreNullability(type, expected)) {
        throw new IllegalStateException(
            path + ": column " + column + " must be " + expected.simpleString() + ", got "
                + (type == null ? "no such column" : type.simpleString()));
      }
      selected.add(col(column));
    }
    return table.select(selected.toArray(Column[]::new));
  }

  /** Writes {@code bytes} to {@code dir/name} through a temporary file and a rename. */
  private static Path write(FileSystem fs, Path dir, String name, byte[] bytes) throws IOException {
    Path target = new Path(dir, name);
    Path temp = new Path(dir, "." + name + ".tmp");
    try (OutputStream out = fs.create(temp, true)) {
      out.write(bytes);
    }
    fs.delete(target, false);
    if (!fs.rename(temp, target)) {
      throw new IOException("rename " + temp + " -> " + target + " failed");
    }
    return target;
  }
}
