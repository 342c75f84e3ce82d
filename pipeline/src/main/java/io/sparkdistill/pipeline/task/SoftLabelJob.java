package io.sparkdistill.pipeline.task;

import io.sparkdistill.pipeline.models.ModelInfo;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * What the soft-labels stage runs every teacher over, and how a teacher labels a partition of it:
 * the image task's examples and sampled views, the text task's masked positions.
 */
public interface SoftLabelJob {
  /** The rows to label, sorted so that rows emitted in input order are sorted as the table is. */
  Dataset<Row> input();

  /** Rows a complete soft-label table of one teacher has. */
  long expectedRows();

  /** What {@link #expectedRows} counts, for the message when a table has others. */
  String expectedRowsName();

  /** Counts of what is labelled (e.g. {@code example} -> n), for throughput figures per teacher. */
  Map<String, Long> units();

  /** Row counts of the input for the manifest. */
  Map<String, Long> rowCounts();

  /** The soft-label table's schema version key and value for the manifest. */
  Map<String, Object> schemaVersions();

  /** Refuses a teacher whose outputs would not fit the data (classes, input shape, vocabulary). */
  void checkFits(ModelInfo teacher, Path teacherDir);

  /** The executor side of one teacher's pass; emits rows of {@link #schema}. */
  MapPartitionsFunction<Row, Row> partition(String teacherDir, ModelInfo teacher, int failPartition);

  /** The soft-label table's schema. */
  StructType schema();

  /** The columns no two rows of a teacher share. */
  List<Column> keys();

  /** What {@link #keys} name, for the message when two rows share them (e.g. {@code example/view pairs}). */
  String keysName();
}
