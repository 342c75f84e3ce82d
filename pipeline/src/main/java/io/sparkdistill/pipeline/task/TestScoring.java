package io.sparkdistill.pipeline.task;

import io.sparkdistill.pipeline.dag.StageOutcome;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * What the evaluate stage scores every model on, and how: the test rows, the executor side of one
 * model's pass, the per-model aggregates and the row each model gets in the models table.
 */
public interface TestScoring {
  /** The test rows every model is scored on. */
  Dataset<Row> test();

  /** Prediction rows each model must have, one per scored item. */
  long items();

  /** What one item is, for messages ({@code test examples}, {@code masked test positions}). */
  String itemsName();

  /** Row counts of the test rows for the manifest. */
  Map<String, Long> rowCounts();

  /** Refuses a model that cannot be scored on this data (classes, input shape, vocabulary). */
  void checkFits(EvaluatedModel model);

  /** The executor side of one model's pass over {@link #test}; emits {@link #predictionsSchema} rows. */
  MapPartitionsFunction<Row, Row> partition(EvaluatedModel model);

  /** The predictions table's folder name under {@code evaluate/}. */
  String predictionsTable();

  StructType predictionsSchema();

  /** The columns that identify one model's prediction row. */
  List<Column> keys();

  /** Per-model aggregates over the predictions, computed in the counting pass. */
  List<Column> aggregates();

  /** The models table's schema version key and value for the manifest. */
  Map<String, Object> schemaVersions();

  /**
   * A model's row of the models table; puts its figures (keyed {@code <figure>.<model>}) into
   * {@code metrics}.
   *
   * @param aggregates the model's values of {@link #aggregates}, in order
   * @param ece its expected calibration error
   * @param predictions the predictions table (every model)
   */
  Row modelRow(
      EvaluatedModel model, Row aggregates, int firstAggregate, double ece, Dataset<Row> predictions,
      Map<String, Object> metrics);

  /** Evaluation beyond the test split (the text task's downstream fine-tuning); empty when none. */
  StageOutcome beyondTest(List<EvaluatedModel> models) throws Exception;
}
