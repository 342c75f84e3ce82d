package io.sparkdistill.datasets.text.classification;

import static org.apache.spark.sql.functions.col;

import io.sparkdistill.datasets.examples.RejectReason;
import io.sparkdistill.datasets.examples.RejectedTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * The rows labelled-text readers emit: examples ({@link #OK}), rejected inputs, and, for sources
 * that count their inputs while reading, one summary row per file ({@link #UNIT} = 0) holding the
 * number of inputs it had. Both tables are projections of it.
 */
final class TaggedLabelled {
  static final String OK = "ok";

  /** 1-based input number within its file; 0 for a file's summary row. */
  static final String UNIT = "unit";

  /** Summary rows: inputs the file held. */
  static final String UNITS = "units";

  static final StructType SCHEMA =
      new StructType()
          .add(OK, DataTypes.BooleanType, false)
          .add(UNIT, DataTypes.LongType, false)
          .add(LabelledTextTable.EXAMPLE_ID, DataTypes.StringType, false)
          .add(LabelledTextTable.SPLIT, DataTypes.StringType, false)
          .add(LabelledTextTable.SOURCE, DataTypes.StringType, false)
          .add(LabelledTextTable.TEXT, DataTypes.StringType, false)
          .add(LabelledTextTable.TEXT_B, DataTypes.StringType, true)
          .add(LabelledTextTable.LABEL, DataTypes.IntegerType, false)
          .add(RejectedTable.REASON, DataTypes.StringType, false)
          .add(RejectedTable.DETAIL, DataTypes.StringType, false)
          .add(UNITS, DataTypes.LongType, false);

  private TaggedLabelled() {}

  static Row example(
      long unit, String id, String split, String source, String text, String textB, int label) {
    return RowFactory.create(true, unit, id, split, source, text, textB, label, "", "", 0L);
  }

  static Row rejected(
      long unit, String id, String split, String source, RejectReason reason, String detail) {
    return RowFactory.create(
        false, unit, id, split, source, "", null, -1, reason.code(), detail, 0L);
  }

  /** The end of a file: it held {@code units} inputs. */
  static Row fileSummary(String path, String split, long units) {
    return RowFactory.create(false, 0L, path, split, path, "", null, -1, "", "", units);
  }

  /**
   * Caches {@code tagged}, projects both tables and checks them against {@code inputs}.
   *
   * @param inputs inputs per split, or null to count them from the summary rows
   * @param cache receives the cached dataset, for the source's {@code close()}
   * @throws IllegalStateException when the rows do not reconcile (a bug, not bad data)
   */
  static LabelledTextSourceResult finish(
      Dataset<Row> tagged,
      Map<String, Long> inputs,
      List<String> warnings,
      List<Dataset<Row>> cache) {
    Dataset<Row> cached = tagged.persist(StorageLevel.MEMORY_AND_DISK());
    cache.add(cached);
    Map<String, Long> counted = new LinkedHashMap<>();
    counted.put(LabelledTextTable.TRAIN, 0L);
    counted.put(LabelledTextTable.TEST, 0L);
    if (inputs == null) {
      for (Row row :
          cached
              .filter(col(UNIT).equalTo(0L))
              .groupBy(col(LabelledTextTable.SPLIT))
              .sum(UNITS)
              .collectAsList()) {
        counted.put(row.getString(0), row.getLong(1));
      }
    } else {
      counted.putAll(inputs);
    }
    List<String> allWarnings = new ArrayList<>(warnings);
    counted.forEach(
        (split, n) -> {
          if (n == 0) {
            allWarnings.add("the " + split + " split is empty");
          }
        });
    Dataset<Row> rows = cached.filter(col(UNIT).gt(0L));
    LabelledTextSourceResult result =
        new LabelledTextSourceResult(
            rows.filter(col(OK)).select(columns(LabelledTextTable.SCHEMA)),
            rows.filter(col(OK).equalTo(false)).select(columns(RejectedTable.SCHEMA)),
            counted,
            allWarnings);
    result.reconcile(result.examples(), result.rejected());
    return result;
  }

  private static Column[] columns(StructType schema) {
    return Arrays.stream(schema.fieldNames()).map(name -> col(name)).toArray(Column[]::new);
  }
}
