package io.sparkdistill.pipeline.eval;

import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.students.StudentRunTable;
import io.sparkdistill.pipeline.task.EvaluatedModel;
import io.sparkdistill.pipeline.task.Task;
import io.sparkdistill.pipeline.task.TestScoring;
import io.sparkdistill.pipeline.teachers.TrainTeachersStage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Final evaluation of every trained model, teachers ({@code train-teachers/<name>/}) and students
 * (the rows of {@code train-students/runs/}), on the task's test rows (images: the test examples;
 * text: every masked position of view 0 of the test sequences).
 *
 * <p>Scoring runs on the executors, one pass over the test rows per model (the model loaded once
 * per JVM): a task then holds one model's batch of activations instead of every model's, and models
 * of any number and size spread over the tasks. All passes are written in one job to the task's
 * predictions table and read back, and the stage fails unless every model has exactly one row per
 * scored item. Per model it then computes the task's figures from that table (images: top-1,
 * per-class accuracy and the confusion matrix with MLlib ({@link ClassMetrics}), top-5; text:
 * masked-token top-1 and top-5, perplexity), the expected calibration error over {@value
 * Calibration#BINS} bins ({@link Calibration}), and writes one row per model to the task's models
 * table; then whatever the task evaluates beyond the test split (text: the downstream task).
 */
public final class EvaluateStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateStage.class);

  private final Task task;

  public EvaluateStage(Task task) {
    this.task = task;
  }

  @Override
  public StageName name() {
    return StageName.EVALUATE;
  }

  @Override
  public List<String> configSections() {
    return task.evaluateConfig();
  }

  @Override
  public StageOutcome run(StageContext context) throws Exception {
    long t0 = System.nanoTime();
    TestScoring scoring = task.testScoring(context);
    List<EvaluatedModel> models = listModels(context);
    models.forEach(scoring::checkFits);
    LOG.info("[evaluate] {} models on {} {}", models.size(), scoring.items(), scoring.itemsName());
    context.describe("score " + models.size() + " models on " + scoring.items() + " " + scoring.itemsName());

    String predictionsPath = context.table(scoring.predictionsTable());
    Dataset<Row> predictions =
        Predictions.score(scoring.test(), models, scoring::partition, scoring.predictionsSchema(), predictionsPath);
    List<Column> aggregates = scoring.aggregates();
    Map<String, Row> counts =
        Predictions.checkCounts(
            predictions, models, scoring.items(), predictionsPath, scoring.itemsName(), scoring.itemsName(),
            scoring.keys(), aggregates.toArray(Column[]::new));
    Map<String, Double> ece = Calibration.expectedCalibrationError(predictions, Calibration.BINS);

    List<Row> modelRows = new ArrayList<>();
    Map<String, Object> metrics = new LinkedHashMap<>(scoring.schemaVersions());
    for (EvaluatedModel model : models) {
      modelRows.add(
          scoring.modelRow(
              model, counts.get(model.name()), Predictions.FIRST_AGGREGATE, ece.get(model.name()), predictions,
              metrics));
    }
    context.writeTable(task.modelsTable(), modelRows, task.modelsSchema());
    Map<String, Long> rowCounts = new TreeMap<>(scoring.rowCounts());
    StageOutcome beyond = scoring.beyondTest(models);
    metrics.putAll(beyond.metrics());
    rowCounts.putAll(beyond.rowCounts());
    metrics.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
    rowCounts.put(task.modelsTable(), (long) models.size());
    rowCounts.put(scoring.predictionsTable(), models.size() * scoring.items());
    return new StageOutcome(rowCounts, metrics, beyond.warnings());
  }

  /**
   * Every model to evaluate, image or text: the teachers in configuration order, then the students
   * of {@code train-students/runs/} by run id; fails when two share a name.
   */
  private static List<EvaluatedModel> listModels(StageContext context) {
    RunLayout layout = context.layout();
    List<EvaluatedModel> models = new ArrayList<>();
    for (TeacherSettings teacher : context.config().teachers()) {
      Path dir = TrainTeachersStage.teacherDir(context, teacher);
      models.add(EvaluatedModel.teacher(teacher.name(), dir.toString(), ModelInfo.read(layout.fs(), dir)));
    }
    for (Row run : studentRuns(context.spark(), layout)) {
      Path dir = new Path(layout.stageDir(StageName.TRAIN_STUDENTS), run.getString(4));
      models.add(
          new EvaluatedModel(
              run.getString(0), EvaluationTable.KIND_STUDENT, run.getString(1), run.getDouble(2), run.getLong(3),
              dir.toString(), ModelInfo.read(layout.fs(), dir)));
    }
    Set<String> names = new HashSet<>();
    for (EvaluatedModel model : models) {
      if (!names.add(model.name())) {
        throw new IllegalStateException(
            "two models are named '" + model.name() + "' (a teacher name and a student run id?):"
                + " evaluate/ keys its rows by model name");
      }
    }
    return models;
  }

  /** run_id, variant, budget_fraction, seed, model_dir of every student run, by run id. */
  private static List<Row> studentRuns(SparkSession spark, RunLayout layout) {
    String path = layout.table(StageName.TRAIN_STUDENTS, StudentRunTable.TABLE);
    try {
      if (!layout.fs().exists(new Path(path))) {
        throw new IllegalStateException("the student runs table " + path + " does not exist; run train-students first");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot check " + path, e);
    }
    Dataset<Row> runs = spark.read().parquet(path);
    String[] columns = {
      StudentRunTable.RUN_ID, StudentRunTable.VARIANT, StudentRunTable.BUDGET_FRACTION, StudentRunTable.SEED,
      StudentRunTable.MODEL_DIR
    };
    StructType found = runs.schema();
    for (String column : columns) {
      DataType want = StudentRunTable.SCHEMA.apply(column).dataType();
      DataType got = found.getFieldIndex(column).isDefined() ? found.apply(column).dataType() : null;
      if (got == null || !DataType.equalsIgnoreNullability(got, want)) {
        throw new IllegalStateException(
            path + ": column " + column + " must be " + want.simpleString() + " (student run table version "
                + StudentRunTable.VERSION + "), got " + (got == null ? "no such column" : got.simpleString()));
      }
    }
    return runs.select(columns[0], java.util.Arrays.copyOfRange(columns, 1, columns.length))
        .orderBy(StudentRunTable.RUN_ID)
        .collectAsList();
  }

}
