package io.sparkdistill.pipeline.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.train.ImageArrays;
import java.util.List;
import io.sparkdistill.pipeline.config.ConfigError;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/** Reads back what {@link IngestStage} wrote: the examples of a split, the class names. */
public final class IngestTables {
  private IngestTables() {}

  /** The examples table, every split. */
  public static Dataset<Row> examples(SparkSession spark, RunLayout layout) {
    return spark.read().parquet(layout.table(StageName.INGEST, IngestStage.EXAMPLES));
  }

  /**
   * Writes the rejected rows as one Parquet file. {@code repartition(1)}, not {@code coalesce(1)}:
   * the rejected rows are a narrow filter of the sources' decoded (cached) rows, and a coalesce
   * would pull that whole decode into the one writing task; the shuffle boundary of a repartition
   * lets the decode run in all its partitions, caching every row for the examples write that
   * follows, and moves only the few rejected rows to the writer. (Persisting and counting first
   * would also keep the decode parallel, at the price of an extra job.)
   */
  public static void writeRejected(Dataset<Row> rejected, String path) {
    rejected.repartition(1).write().mode(SaveMode.Overwrite).parquet(path);
  }

  /** Rows per value of the {@code split} column of {@code table}. */
  public static java.util.Map<String, Long> countsBySplit(Dataset<Row> table) {
    java.util.Map<String, Long> counts = new java.util.TreeMap<>();
    for (Row row : table.groupBy(ExampleTable.SPLIT).count().collectAsList()) {
      counts.put(row.getString(0), row.getLong(1));
    }
    return counts;
  }

  /**
   * Rows per reason of a written rejected table, as manifest metrics {@code rejected.<reason>}
   * (every split together), in reason order.
   */
  public static java.util.Map<String, Object> reasonMetrics(Dataset<Row> rejected) {
    java.util.Map<String, Object> counts = new java.util.TreeMap<>();
    for (Row row : rejected.groupBy(RejectedTable.REASON).count().collectAsList()) {
      counts.put("rejected." + row.getString(0), row.getLong(1));
    }
    return counts;
  }

  /** Class names in label order. */
  public static List<String> classNames(SparkSession spark, RunLayout layout) {
    return spark.read().parquet(layout.table(StageName.INGEST, IngestStage.LABELS)).orderBy(LabelTable.LABEL)
        .collectAsList().stream()
        .map(row -> row.getString(1))
        .toList();
  }

  /**
   * One split's examples in the driver's memory, ordered by example id (so the same run always
   * sees the same order), at most {@code limit} of them when {@code limit > 0}.
   *
   * <p>Meant for datasets that fit the driver (Fashion-MNIST: 47 MB of pixels); see the README for
   * training at larger scale.
   */
  public static LoadedSplit load(SparkSession spark, RunLayout layout, String split, int limit) {
    Dataset<Row> rows =
        examples(spark, layout)
            .filter(col(ExampleTable.SPLIT).equalTo(split))
            .select(ExampleTable.EXAMPLE_ID, ExampleTable.LABEL, ExampleTable.HEIGHT, ExampleTable.WIDTH,
                ExampleTable.CHANNELS, ExampleTable.PIXELS)
            .orderBy(ExampleTable.EXAMPLE_ID);
    if (limit > 0) {
      rows = rows.limit(limit);
    }
    checkFitsOneArray(rows, split, MAX_ARRAY_BYTES);
    List<Row> collected = rows.collectAsList();
    if (collected.isEmpty()) {
      throw new IllegalStateException("no '" + split + "' examples under " + layout.table(StageName.INGEST, IngestStage.EXAMPLES));
    }
    Row first = collected.get(0);
    int h = first.getInt(2);
    int w = first.getInt(3);
    int c = first.getInt(4);
    int bytes = h * w * c;
    byte[] pixels = new byte[collected.size() * bytes];
    int[] labels = new int[collected.size()];
    String[] ids = new String[collected.size()];
    for (int i = 0; i < collected.size(); i++) {
      Row row = collected.get(i);
      ids[i] = row.getString(0);
      labels[i] = row.getInt(1);
      System.arraycopy((byte[]) row.get(5), 0, pixels, i * bytes, bytes);
    }
    return new LoadedSplit(ids, new ImageArrays(pixels, labels, h, w, c));
  }

  /** The most bytes one Java array holds (a little under 2^31). */
  static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

  /**
   * Refuses, before collecting, a split whose pixels do not fit one Java array: the int product
   * would overflow into a negative size or a silently short array.
   */
  static void checkFitsOneArray(Dataset<Row> rows, String split, long maxBytes) {
    Row sizes =
        rows.agg(
                count(lit(1)),
                max(
                    col(ExampleTable.HEIGHT).cast("long")
                        .multiply(col(ExampleTable.WIDTH))
                        .multiply(col(ExampleTable.CHANNELS))))
            .first();
    long examples = sizes.getLong(0);
    long bytesEach = sizes.isNullAt(1) ? 0 : sizes.getLong(1);
    if (examples * bytesEach > maxBytes) {
      throw new ConfigError(
          "the '" + split + "' split has " + examples + " examples of " + bytesEach + " pixel bytes ("
              + examples * bytesEach + " bytes), more than one Java array holds (" + maxBytes
              + "): training still loads a split into the driver; keep at most "
              + maxBytes / Math.max(1, bytesEach) + " with teachers.<name>.train-examples or"
              + " students.train-examples");
    }
  }

  /**
   * A split in memory.
   *
   * @param ids example ids, in the order of {@code arrays}
   * @param arrays pixels and labels
   */
  public record LoadedSplit(String[] ids, ImageArrays arrays) {}
}
