package io.sparkdistill.pipeline.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import scala.Tuple2;

/**
 * The application's Hadoop configuration where code runs without a {@code SparkSession}: inside a
 * task on an executor. A bare {@code new Configuration()} there holds Hadoop's defaults only, so
 * the run's {@code spark.hadoop.*} settings (an object store's credentials and endpoint, a file
 * system implementation) would not reach the executors that load models; this adds them, as
 * Spark does for its own Hadoop configuration.
 */
public final class TaskHadoopConf {
  private static final String PREFIX = "spark.hadoop.";

  private TaskHadoopConf() {}

  /** Hadoop's defaults with this JVM's application's {@code spark.hadoop.*} settings applied. */
  public static Configuration get() {
    SparkEnv env = SparkEnv.get();
    return env == null ? new Configuration() : of(env.conf());
  }

  /** Hadoop's defaults with {@code conf}'s {@code spark.hadoop.*} settings applied. */
  static Configuration of(SparkConf conf) {
    Configuration hadoop = new Configuration();
    for (Tuple2<String, String> entry : conf.getAll()) {
      if (entry._1().startsWith(PREFIX)) {
        hadoop.set(entry._1().substring(PREFIX.length()), entry._2(), "spark.hadoop.* of the application");
      }
    }
    return hadoop;
  }
}
