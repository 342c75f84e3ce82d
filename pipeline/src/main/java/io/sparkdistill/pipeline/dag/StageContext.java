package io.sparkdistill.pipeline.dag;

import io.sparkdistill.pipeline.config.RunConfig;
import java.util.function.Supplier;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

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

  /** A table folder of this stage's output, as Spark's readers and writers take it. */
  public String table(String name) {
    return layout.table(stage, name);
  }
}
