package io.sparkdistill.datasets.text.classification;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One local SparkSession per test class, and fixture helpers. */
abstract class SparkLabelledTest {
  static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("labelled-text-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "3")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  static Path write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path file, String text) {
    return write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Rejected rows as source -> reason. */
  static Map<String, String> reasonsBySource(Dataset<Row> rejected) {
    return rejected.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(1), r -> r.getString(2)));
  }

  /** Rejected rows as source -> detail. */
  static Map<String, String> detailsBySource(Dataset<Row> rejected) {
    return rejected.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(1), r -> r.getString(3)));
  }

  /** Examples as example_id -> row. */
  static Map<String, Row> byId(Dataset<Row> examples) {
    return examples.collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
  }
}
