package io.sparkdistill.pipeline.students;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.pipeline.softlabels.SoftLabelTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;

/**
 * What an image student streams while it trains (version 1): one row per train example with its
 * pixels and label, and for every target source (a teacher's soft labels, or the ensemble table)
 * the example's stored views with that source's top-k logits, sorted by view. Written once per
 * train-students stage by a Spark join of {@code ingest/examples} with the soft-label tables,
 * shard-sorted, in row groups of a bounded size; every run then reads it row group by row group
 * inside its task ({@link io.sparkdistill.pipeline.stream.ShuffledStream}), so no training data
 * passes through the driver.
 *
 * <p>Columns: {@code example_id}, {@code shard}, {@code label}, {@code height}, {@code width},
 * {@code channels}, {@code pixels} (as in ingest/examples), and {@code s0 .. s<n-1>}, one per
 * source in the order given: {@code array<struct<view_id, crop_top, crop_left, crop_height,
 * crop_width, flip, topk_ids, topk_logits, logit_bits, log_sum_exp>>} (the soft-label columns).
 */
public final class StudentViewTable {
  public static final int VERSION = 1;
  static final List<String> SOFT_LABEL_COLUMNS =
      List.of(
          SoftLabelTable.VIEW_ID, SoftLabelTable.CROP_TOP, SoftLabelTable.CROP_LEFT, SoftLabelTable.CROP_HEIGHT,
          SoftLabelTable.CROP_WIDTH, SoftLabelTable.FLIP, SoftLabelTable.TOPK_IDS, SoftLabelTable.TOPK_LOGITS,
          SoftLabelTable.LOGIT_BITS, SoftLabelTable.LOG_SUM_EXP);
  static final List<String> EXAMPLE_COLUMNS =
      List.of(
          ExampleTable.EXAMPLE_ID, ExampleTable.SHARD, ExampleTable.LABEL, ExampleTable.HEIGHT, ExampleTable.WIDTH,
          ExampleTable.CHANNELS, ExampleTable.PIXELS);

  private StudentViewTable() {}

  /** The column of source {@code i}. */
  public static String sourceColumn(int i) {
    return "s" + i;
  }

  /**
   * Joins the train examples with each source's train soft labels and writes the table.
   *
   * @param examples the train split of ingest/examples
   * @param sources each source's train rows of the soft-label schema, in source order
   * @param path where the table goes (replaced)
   * @param rowGroupBytes Parquet row-group size: what one training task holds per row group read
   */
  public static void write(Dataset<Row> examples, List<Dataset<Row>> sources, String path, long rowGroupBytes) {
    List<Column> exampleColumns = new ArrayList<>();
    for (String c : EXAMPLE_COLUMNS) {
      exampleColumns.add(col(c));
    }
    Dataset<Row> joined = examples.select(exampleColumns.toArray(Column[]::new));
    Column[] fields = SOFT_LABEL_COLUMNS.stream().map(functions::col).toArray(Column[]::new);
    for (int i = 0; i < sources.size(); i++) {
      // sort_array orders the structs by their first field, the view id.
      Dataset<Row> views =
          sources.get(i)
              .groupBy(col(SoftLabelTable.EXAMPLE_ID))
              .agg(sort_array(collect_list(struct(fields))).as(sourceColumn(i)));
      joined = joined.join(views, ExampleTable.EXAMPLE_ID);
    }
    joined
        .sortWithinPartitions(ExampleTable.SHARD, ExampleTable.EXAMPLE_ID)
        .write()
        .mode(SaveMode.Overwrite)
        .option("parquet.block.size", Long.toString(rowGroupBytes))
        .parquet(path);
  }
}
