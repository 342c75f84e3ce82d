package io.sparkdistill.pipeline.softlabels;

import io.sparkdistill.pipeline.config.MissingMass;
import io.sparkdistill.pipeline.Stages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.idx.IdxWriter;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.DagRunner;
import io.sparkdistill.pipeline.dag.Manifest;
import io.sparkdistill.pipeline.dag.ManifestStore;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.train.ImageArrays;
import io.sparkdistill.pipeline.train.QuadrantImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingest -> train-teachers -> soft-labels -> ensemble on a small generated IDX dataset, through the
 * real runner and Spark, with task retries enabled ({@code local[2,2]}) for the fault test.
 */
class TeacherPipelineTest {
  private static final int TRAIN = 240;
  private static final int TEST = 60;
  private static final int VIEWS = 2;
  private static SparkSession spark;

  @TempDir static Path dir;

  @BeforeAll
  static void setUp() throws IOException {
    spark =
        SparkSession.builder()
            .master("local[2,2]") // 2 threads, a failed task is tried twice
            .appName("TeacherPipelineTest")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .getOrCreate();
    QuadrantImages.writeIdx(dir.resolve("idx"), TRAIN, TEST);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  private static RunConfig config(String root, String extra) throws IOException {
    Path conf = dir.resolve(root + ".conf");
    Files.writeString(
        conf,
        "run.root = \"" + dir.resolve(root) + "\"\n"
            + QuadrantImages.idxConfig(dir.resolve("idx"))
            + "teacher-defaults { depth = 1, epochs = 2, batch-size = 16, augment = false,"
            + "  optimizer { learning-rate = 0.01, warmup-steps = 0 } }\n"
            + "soft-labels { views = " + VIEWS + ", top-k = 2, batch-size = 50 }\n"
            + extra);
    return ConfigLoader.load(conf, List.of());
  }

  private static void run(RunConfig config, StageName... stages) throws Exception {
    new DagRunner(Stages.standard(), config, new RunLayout(config.run().root(), new Configuration()), () -> spark)
        .run(List.of(stages), false);
  }

  private static Manifest manifest(String root, StageName stage) {
    return new ManifestStore(new RunLayout(dir.resolve(root).toString(), new Configuration())).read(stage).orElseThrow();
  }

  @Test
  void teachersSoftLabelsAndEnsembleEndToEnd() throws Exception {
    RunConfig config = config("run", "teachers { good { width = 8 }, weak { width = 2, epochs = 1 } }");

    run(config, StageName.INGEST, StageName.TRAIN_TEACHERS, StageName.SOFT_LABELS, StageName.ENSEMBLE);

    assertThat((Double) manifest("run", StageName.TRAIN_TEACHERS).metrics().get("test_accuracy.good"))
        .as("a teacher that learned (chance is 1/3)")
        .isGreaterThan(0.8);
    long expected = TRAIN * (VIEWS + 1) + TEST;
    assertThat(manifest("run", StageName.SOFT_LABELS).rowCounts())
        .containsEntry("rows.good", expected)
        .containsEntry("rows.weak", expected);
    Row first =
        spark.read().parquet(dir.resolve("run/soft-labels").toString())
            .filter("teacher = 'good' and view_id = 0 and split = 'test'")
            .orderBy("example_id")
            .first();
    assertThat(first.<Integer>getAs("logit_bits")).isEqualTo(16);
    assertThat(first.<scala.collection.Seq<Integer>>getAs("topk_ids").size()).isEqualTo(2);
    assertThat(first.<Integer>getAs("crop_height")).isEqualTo(8);
    assertThat(manifest("run", StageName.ENSEMBLE).rowCounts()).containsEntry("rows", expected);
    assertThat(spark.read().parquet(dir.resolve("run/ensemble").toString()).select("teacher").distinct().first().getString(0))
        .isEqualTo("ensemble");

    // A reader that is not Spark (parquet-hadoop's example Group reader) sees the same rows.
    Map<String, String> bySpark = new HashMap<>();
    for (Row row : spark.read().parquet(dir.resolve("run/soft-labels/teacher=weak").toString()).collectAsList()) {
      bySpark.put(row.getAs("example_id") + "/" + row.getAs("view_id"), describe(
          row.<scala.collection.Seq<Integer>>getAs("topk_ids").head(),
          SoftLabelTable.logits(row, row.fieldIndex("topk_logits")), row.getAs("log_sum_exp")));
    }
    Map<String, String> byParquet = readWithPlainParquet(dir.resolve("run/soft-labels/teacher=weak"));
    assertThat(byParquet).hasSize((int) expected).isEqualTo(bySpark);

    // What a student will train on: every train view, rendered as the teachers saw it, with targets.
    RunLayout layout = new RunLayout(dir.resolve("run").toString(), new Configuration());
    io.sparkdistill.pipeline.students.StudentSet set =
        io.sparkdistill.pipeline.students.StudentSet.load(
            spark, layout, StageName.SOFT_LABELS, List.of("good", "weak"), 2.0, MissingMass.SPREAD);
    assertThat(set.size()).isEqualTo(TRAIN * (VIEWS + 1));
    int agree = 0;
    for (int i = 0; i < set.size(); i++) {
      float[] p = set.targets().get("good")[i];
      double sum = 0;
      int argmax = 0;
      for (int k = 0; k < p.length; k++) {
        sum += p[k];
        argmax = p[k] > p[argmax] ? k : argmax;
      }
      assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
      agree += set.viewIds()[i] == 0 && argmax == set.data().labels()[i] ? 1 : 0;
    }
    assertThat(agree).as("good teacher's view-0 targets agree with the labels").isGreaterThan((int) (0.8 * TRAIN));
    io.sparkdistill.pipeline.students.StudentSet ensemble =
        io.sparkdistill.pipeline.students.StudentSet.load(
            spark, layout, StageName.ENSEMBLE, List.of(SoftLabelStore.ENSEMBLE_TEACHER), 1.0,
            MissingMass.SPREAD);
    assertThat(ensemble.exampleIds()).isEqualTo(set.exampleIds());
    assertThat(ensemble.data().pixels()).isEqualTo(set.data().pixels());
  }

  @Test
  void aTaskThatDiesIsRetriedAndEveryExampleViewIsWrittenOnce() throws Exception {
    RunConfig config = config("faults", "teachers { t { width = 4 } }");
    run(config, StageName.INGEST, StageName.TRAIN_TEACHERS);

    java.util.concurrent.atomic.AtomicInteger failedAttempts = new java.util.concurrent.atomic.AtomicInteger();
    spark.sparkContext().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
        if (end.reason() instanceof org.apache.spark.ExceptionFailure failure
            && failure.description().contains("injected failure")) {
          failedAttempts.incrementAndGet();
        }
      }
    });
    spark.conf().set(SoftLabelStage.FAIL_PARTITION_CONF, "0");
    try {
      run(config, StageName.SOFT_LABELS);
    } finally {
      spark.conf().unset(SoftLabelStage.FAIL_PARTITION_CONF);
    }

    spark.sparkContext().listenerBus().waitUntilEmpty();
    assertThat(failedAttempts.get()).as("task attempts that died and were retried").isGreaterThanOrEqualTo(1);
    Manifest manifest = manifest("faults", StageName.SOFT_LABELS);
    assertThat(manifest.rowCounts()).containsEntry("rows.t", (long) TRAIN * (VIEWS + 1) + TEST);
    long distinct = spark.read().parquet(dir.resolve("faults/soft-labels/teacher=t").toString())
        .select("example_id", "view_id").distinct().count();
    assertThat(distinct).isEqualTo(TRAIN * (VIEWS + 1) + TEST);
  }

  @Test
  void aTeacherIsRegisteredFromACheckpointAndAMismatchedOneIsRefusedBeforeWork() throws Exception {
    RunConfig trained = config("source", "teachers { t { width = 4 } }");
    run(trained, StageName.INGEST, StageName.TRAIN_TEACHERS);
    String checkpoint = dir.resolve("source/train-teachers/t/model").toString();

    RunConfig registered = config("registered", "teachers { r { checkpoint = \"" + checkpoint + "\" } }");
    run(registered, StageName.INGEST, StageName.TRAIN_TEACHERS);

    ModelInfo info = ModelInfo.read(
        org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(dir.resolve("registered/train-teachers/r").toString()));
    assertThat(info.trained()).isFalse();
    assertThat(info.testAccuracy())
        .isEqualTo((Double) manifest("source", StageName.TRAIN_TEACHERS).metrics().get("test_accuracy.t"));

    RunConfig wrongShape =
        config("wrong", "teachers { r { checkpoint = \"" + checkpoint + "\" } }\ningest.image.height = 10");
    assertThatThrownBy(() -> run(wrongShape, StageName.INGEST, StageName.TRAIN_TEACHERS))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("teachers.r.checkpoint: the model takes 8x8x1 images, but ingest.image is 10x8x1");
    assertThat(dir.resolve("wrong/ingest")).doesNotExist();
  }

  @Test
  void aTorchScriptTeacherIsRegisteredAndRunOnTheExecutors() throws Exception {
    // The quadrant "oracle": mean brightness of three quadrants as logits (helper in the train tests).
    Path oracle = dir.resolve("oracle.pt");
    io.sparkdistill.pipeline.train.TorchScriptFixture.write(
        oracle, "QuadrantOracle",
        "    pooled = torch.avg_pool2d(x, [4, 4])\n"
            + "    flat = torch.flatten(pooled, 1)\n"
            + "    return torch.slice(flat, 1, 0, 3)\n");
    RunConfig config =
        config("torchscript", "teachers { oracle { checkpoint = \"" + oracle + "\", input-mean = [0.0], input-std = [1.0] } }");

    run(config, StageName.INGEST, StageName.TRAIN_TEACHERS, StageName.SOFT_LABELS);

    ModelInfo info = ModelInfo.read(
        org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(dir.resolve("torchscript/train-teachers/oracle").toString()));
    assertThat(info.kind()).isEqualTo(ModelInfo.TORCHSCRIPT);
    assertThat(info.testAccuracy()).isGreaterThan(0.95);
    assertThat(dir.resolve("torchscript/train-teachers/oracle/model.pt")).exists();
    assertThat(manifest("torchscript", StageName.SOFT_LABELS).rowCounts())
        .containsEntry("rows.oracle", (long) TRAIN * (VIEWS + 1) + TEST);

    Path fourClasses = dir.resolve("four.pt");
    io.sparkdistill.pipeline.train.TorchScriptFixture.write(
        fourClasses, "FourQuadrants",
        "    pooled = torch.avg_pool2d(x, [4, 4])\n"
            + "    return torch.flatten(pooled, 1)\n");
    RunConfig wrong = config("four", "teachers { four { checkpoint = \"" + fourClasses + "\" } }");
    assertThatThrownBy(() -> run(wrong, StageName.INGEST, StageName.TRAIN_TEACHERS))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("outputs 4 logits, but the dataset has 3 classes");
  }

  private static String describe(int firstId, float[] logits, float lse) {
    return firstId + ":" + java.util.Arrays.toString(logits) + ":" + lse;
  }

  /** A Parquet LIST of FLOAT read as plain groups: list / element, no Spark involved. */
  private static float[] plainFloats(Group list) {
    float[] values = new float[list.getFieldRepetitionCount("list")];
    for (int i = 0; i < values.length; i++) {
      values[i] = list.getGroup("list", i).getFloat("element", 0);
    }
    return values;
  }

  private static Map<String, String> readWithPlainParquet(Path folder) throws IOException {
    Map<String, String> rows = new HashMap<>();
    List<Path> files;
    try (Stream<Path> listing = Files.list(folder)) {
      files = new ArrayList<>(listing.filter(p -> p.toString().endsWith(".parquet")).toList());
    }
    for (Path file : files) {
      // topk_logits is Parquet's standard LIST of FLOAT: DuckDB, pyarrow and pandas read numbers
      try (var footer =
          org.apache.parquet.hadoop.ParquetFileReader.open(
              org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                  new org.apache.hadoop.fs.Path(file.toString()), new org.apache.hadoop.conf.Configuration()))) {
        org.apache.parquet.schema.GroupType logits =
            footer.getFileMetaData().getSchema().getType("topk_logits").asGroupType();
        assertThat(logits.getLogicalTypeAnnotation())
            .isEqualTo(org.apache.parquet.schema.LogicalTypeAnnotation.listType());
        assertThat(logits.getType("list").asGroupType().getType("element").asPrimitiveType().getPrimitiveTypeName())
            .isEqualTo(org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FLOAT);
      }
      try (ParquetReader<Group> reader =
          ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toString())).build()) {
        String previous = "";
        for (Group g = reader.read(); g != null; g = reader.read()) {
          // Files are sorted by (shard, example, view), so training readers fetch a shard cheaply.
          String key = String.format("%05d/%s/%03d", g.getInteger("shard", 0), g.getString("example_id", 0), g.getInteger("view_id", 0));
          assertThat(key).as("order within %s", file.getFileName()).isGreaterThan(previous);
          previous = key;
          int firstId = g.getGroup("topk_ids", 0).getGroup(0, 0).getInteger(0, 0);
          rows.put(
              g.getString("example_id", 0) + "/" + g.getInteger("view_id", 0),
              describe(firstId, plainFloats(g.getGroup("topk_logits", 0)), g.getFloat("log_sum_exp", 0)));
        }
      }
    }
    return rows;
  }
}
