package io.sparkdistill.pipeline.softlabels;

import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageName;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Where soft-label tables live and the one way they are written and read.
 *
 * <p>A teacher's table is the folder {@code <stage>/teacher=<name>/}; its files hold every
 * {@link SoftLabelTable} column but {@code teacher}, which readers get from the folder name (Spark's
 * and DuckDB's {@code hive_partitioning}). The ensemble is stored the same way under
 * {@code ensemble/teacher=ensemble/}.
 */
public final class SoftLabelStore {
  /** The teacher name of the merged table in {@code ensemble/}. */
  public static final String ENSEMBLE_TEACHER = "ensemble";

  private SoftLabelStore() {}

  /** The folder of one teacher's table in a stage's output. */
  public static String path(RunLayout layout, StageName stage, String teacher) {
    return layout.table(stage, SoftLabelTable.TEACHER + "=" + teacher);
  }

  /**
   * Writes rows in {@link SoftLabelTable#SCHEMA} order (teacher included) to one teacher's folder,
   * sorted by shard, then example and view, in row groups of about {@code rowGroupBytes}.
   */
  public static void write(Dataset<Row> rows, String path, long rowGroupBytes) {
    writeInOrder(
        rows.sortWithinPartitions(SoftLabelTable.SHARD, SoftLabelTable.EXAMPLE_ID, SoftLabelTable.VIEW_ID),
        path,
        rowGroupBytes);
  }

  /**
   * Like {@link #write} for rows that each partition already yields in (shard, example, view)
   * order: the soft-labels stage sorts its input examples instead of the (views + 1) times as many
   * output rows, which measured about 15 % of the stage's time. Any soft-label schema with a
   * {@code teacher} column is written this way: also the text path's {@code
   * mlm.TextSoftLabelTable} rows, in (shard, sequence, view, position) order.
   */
  public static void writeInOrder(Dataset<Row> rows, String path, long rowGroupBytes) {
    rows.drop(SoftLabelTable.TEACHER)
        .write()
        .mode(SaveMode.Overwrite)
        .option("parquet.block.size", Long.toString(rowGroupBytes))
        .parquet(path);
  }

  /** Every teacher's rows of a stage's output, with the {@code teacher} column. */
  public static Dataset<Row> readAll(SparkSession spark, RunLayout layout, StageName stage) {
    return spark.read().parquet(layout.stageDir(stage).toString());
  }

  /** One teacher's rows, with the {@code teacher} column. */
  public static Dataset<Row> read(SparkSession spark, RunLayout layout, StageName stage, String teacher) {
    return spark
        .read()
        .option("basePath", layout.stageDir(stage).toString())
        .parquet(path(layout, stage, teacher));
  }
}
