package io.sparkdistill.pipeline.spark;

import io.sparkdistill.pipeline.config.RunConfig;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/** Builds the session a run uses from its {@code spark} section. */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * Gets or creates the session. The configured master applies only when nobody set one already:
   * under spark-submit, {@code --master} wins.
   */
  public static SparkSession create(RunConfig config, String appName) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(appName)
            .config("spark.sql.shuffle.partitions", config.spark().shufflePartitions())
            .config("spark.sql.parquet.compression.codec", "zstd")
            .config("spark.ui.showConsoleProgress", "true")
            // Partition folders (split=, teacher=) are names: a teacher called "1" stays a string.
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false");
    // Executors never download DJL engines or models (prepended to any extraJavaOptions).
    builder.config("spark.executor.defaultJavaOptions", "-Dai.djl.offline=true");
    if (System.getProperty("spark.master") == null) {
      builder.master(config.spark().master());
    }
    for (Map.Entry<String, String> e : config.spark().conf().entrySet()) {
      builder.config(e.getKey(), e.getValue());
    }
    return builder.getOrCreate();
  }

  /**
   * The Hadoop configuration Spark would give its jobs, without starting Spark: the defaults from
   * the classpath ({@code core-site.xml}) plus every {@code spark.hadoop.*} key of the run.
   */
  public static Configuration hadoopConfiguration(RunConfig config) {
    Configuration hadoop = new Configuration();
    for (Map.Entry<String, String> e : config.spark().conf().entrySet()) {
      if (e.getKey().startsWith("spark.hadoop.")) {
        hadoop.set(e.getKey().substring("spark.hadoop.".length()), e.getValue());
      }
    }
    return hadoop;
  }
}
