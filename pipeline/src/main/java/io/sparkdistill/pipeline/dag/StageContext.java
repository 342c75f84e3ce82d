package io.sparkdistill.pipeline.dag;

import io.sparkdistill.pipeline.config.RunConfig;
import java.util.List;
import java.util.function.Supplier;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.ContentSummary;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * What a stage sees while it plans and runs: the configuration, the run's layout and manifests,
 * and the Spark session (created on first use, so that planning and dry runs start no Spark).
 */
public final class StageContext {
  private final RunConfig config;
  private final RunLayout layout;
  private final ManifestStore manifests;
  private final Supplier<SparkSession> spark;
  private final StageName stage;

  public StageContext(
      RunConfig config,
      RunLayout layout,
      ManifestStore manifests,
      Supplier<SparkSession> spark,
      StageName stage) {
    this.config = config;
    this.layout = layout;
    this.manifests = manifests;
    this.spark = spark;
    this.stage = stage;
  }

  public RunConfig config() {
    return config;
  }

  public RunLayout layout() {
    return layout;
  }

  public ManifestStore manifests() {
    return manifests;
  }

  public SparkSession spark() {
    return spark.get();
  }

  public StageName stage() {
    return stage;
  }

  /** This stage's output folder. */
  public Path stageDir() {
    return layout.stageDir(stage);
  }

  /** True when {@code path} (any Hadoop path: a raw input, a checkpoint) exists. */
  public boolean exists(String path) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(layout.fs().getConf()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
  }

  /**
   * A cheap fingerprint of an input that lives outside the run, for {@link
   * Stage#externalInputs}: size and modification time of a file; file count, total size and
   * folder count of a folder (one call on HDFS; a walk on local disks).
   */
  public String fingerprint(String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(layout.fs().getConf());
      FileStatus status = fs.getFileStatus(p);
      if (status.isFile()) {
        return "bytes=" + status.getLen() + ",mtime=" + status.getModificationTime();
      }
      ContentSummary summary = fs.getContentSummary(p);
      return "files=" + summary.getFileCount() + ",bytes=" + summary.getLength()
          + ",dirs=" + summary.getDirectoryCount();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot fingerprint " + path, e);
    }
  }

  /** A table folder of this stage's output, as Spark's readers and writers take it. */
  public String table(String name) {
    return layout.table(stage, name);
  }

  /**
   * Writes rows made on the driver (one per model, run or class: small) as this stage's table
   * {@code name}, in one file, replacing what is there.
   *
   * @return the table's path
   */
  public String writeTable(String name, List<Row> rows, StructType schema) {
    String path = table(name);
    spark().createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Overwrite).parquet(path);
    return path;
  }
}
