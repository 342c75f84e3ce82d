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
 *
 * <p>Every Spark job a stage starts is labelled for the Spark UI and the event log: the job group
 * is the stage's name (set when the stage first asks for the session), and the job description
 * names the stage and its current step ({@code soft-labels: teacher cnn-w32}, see {@link
 * #describe}). Both are Spark local properties of the stage's thread, inherited by the threads it
 * starts; {@link DagRunner} clears them when the stage ends.
 */
public final class StageContext {
  private final RunConfig config;
  private final RunLayout layout;
  private final ManifestStore manifests;
  private final Supplier<SparkSession> spark;
  private final StageName stage;
  private SparkSession labelled;

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

  /** The session, with this stage's job group set on the calling thread the first time. */
  public SparkSession spark() {
    SparkSession session = spark.get();
    if (labelled != session) {
      labelled = session;
      session.sparkContext().setJobGroup(stage.id(), stage.id(), false);
    }
    return session;
  }

  /**
   * Names what the stage's next Spark jobs do, as {@code <stage>: <what>} (the job description the
   * Spark UI shows instead of a call site), e.g. {@code describe("teacher cnn-w32")}.
   */
  public void describe(String what) {
    spark().sparkContext().setJobDescription(stage.id() + ": " + what);
  }

  /** Clears the job group and description the stage set, so later jobs are not taken for its own. */
  void finish() {
    if (labelled != null) {
      labelled.sparkContext().clearJobGroup();
      labelled = null;
    }
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
