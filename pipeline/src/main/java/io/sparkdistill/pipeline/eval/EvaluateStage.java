package io.sparkdistill.pipeline.eval;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;

import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.datasets.image.ImageShape;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.students.StudentRunTable;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Final evaluation of every trained model, teachers ({@code train-teachers/<name>/}) and students
 * (the rows of {@code train-students/runs/}), on the test split.
 *
 * <p>Scoring runs on the executors: per model, the test examples go through a {@link
 * PredictionPartition} (the model loaded once per JVM, the images as stored); all models' rows are
 * written in one go to {@code evaluate/predictions/} and read back, and the stage fails unless
 * every model has exactly one row per test example. Per model it then computes, from that table:
 * top-1, per-class accuracy and the confusion matrix with MLlib's {@code MulticlassMetrics}
 * ({@link ClassMetrics}); top-5 (the mean of {@code top5_correct}, only with more than 5
 * classes); expected calibration error over {@value Calibration#BINS} bins ({@link
 * Calibration}); and writes one row per model to {@code evaluate/models/}.
 */
public final class EvaluateStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateStage.class);

  /** Images per forward pass (that of the teachers' own test evaluation). */
  static final int BATCH_SIZE = 256;

  private static final String TEST = "test";
  private static final int TOP5_MIN_CLASSES = 6;

  @Override
  public StageName name() {
    return StageName.EVALUATE;
  }

  @Override
  public List<String> configSections() {
    return List.of();
  }

  @Override
  public StageOutcome run(StageContext context) throws IOException {
    long t0 = System.nanoTime();
    SparkSession spark = context.spark();
    RunLayout layout = context.layout();
    int classes = IngestTables.classNames(spark, layout).size();
    Dataset<Row> test =
        IngestTables.examples(spark, layout).filter(col(ExampleTable.SPLIT).equalTo(TEST))
            .select(ExampleTable.EXAMPLE_ID, ExampleTable.LABEL, ExampleTable.PIXELS);
    long testCount = test.count();
    if (classes == 0 || testCount == 0) {
      throw new IllegalStateException(
          "nothing to evaluate on: " + testCount + " test examples and " + classes + " classes under "
              + layout.stageDir(StageName.INGEST));
    }
    List<EvaluatedModel> models = models(context, classes);
    LOG.info("[evaluate] {} models on {} test examples ({} classes)", models.size(), testCount, classes);

    context.describe("score " + models.size() + " models on " + testCount + " test examples");
    String predictionsPath = context.table(EvaluationTable.PREDICTIONS);
    Dataset<Row> predictions =
        Predictions.score(
            test, models, m -> new PredictionPartition(m.name(), m.dir(), m.info(), BATCH_SIZE),
            EvaluationTable.PREDICTIONS_SCHEMA, predictionsPath);
    Map<String, Row> counts =
        Predictions.checkCounts(
            predictions, models, testCount, "evaluate/predictions", "test examples", "examples",
            List.of(col(EvaluationTable.EXAMPLE_ID)), avg(col(EvaluationTable.TOP5_CORRECT).cast("double")));
    Map<String, Double> ece = Calibration.expectedCalibrationError(predictions, Calibration.BINS);

    List<Row> modelRows = new ArrayList<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("schema.evaluation", EvaluationTable.VERSION);
    for (EvaluatedModel model : models) {
      ClassMetrics m = ClassMetrics.of(predictions.filter(col(EvaluationTable.MODEL).equalTo(model.name())), classes);
      double modelEce = ece.get(model.name());
      modelRows.add(
          RowFactory.create(
              model.name(), model.kind(), model.variant(), model.budgetFraction(), model.seed(), testCount,
              m.top1(), classes >= TOP5_MIN_CLASSES ? counts.get(model.name()).getDouble(3) : null, modelEce,
              m.perClassAccuracy(), m.confusion()));
      metrics.put("top1." + model.name(), m.top1());
      metrics.put("ece." + model.name(), modelEce);
      LOG.info("[evaluate] {}: top-1 {}  ece {}", model.name(), String.format("%.4f", m.top1()), String.format("%.4f", modelEce));
    }
    context.writeTable(EvaluationTable.MODELS, modelRows, EvaluationTable.MODELS_SCHEMA);
    metrics.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
    Map<String, Long> rowCounts = new TreeMap<>();
    rowCounts.put(EvaluationTable.MODELS, (long) models.size());
    rowCounts.put(EvaluationTable.PREDICTIONS, (long) models.size() * testCount);
    return new StageOutcome(rowCounts, metrics, List.of());
  }

  /** The teachers in configuration order, then the students by run id; each checked against the data. */
  private static List<EvaluatedModel> models(StageContext context, int classes) {
    List<EvaluatedModel> models = listModels(context);
    ImageShape shape = context.config().ingest().image();
    for (EvaluatedModel model : models) {
      checkFits(model, shape, classes);
    }
    return models;
  }

  /**
   * Every model to evaluate, image or text: the teachers in configuration order, then the students
   * of {@code train-students/runs/} by run id; fails when two share a name.
   */
  static List<EvaluatedModel> listModels(StageContext context) {
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

  /** A model whose classes or input shape do not match the dataset cannot be scored on it. */
  private static void checkFits(EvaluatedModel model, ImageShape shape, int classes) {
    ModelInfo info = model.info();
    if (info.classes() != classes) {
      throw new IllegalStateException(
          model.kind() + " '" + model.name() + "' (" + model.dir() + ") has " + info.classes()
              + " classes, the dataset " + classes);
    }
    if (info.inputHeight() != shape.height() || info.inputWidth() != shape.width()
        || info.inputChannels() != shape.channels()) {
      throw new IllegalStateException(
          model.kind() + " '" + model.name() + "' (" + model.dir() + ") takes " + info.inputHeight() + "x"
              + info.inputWidth() + "x" + info.inputChannels() + " images, ingest.image is " + shape.height() + "x"
              + shape.width() + "x" + shape.channels());
    }
  }
}
