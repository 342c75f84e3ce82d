package io.sparkdistill.pipeline.softlabels;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.util.Arrays;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One teacher's soft-label table as written and read back, for the stage's checks (rows as
 * expected, no key twice) and its throughput and size metrics.
 *
 * @param rows rows read back
 * @param distinctKeys distinct keys among them
 * @param bytes total size of the Parquet files
 * @param seconds wall time of the inference and the write
 */
record WrittenLabels(long rows, long distinctKeys, long bytes, double seconds) {

  /**
   * Runs {@code rows} and writes them to {@code path} ({@link SoftLabelStore#writeInOrder}), then
   * counts them and their distinct {@code keys} in one scan of what was written.
   *
   * @param keys the columns that identify a row, at least one
   */
  static WrittenLabels write(Dataset<Row> rows, String path, long rowGroupBytes, FileSystem fs, Column... keys)
      throws IOException {
    long t0 = System.nanoTime();
    SoftLabelStore.writeInOrder(rows, path, rowGroupBytes);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Row counts =
        rows.sparkSession().read().parquet(path)
            .agg(count(lit(1)), countDistinct(keys[0], Arrays.copyOfRange(keys, 1, keys.length)))
            .first();
    return new WrittenLabels(counts.getLong(0), counts.getLong(1), parquetBytes(fs, new Path(path)), seconds);
  }

  /** Total size of the Parquet files under {@code dir}. */
  private static long parquetBytes(FileSystem fs, Path dir) throws IOException {
    long bytes = 0;
    for (FileStatus status : fs.listStatus(dir)) {
      if (status.isFile() && status.getPath().getName().endsWith(".parquet")) {
        bytes += status.getLen();
      }
    }
    return bytes;
  }
}
