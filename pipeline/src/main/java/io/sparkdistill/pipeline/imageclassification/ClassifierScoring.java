package io.sparkdistill.pipeline.imageclassification;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;

import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.datasets.image.ImageShape;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.eval.ClassMetrics;
import io.sparkdistill.pipeline.eval.EvaluationTable;
import io.sparkdistill.pipeline.eval.PredictionPartition;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.task.EvaluatedModel;
import io.sparkdistill.pipeline.task.TestScoring;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classifiers scored on the test examples, the images as stored ({@link PredictionPartition}):
 * top-1, per-class accuracy and the confusion matrix ({@link ClassMetrics}, MLlib's {@code
 * MulticlassMetrics}), top-5 (the mean of {@code top5_correct}, only with more than 5 classes).
 */
final class ClassifierScoring implements TestScoring {
  private static final Logger LOG = LoggerFactory.getLogger(ClassifierScoring.class);

  /** Images per forward pass (that of the teachers' own test evaluation). */
  static final int BATCH_SIZE = 256;

  private static final String TEST = "test";
  private static final int TOP5_MIN_CLASSES = 6;

  private final ImageShape shape;
  private final int classes;
  private final Dataset<Row> test;
  private final long testCount;

  ClassifierScoring(StageContext context) {
    RunLayout layout = context.layout();
    this.shape = context.config().ingest().image();
    this.classes = IngestTables.classNames(context.spark(), layout).size();
    this.test =
        IngestTables.examples(context.spark(), layout).filter(col(ExampleTable.SPLIT).equalTo(TEST))
            .select(ExampleTable.EXAMPLE_ID, ExampleTable.LABEL, ExampleTable.PIXELS);
    this.testCount = test.count();
    if (classes == 0 || testCount == 0) {
      throw new IllegalStateException(
          "nothing to evaluate on: " + testCount + " test examples and " + classes + " classes under "
              + layout.stageDir(StageName.INGEST));
    }
  }

  static List<String> config() {
    return List.of();
  }

  @Override
  public Dataset<Row> test() {
    return test;
  }

  @Override
  public long items() {
    return testCount;
  }

  @Override
  public String itemsName() {
    return "test examples";
  }

  @Override
  public Map<String, Long> rowCounts() {
    return Map.of();
  }

  /** A model whose classes or input shape do not match the dataset cannot be scored on it. */
  @Override
  public void checkFits(EvaluatedModel model) {
    String mismatch = model.info().imageMismatch(classes, shape);
    if (mismatch != null) {
      throw new IllegalStateException(model.kind() + " '" + model.name() + "' (" + model.dir() + ") " + mismatch);
    }
  }


  @Override
  public MapPartitionsFunction<Row, Row> partition(EvaluatedModel model) {
    return new PredictionPartition(model.name(), model.dir(), model.info(), BATCH_SIZE);
  }

  @Override
  public String predictionsTable() {
    return EvaluationTable.PREDICTIONS;
  }

  @Override
  public StructType predictionsSchema() {
    return EvaluationTable.PREDICTIONS_SCHEMA;
  }

  @Override
  public List<Column> keys() {
    return List.of(col(EvaluationTable.EXAMPLE_ID));
  }

  @Override
  public List<Column> aggregates() {
    return List.of(avg(col(EvaluationTable.TOP5_CORRECT).cast("double")));
  }

  @Override
  public Map<String, Object> schemaVersions() {
    return Map.of("schema.evaluation", EvaluationTable.VERSION);
  }

  @Override
  public Row modelRow(
      EvaluatedModel model, Row aggregates, int first, double ece, Dataset<Row> predictions,
      Map<String, Object> metrics) {
    ClassMetrics m =
        ClassMetrics.of(predictions.filter(col(EvaluationTable.MODEL).equalTo(model.name())), classes);
    metrics.put("top1." + model.name(), m.top1());
    metrics.put("ece." + model.name(), ece);
    LOG.info("[evaluate] {}: top-1 {}  ece {}", model.name(), String.format("%.4f", m.top1()), String.format("%.4f", ece));
    return RowFactory.create(
        model.name(), model.kind(), model.variant(), model.budgetFraction(), model.seed(), testCount,
        m.top1(), classes >= TOP5_MIN_CLASSES ? aggregates.getDouble(first) : null, ece,
        m.perClassAccuracy(), m.confusion());
  }

  @Override
  public StageOutcome beyondTest(List<EvaluatedModel> models) {
    return new StageOutcome(Map.of(), Map.of(), List.of());
  }
}
