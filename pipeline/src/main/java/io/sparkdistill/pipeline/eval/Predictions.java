package io.sparkdistill.pipeline.eval;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import io.sparkdistill.pipeline.task.EvaluatedModel;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.StructType;

/**
 * The predictions table of the image and the text evaluation: every model scored over the test
 * rows on the executors, and the check that each model has exactly one row per scored item.
 */
final class Predictions {
  /** The index of the first score in a row {@link #checkCounts} returns. */
  static final int FIRST_AGGREGATE = 3;

  private Predictions() {}

  /**
   * Scores every model over {@code test}, one pass per model, writes all passes in one job to
   * {@code path} and reads the table back.
   *
   * @param partition the executor side of one model's pass
   * @param schema the rows {@code partition} emits
   */
  static Dataset<Row> score(
      Dataset<Row> test,
      List<EvaluatedModel> models,
      Function<EvaluatedModel, MapPartitionsFunction<Row, Row>> partition,
      StructType schema,
      String path) {
    Dataset<Row> rows = null;
    for (EvaluatedModel model : models) {
      Dataset<Row> scored = test.mapPartitions(partition.apply(model), Encoders.row(schema));
      rows = rows == null ? scored : rows.union(scored);
    }
    rows.write().mode(SaveMode.Overwrite).parquet(path);
    return test.sparkSession().read().parquet(path);
  }

  /**
   * Fails unless every model has exactly {@code expected} rows, no two with the same {@code
   * keys}, and no other model has rows.
   *
   * @param table the table, as the message names it
   * @param items what each model is expected to have a row of, as the message names it (e.g.
   *     {@code test examples})
   * @param keyName what the distinct {@code keys} count, as the message names it (e.g. {@code
   *     examples})
   * @param keys the columns that identify one model's row, at least one
   * @param scores per-model aggregates computed in the same pass
   * @return per model its row of (model, rows, distinct keys, then the {@code scores})
   */
  static Map<String, Row> checkCounts(
      Dataset<Row> predictions,
      List<EvaluatedModel> models,
      long expected,
      String table,
      String items,
      String keyName,
      List<Column> keys,
      Column... scores) {
    Column[] aggregates = new Column[scores.length + 1];
    aggregates[0] = countDistinct(keys.get(0), keys.subList(1, keys.size()).toArray(Column[]::new));
    System.arraycopy(scores, 0, aggregates, 1, scores.length);
    Map<String, Row> counts = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    Set<String> unseen = new HashSet<>();
    models.forEach(m -> unseen.add(m.name()));
    long total = 0;
    for (Row row : predictions.groupBy(EvaluationTable.MODEL).agg(count(lit(1)), aggregates).collectAsList()) {
      String model = row.getString(0);
      long rows = row.getLong(1);
      long distinct = row.getLong(2);
      total += rows;
      counts.put(model, row);
      if (!unseen.remove(model)) {
        problems.add("rows of unknown model '" + model + "'");
      } else if (rows != expected || distinct != rows) {
        problems.add("'" + model + "' has " + rows + " rows (" + distinct + " distinct " + keyName + ")");
      }
    }
    unseen.forEach(m -> problems.add("'" + m + "' has no rows"));
    if (!problems.isEmpty() || total != models.size() * expected) {
      throw new IllegalStateException(
          table + " has " + total + " rows, expected " + models.size() + " models x " + expected + " " + items
              + " = " + models.size() * expected + ": " + String.join("; ", problems)
              + "; rows were lost or written twice");
    }
    return counts;
  }
}
