package io.sparkdistill.pipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The run's spark.hadoop.* settings reach code in tasks (model loading on the executors). */
class TaskHadoopConfTest {
  private static final String ENDPOINT = "http://objects.example:9000";
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("task-hadoop-conf-test")
            .config("spark.ui.enabled", "false")
            .config("spark.hadoop.fs.s3a.endpoint", ENDPOINT)
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void tasksSeeTheApplicationsHadoopSettings() {
    MapPartitionsFunction<Long, String> endpoint =
        rows -> List.of(String.valueOf(TaskHadoopConf.get().get("fs.s3a.endpoint"))).iterator();
    MapPartitionsFunction<Long, String> bare =
        rows -> List.of(String.valueOf(new Configuration().get("fs.s3a.endpoint"))).iterator();

    assertThat(spark.range(0, 4, 1, 2).as(Encoders.LONG()).mapPartitions(endpoint, Encoders.STRING()).collectAsList())
        .containsExactly(ENDPOINT, ENDPOINT);
    assertThat(spark.range(0, 4, 1, 2).as(Encoders.LONG()).mapPartitions(bare, Encoders.STRING()).collectAsList())
        .as("what ModelCache read before: Hadoop's defaults only")
        .doesNotContain(ENDPOINT);
  }
}
