package io.sparkdistill.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.jobs.cluster.ChildJvm;
import io.sparkdistill.datasets.idx.IdxWriter;
import io.sparkdistill.jobs.cluster.SparkHome;
import io.sparkdistill.jobs.cluster.StandaloneCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the {@code ingest} stage on a real Spark standalone cluster (a master, a worker and two
 * executor JVMs on loopback, all started from the jobs module's jars as DESIGN.md describes) and in
 * local mode, and checks that both write the same tables.
 *
 * <p>The dataset is a generated IDX one: 300 train images (record 17 has label 7, outside the 3
 * classes) and 60 test images whose labels file declares 61 records, so each split has one rejected
 * row. Logs of every JVM (executors included, under {@code work/}) stay in {@code
 * jobs/target/cluster-it/}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StandaloneClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(100);
  private static final int TRAIN = 300;
  private static final int TEST = 60;
  private static final int OUT_OF_RANGE_RECORD = 17;

  /** The ingest manifest's row_counts for the dataset {@link #writeDataset} makes. */
  private static final Map<String, Long> EXPECTED_COUNTS =
      Map.ofEntries(
          Map.entry("inputs.train", (long) TRAIN),
          Map.entry("examples.train", TRAIN - 1L),
          Map.entry("rejected.train", 1L),
          Map.entry("inputs.test", TEST + 1L),
          Map.entry("examples.test", (long) TEST),
          Map.entry("rejected.test", 1L));

  @Test
  void ingestOnTwoExecutorsWritesWhatLocalModeWrites(@TempDir Path tmp) throws Exception {
    Path jobsJar = Path.of(System.getProperty("distill.jobs.jar"));
    Path logs = cleanDirectory(jobsJar.getParent().resolve("cluster-it"));
    Path conf = writeConfig(tmp, writeDataset(tmp.resolve("idx")));
    SparkHome home =
        SparkHome.create(
            tmp.resolve("spark-home"),
            Path.of(System.getProperty("distill.jars.dir")),
            jobsJar,
            Path.of(System.getProperty("distill.project.root")));
    Path clusterRoot = tmp.resolve("run-cluster");
    Path localRoot = tmp.resolve("run-local");
    Path events = Files.createDirectories(tmp.resolve("events"));
    List<String> job =
        List.of("--class", IngestJob.class.getName(), jobsJar.toString(), conf.toString());

    long t0 = System.nanoTime();
    try (StandaloneCluster cluster =
        StandaloneCluster.start(home, tmp.resolve("cluster"), logs, 2, "2g")) {
      long t1 = System.nanoTime();
      List<String> args =
          concat(
              List.of(
                  "--master", cluster.masterUrl(),
                  "--deploy-mode", "client",
                  "--conf", "spark.executor.cores=1",
                  "--conf", "spark.cores.max=2",
                  "--conf", "spark.executor.memory=1g",
                  "--conf", "spark.executor.extraJavaOptions=" + SparkHome.QUICK_START,
                  "--conf", "spark.driver.host=127.0.0.1",
                  "--conf", "spark.driver.bindAddress=127.0.0.1",
                  "--conf", "spark.eventLog.enabled=true",
                  "--conf", "spark.eventLog.compress=false",
                  "--conf", "spark.eventLog.dir=" + events.toUri()),
              job,
              List.of("--set", "run.root=\"" + clusterRoot + "\""));
      runToSuccess(home.submit("submit-cluster", logs.resolve("submit-cluster.log"), args));
      log(
          "cluster up in %.1f s, cluster run %.1f s",
          seconds(t0, t1), seconds(t1, System.nanoTime()));

      assertThat(executorDirectories(cluster.workDir()))
          .as("executor folders the worker created under %s", cluster.workDir())
          .containsExactlyInAnyOrder("0", "1");
      assertThat(executorsThatRanTasks(events))
          .as("executors with successful tasks in the event log in %s", events)
          .containsExactlyInAnyOrder("0", "1");
    }

    long t2 = System.nanoTime();
    List<String> localArgs =
        concat(
            List.of("--master", "local[2]", "--conf", "spark.driver.host=127.0.0.1"),
            job,
            List.of("--set", "run.root=\"" + localRoot + "\""));
    runToSuccess(home.submit("submit-local", logs.resolve("submit-local.log"), localArgs));
    long t3 = System.nanoTime();
    log("local run %.1f s", seconds(t2, t3));

    assertThat(manifestRowCounts(clusterRoot))
        .as("cluster manifest row_counts")
        .isEqualTo(EXPECTED_COUNTS);
    assertThat(manifestRowCounts(localRoot))
        .as("local manifest row_counts")
        .isEqualTo(EXPECTED_COUNTS);
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("StandaloneClusterIT")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .getOrCreate();
    try {
      assertSameTables(spark, clusterRoot, localRoot);
    } finally {
      spark.stop();
    }
    log(
        "comparison %.1f s, total %.1f s",
        seconds(t3, System.nanoTime()), seconds(t0, System.nanoTime()));
  }

  /**
   * The two runs wrote the same rows (pixels compared byte for byte), the tables hold what the
   * manifest says, and every input is either an example or a rejected row.
   */
  private static void assertSameTables(SparkSession spark, Path clusterRoot, Path localRoot) {
    String[] exampleColumns = ExampleTable.SCHEMA.fieldNames();
    String[] rejectedColumns = RejectedTable.SCHEMA.fieldNames();
    Dataset<Row> clusterExamples = spark.read().parquet(table(clusterRoot, "examples"));
    Dataset<Row> localExamples = spark.read().parquet(table(localRoot, "examples"));
    assertThat(clusterExamples.schema().simpleString())
        .as("examples schema")
        .isEqualTo(localExamples.schema().simpleString());
    List<List<Object>> examples = rows(clusterExamples, exampleColumns);
    List<List<Object>> rejected =
        rows(spark.read().parquet(table(clusterRoot, "rejected")), rejectedColumns);
    assertThat(examples)
        .as("examples written by the cluster run vs the local run")
        .containsExactlyElementsOf(rows(localExamples, exampleColumns));
    assertThat(rejected)
        .as("rejected rows written by the cluster run vs the local run")
        .containsExactlyElementsOf(
            rows(spark.read().parquet(table(localRoot, "rejected")), rejectedColumns));
    assertThat(rows(spark.read().parquet(table(clusterRoot, "labels")), null))
        .as("labels table of the cluster run vs the local run")
        .containsExactlyElementsOf(rows(spark.read().parquet(table(localRoot, "labels")), null));

    int exampleSplit = List.of(exampleColumns).indexOf(ExampleTable.SPLIT);
    int rejectedSplit = List.of(rejectedColumns).indexOf(RejectedTable.SPLIT);
    Map<String, Long> counted = new TreeMap<>();
    examples.forEach(r -> counted.merge("examples." + r.get(exampleSplit), 1L, Long::sum));
    rejected.forEach(r -> counted.merge("rejected." + r.get(rejectedSplit), 1L, Long::sum));
    for (String split : List.of("train", "test")) {
      long ok = counted.getOrDefault("examples." + split, 0L);
      long bad = counted.getOrDefault("rejected." + split, 0L);
      assertThat(ok)
          .as("examples rows of split %s", split)
          .isEqualTo(EXPECTED_COUNTS.get("examples." + split));
      assertThat(bad)
          .as("rejected rows of split %s", split)
          .isEqualTo(EXPECTED_COUNTS.get("rejected." + split));
      assertThat(ok + bad)
          .as("inputs.%s = examples + rejected", split)
          .isEqualTo(EXPECTED_COUNTS.get("inputs." + split));
    }
    int reason = List.of(rejectedColumns).indexOf(RejectedTable.REASON);
    int source = List.of(rejectedColumns).indexOf(RejectedTable.SOURCE);
    assertThat(rejected)
        .extracting(
            r -> r.get(rejectedSplit) + " " + r.get(reason) + " " + fileAndRecord(r.get(source)))
        .containsExactlyInAnyOrder(
            "test idx-header-mismatch t10k-images-idx3-ubyte.gz#" + TEST,
            "train label-out-of-range train-images-idx3-ubyte.gz#" + OUT_OF_RANGE_RECORD);
  }

  /** Waits for a spark-submit and asserts it exited 0, with its log tail otherwise. */
  private static void runToSuccess(ChildJvm submit) throws InterruptedException {
    try (submit) {
      int exit = submit.waitFor(SUBMIT_TIMEOUT);
      assertThat(exit).as("exit code of %s; %s", submit.name(), submit.describe()).isZero();
    }
  }

  /** The IDX dataset described in the class comment, gzip-compressed like the real ones. */
  private static Path writeDataset(Path dir) throws IOException {
    Files.createDirectories(dir);
    IdxWriter.writeImages(dir.resolve("train-images-idx3-ubyte.gz"), 8, 8, pixels(TRAIN));
    IdxWriter.writeImages(dir.resolve("t10k-images-idx3-ubyte.gz"), 8, 8, pixels(TEST));
    byte[] trainLabels = new byte[TRAIN];
    for (int i = 0; i < TRAIN; i++) {
      trainLabels[i] = (byte) (i % 3);
    }
    trainLabels[OUT_OF_RANGE_RECORD] = 7;
    byte[] testLabels = new byte[TEST + 1];
    for (int i = 0; i < testLabels.length; i++) {
      testLabels[i] = (byte) ((i + 1) % 3);
    }
    IdxWriter.writeLabels(dir.resolve("train-labels-idx1-ubyte.gz"), trainLabels);
    IdxWriter.writeLabels(dir.resolve("t10k-labels-idx1-ubyte.gz"), testLabels);
    return dir;
  }

  /** {@code count} 8x8 images with a deterministic pattern that differs per image. */
  private static byte[] pixels(int count) {
    byte[] pixels = new byte[count * 64];
    for (int i = 0; i < count; i++) {
      for (int r = 0; r < 8; r++) {
        for (int c = 0; c < 8; c++) {
          pixels[i * 64 + r * 8 + c] = (byte) (i * 31 + r * 8 + c * 7);
        }
      }
    }
    return pixels;
  }

  private static Path writeConfig(Path tmp, Path idx) throws IOException {
    String conf =
        String.join(
            "\n",
            "run { name = \"cluster-it\", root = \"" + tmp.resolve("run-unset") + "\" }",
            "spark { master = \"local[2]\", shuffle-partitions = 4, conf { \"spark.ui.enabled\" ="
                + " false } }",
            "dataset {",
            "  name = \"tiny\", format = idx, install-hint = \"\"",
            "  idx {",
            "    dir = \"" + idx + "\"",
            "    train-images = \"train-images-idx3-ubyte.gz\", train-labels ="
                + " \"train-labels-idx1-ubyte.gz\"",
            "    test-images = \"t10k-images-idx3-ubyte.gz\", test-labels ="
                + " \"t10k-labels-idx1-ubyte.gz\"",
            "    class-names = [a, b, c]",
            "  }",
            "}",
            "ingest {",
            "  image { height = 8, width = 8, channels = 1 }",
            "  shards = 4, partitions = 4, max-rejected-fraction = 1.0",
            "}",
            "");
    return Files.writeString(tmp.resolve("cluster-it.conf"), conf, StandardCharsets.UTF_8);
  }

  /** Executor ids the worker made folders for: {@code <work>/<app id>/<executor id>}. */
  private static List<String> executorDirectories(Path workDir) throws IOException {
    List<String> ids = new ArrayList<>();
    try (Stream<Path> apps = Files.list(workDir)) {
      for (Path app : apps.filter(Files::isDirectory).toList()) {
        try (Stream<Path> executors = Files.list(app)) {
          executors.filter(Files::isDirectory).forEach(e -> ids.add(e.getFileName().toString()));
        }
      }
    }
    return ids;
  }

  /**
   * Ids of the executors that finished at least one task successfully, from the driver's event log
   * (Spark 4 writes it as {@code eventlog_v2_<app>/events_<n>_<app>} JSON lines).
   */
  private static TreeSet<String> executorsThatRanTasks(Path eventLogDir) throws IOException {
    TreeSet<String> ids = new TreeSet<>();
    try (Stream<Path> files = Files.walk(eventLogDir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.contains("\"SparkListenerTaskEnd\"")) {
            continue;
          }
          JsonNode event = JSON.readTree(line);
          if ("Success".equals(event.path("Task End Reason").path("Reason").asText())) {
            ids.add(event.path("Task Info").path("Executor ID").asText());
          }
        }
      }
    }
    return ids;
  }

  private static Map<String, Long> manifestRowCounts(Path root) throws IOException {
    Path manifest = root.resolve("ingest/_MANIFEST.json");
    assertThat(manifest).as("manifest of %s", root).isRegularFile();
    Map<String, Long> counts = new TreeMap<>();
    JSON.readTree(manifest.toFile())
        .path("row_counts")
        .fields()
        .forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
    return counts;
  }

  /**
   * A table's rows as lists of values in {@code columns} order (all columns, by name, when null),
   * sorted; binary values become hex strings so that rows compare by content.
   */
  private static List<List<Object>> rows(Dataset<Row> table, String[] columns) {
    String[] names = columns != null ? columns : sortedColumns(table);
    Dataset<Row> selected = table.selectExpr(quoted(names));
    List<List<Object>> rows = new ArrayList<>();
    for (Row row : selected.collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < row.size(); i++) {
        Object v = row.get(i);
        values.add(v instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : v);
      }
      rows.add(values);
    }
    rows.sort(Comparator.comparing(Object::toString));
    return rows;
  }

  private static String[] sortedColumns(Dataset<Row> table) {
    return Stream.of(table.columns()).sorted().toArray(String[]::new);
  }

  private static String[] quoted(String[] names) {
    return Stream.of(names).map(n -> "`" + n + "`").toArray(String[]::new);
  }

  private static String table(Path root, String name) {
    return root.resolve("ingest").resolve(name).toString();
  }

  /** {@code /any/dir/file.gz#17} becomes {@code file.gz#17}. */
  private static String fileAndRecord(Object source) {
    String s = String.valueOf(source);
    return s.substring(s.lastIndexOf('/') + 1);
  }

  private static Path cleanDirectory(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    return Files.createDirectories(dir);
  }

  private static List<String> concat(List<String> a, List<String> b, List<String> c) {
    return Stream.of(a, b, c).flatMap(List::stream).toList();
  }

  private static double seconds(long from, long to) {
    return (to - from) / 1e9;
  }

  private static void log(String format, Object... args) {
    System.out.println("[StandaloneClusterIT] " + String.format(format, args));
  }
}
