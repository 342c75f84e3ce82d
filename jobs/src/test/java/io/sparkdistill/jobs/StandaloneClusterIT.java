package io.sparkdistill.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.datasets.idx.IdxWriter;
import io.sparkdistill.jobs.cluster.ChildJvm;
import io.sparkdistill.jobs.cluster.SparkHome;
import io.sparkdistill.jobs.cluster.StandaloneCluster;
import io.sparkdistill.jobs.cluster.SubmitLine;
import io.sparkdistill.pipeline.dag.StageName;
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
 * Runs the README's standalone spark-submit lines (the block after {@code <!-- standalone-submit
 * -->}) with the application jar on a real Spark standalone cluster whose Spark home holds only
 * Spark's own jars (a master, a worker and two executor JVMs on loopback, as DESIGN.md describes),
 * through every stage of the quick image DAG, and checks that ingest writes on the cluster what it
 * writes in local mode.
 *
 * <p>The README's commands run as written except for what must differ on this machine, each
 * replaced by name (so a README option that is misspelt or missing fails the test): the master
 * URL; {@code --driver-memory}, {@code --executor-memory}, {@code --executor-cores} and {@code
 * --total-executor-cores} (sizes of one 2-core machine); the application jar's path (the README's,
 * relative to the repository, must be the jar the build made); the run file and {@code run.root}.
 * Added: the driver's loopback address and an event log per submit (to see which executors ran
 * tasks), and {@link SparkHome#QUICK_START} after the README's executor options. Drivers are
 * started the way {@code bin/spark-submit} starts them, through Spark's launcher library.
 *
 * <p>In order: the one-stage line with {@code IngestJob}; the whole-DAG line, which finds ingest up
 * to date and runs the six other stages (quick-DAG teachers, variants and views, the smallest
 * sizes: one seed, one budget); the one-stage line with each other stage class, each of which
 * finds its stage up to date; then the one-stage ingest line in local mode, for the comparison.
 *
 * <p>The dataset is a generated IDX one: 300 train images (record 17 has label 7, outside the 3
 * classes) and 60 test images whose labels file declares 61 records, so each split has one rejected
 * row. Logs of every JVM (executors included, under {@code work/}) stay in {@code
 * jobs/target/cluster-it/}.
 */
@Timeout(value = 480, unit = TimeUnit.SECONDS)
class StandaloneClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STAGE_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration DAG_TIMEOUT = Duration.ofSeconds(300);
  private static final int TRAIN = 300;
  private static final int TEST = 60;
  private static final int OUT_OF_RANGE_RECORD = 17;
  /** The README's placeholder for the run file. */
  private static final String README_CONF = "conf/my-run.conf";
  /** The job classes of the README's one-stage line, in DAG order. */
  private static final Map<Class<?>, StageName> STAGE_JOBS = SubmitLines.STAGE_JOBS;

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
  void readmeLinesRunTheQuickDagOnTwoExecutorsOfAStockSpark(@TempDir Path tmp) throws Exception {
    Path project = Path.of(System.getProperty("distill.project.root")).toAbsolutePath().normalize();
    Path appJar = Path.of(System.getProperty("distill.app.jar")).toAbsolutePath().normalize();
    Path logs = cleanDirectory(appJar.getParent().resolve("cluster-it"));
    Path conf = writeConfig(tmp, writeDataset(tmp.resolve("idx")), project);
    SparkHome home =
        SparkHome.create(
            tmp.resolve("spark-home"), Path.of(System.getProperty("distill.spark.jars.dir")), project);
    SubmitLines readme = SubmitLines.standalone(project);
    assertThat(project.resolve(readme.stage().appJar()).normalize())
        .as("the README's application jar, relative to the repository")
        .isEqualTo(appJar);
    Path clusterRoot = tmp.resolve("run-cluster");
    Path localRoot = tmp.resolve("run-local");
    Path events = Files.createDirectories(tmp.resolve("events"));

    long t0 = System.nanoTime();
    try (StandaloneCluster cluster =
        StandaloneCluster.start(home, tmp.resolve("cluster"), logs, 2, "2g")) {
      long t1 = System.nanoTime();
      SubmitLine ingest = onThisMachine(readme.stage(), cluster.masterUrl(), appJar, conf, clusterRoot);
      List<String> driver = home.driverCommand(withEventLog(ingest, events, "ingest").arguments());
      assertThat(driver)
          .as("driver command Spark's launcher built for %s", ingest)
          .contains("-Dai.djl.offline=true", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
      runToSuccess(home.start("submit-ingest", logs.resolve("submit-ingest.log"), driver), STAGE_TIMEOUT);
      assertThat(executorsThatRanTasks(events.resolve("ingest")))
          .as("executors with successful ingest tasks in the event log")
          .containsExactlyInAnyOrder("0", "1");
      assertThat(executorCommands(cluster.workDir()))
          .as("executor command lines the worker logged (Spark adds the Java 17 flags itself)")
          .hasSize(2)
          .allSatisfy(
              c ->
                  assertThat(c)
                      .contains("-Dai.djl.offline=true", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
      long t2 = System.nanoTime();
      log("cluster up in %.1f s, ingest (one-stage line) %.1f s", seconds(t0, t1), seconds(t1, t2));

      SubmitLine dag = onThisMachine(readme.whole(), cluster.masterUrl(), appJar, conf, clusterRoot);
      ChildJvm whole =
          home.submit("submit-dag", logs.resolve("submit-dag.log"), withEventLog(dag, events, "dag").arguments());
      runToSuccess(whole, DAG_TIMEOUT);
      assertThat(Files.readString(whole.log()))
          .as("log of %s", whole.log())
          .contains("[ingest] skipped: up to date");
      for (StageName stage : StageName.values()) {
        assertThat(clusterRoot.resolve(stage.id()).resolve("_MANIFEST.json"))
            .as("manifest of %s after the whole-DAG line", stage.id())
            .isRegularFile();
      }
      assertThat(executorsThatRanTasks(events.resolve("dag")))
          .as("executors with successful tasks of the whole-DAG run in the event log")
          .containsExactlyInAnyOrder("0", "1");
      assertThat(JSON.readTree(clusterRoot.resolve("report/report.json").toFile()).path("variants"))
          .extracting(v -> v.path("name").asText())
          .as("report variants")
          .containsExactlyInAnyOrder(
              "baseline", "kd-best", "kd-weakest", "ensemble-mean", "random-teacher", "kd-best-stop-half");
      long t3 = System.nanoTime();
      log("whole-DAG line (6 stages run) %.1f s", seconds(t2, t3));

      for (Map.Entry<Class<?>, StageName> job : STAGE_JOBS.entrySet()) {
        if (job.getValue() == StageName.INGEST) {
          continue;
        }
        SubmitLine one = readme.stage().withOption("--class", job.getKey().getName());
        String name = "submit-" + job.getValue().id();
        ChildJvm submit =
            home.submit(
                name,
                logs.resolve(name + ".log"),
                onThisMachine(one, cluster.masterUrl(), appJar, conf, clusterRoot).arguments());
        runToSuccess(submit, STAGE_TIMEOUT);
        assertThat(Files.readString(submit.log()))
            .as("log of %s", submit.log())
            .contains("[" + job.getValue().id() + "] skipped: up to date");
      }
      long t4 = System.nanoTime();
      log("six one-stage lines, all up to date, %.1f s", seconds(t3, t4));
    } finally {
      deleteJars(logs.resolve("work")); // the executors' copies of the application jar
    }

    long t5 = System.nanoTime();
    SubmitLine local = onThisMachine(readme.stage(), "local[2]", appJar, conf, localRoot);
    runToSuccess(home.submit("submit-local", logs.resolve("submit-local.log"), local.arguments()), STAGE_TIMEOUT);
    long t6 = System.nanoTime();
    log("local ingest %.1f s", seconds(t5, t6));

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
        seconds(t6, System.nanoTime()), seconds(t0, System.nanoTime()));
  }

  /**
   * The README's command with this machine's values (see the class comment): {@code master}, sizes
   * that fit one 2-core machine, the built jar, the test's run file and run root.
   */
  private static SubmitLine onThisMachine(
      SubmitLine readme, String master, Path appJar, Path conf, Path runRoot) {
    SubmitLine line =
        readme
            .withOption("--master", master)
            .withOption("--driver-memory", "1g")
            .withOption("--executor-memory", "1g")
            .withOption("--executor-cores", "1")
            .withOption("--total-executor-cores", "2")
            .withAppJar(appJar.toString())
            .withAppArg(README_CONF, conf.toString())
            .withSetting("run.root", "\"" + runRoot + "\"")
            .withConf("spark.driver.host", "127.0.0.1")
            .withConf("spark.driver.bindAddress", "127.0.0.1");
    String executorOptions = readme.confs().get("spark.executor.extraJavaOptions");
    return line.withConf("spark.executor.extraJavaOptions", executorOptions + " " + SparkHome.QUICK_START);
  }

  private static SubmitLine withEventLog(SubmitLine line, Path events, String name) throws IOException {
    Path dir = Files.createDirectories(events.resolve(name));
    return line.withConf("spark.eventLog.enabled", "true")
        .withConf("spark.eventLog.compress", "false")
        .withConf("spark.eventLog.dir", dir.toUri().toString());
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
  private static void runToSuccess(ChildJvm submit, Duration timeout) throws InterruptedException {
    try (submit) {
      int exit = submit.waitFor(timeout);
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

  /**
   * The quick image DAG ({@code conf/fashion-mnist-quick.conf}: its two teachers, six variants and
   * one view) on the generated dataset, at the smallest sizes: every train example, one epoch,
   * one seed, one budget.
   */
  private static Path writeConfig(Path tmp, Path idx, Path project) throws IOException {
    String conf =
        String.join(
            "\n",
            "include file(\"" + project.resolve("conf/fashion-mnist-quick.conf") + "\")",
            "run { name = \"cluster-it\", root = \"" + tmp.resolve("run-unset") + "\" }",
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
            "teacher-defaults { train-examples = 0, batch-size = 64 }",
            "teachers { cnn-w32 { width = 8 }, cnn-w8-weak { width = 4 } }",
            "soft-labels.batch-size = 128",
            "students {",
            "  width = 4, train-examples = 0, epochs = 1, batch-size = 64",
            "  budgets = [1.0], seeds = [1], evaluate-every = 0, checkpoint-every = 20",
            "}",
            "");
    return Files.writeString(tmp.resolve("cluster-it.conf"), conf, StandardCharsets.UTF_8);
  }

  /**
   * The command line of every executor the worker started ({@code <work>/<app>/<executor>/stderr}
   * begins with "Spark Executor Command: ...").
   */
  private static List<String> executorCommands(Path workDir) throws IOException {
    List<String> commands = new ArrayList<>();
    try (Stream<Path> files = Files.walk(workDir)) {
      for (Path stderr : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
        try (Stream<String> lines = Files.lines(stderr, StandardCharsets.UTF_8)) {
          lines.filter(l -> l.startsWith("Spark Executor Command:")).findFirst().ifPresent(commands::add);
        }
      }
    }
    return commands;
  }

  /** Deletes the jars under {@code dir} (the executors' copies of the 120 MB application jar). */
  private static void deleteJars(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
        Files.delete(jar);
      }
    }
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

  private static double seconds(long from, long to) {
    return (to - from) / 1e9;
  }

  private static void log(String format, Object... args) {
    System.out.println("[StandaloneClusterIT] " + String.format(format, args));
  }
}
