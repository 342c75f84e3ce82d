package io.sparkdistill.pipeline.ingest;

import io.sparkdistill.pipeline.Stages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.idx.IdxWriter;
import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.DagRunner;
import io.sparkdistill.pipeline.dag.Manifest;
import io.sparkdistill.pipeline.dag.ManifestStore;
import io.sparkdistill.pipeline.dag.PlannedStage;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

class IngestStageTest extends LocalSparkTest {
  @TempDir Path dir;

  private RunConfig config(String body, String... overrides) throws IOException {
    Path conf = dir.resolve("run.conf");
    Files.writeString(
        conf,
        "run.root = \"" + dir.resolve("run") + "\"\n"
            + "dataset { install-hint = \"make-fixture\", idx {\n"
            + "  dir = \"" + dir.resolve("idx") + "\", class-names = [a, b, c]\n"
            + "  train-images = train-img.gz, train-labels = train-lbl.gz,"
            + "  test-images = test-img.gz, test-labels = test-lbl.gz } }\n"
            + "ingest { image { height = 6, width = 6, channels = 1 }, shards = 3, partitions = 2 }\n"
            + body);
    return ConfigLoader.load(conf, List.of(overrides));
  }

  private void writeIdx(int train, int test, int badLabels) throws IOException {
    Path idx = Files.createDirectories(dir.resolve("idx"));
    for (String split : List.of("train", "test")) {
      int n = split.equals("train") ? train : test;
      byte[] pixels = new byte[n * 36];
      byte[] labels = new byte[n];
      for (int i = 0; i < n; i++) {
        pixels[i * 36] = (byte) i;
        labels[i] = (byte) (i < badLabels ? 9 : i % 3);
      }
      IdxWriter.writeImages(idx.resolve(split + "-img.gz"), 6, 6, pixels);
      IdxWriter.writeLabels(idx.resolve(split + "-lbl.gz"), labels);
    }
  }

  private List<PlannedStage> runIngest(RunConfig config) throws Exception {
    DagRunner runner =
        new DagRunner(Stages.standard(), config, new RunLayout(config.run().root(), new Configuration()), () -> spark);
    return runner.run(List.of(StageName.INGEST), false);
  }

  /** Two classes n01 (red) and n02 (blue) of {@code perClass} JPEGs in train/ and in val/. */
  private void writeTree(int perClass) throws IOException {
    for (String cls : List.of("n01", "n02")) {
      for (String split : List.of("train", "val")) {
        Path folder = Files.createDirectories(dir.resolve("tree").resolve(split).resolve(cls));
        for (int i = 0; i < perClass; i++) {
          BufferedImage image = new BufferedImage(20, 10, BufferedImage.TYPE_3BYTE_BGR);
          image.getGraphics().setColor(cls.equals("n01") ? Color.RED : Color.BLUE);
          image.getGraphics().fillRect(0, 0, 20, 10);
          ImageIO.write(image, "jpg", folder.resolve(cls + "_" + i + ".JPEG").toFile());
        }
      }
    }
  }

  /** Ingest of the image-folder tree under {@code tree/}, RGB. */
  private List<PlannedStage> runImageFolderIngest(String... overrides) throws Exception {
    List<String> all = new ArrayList<>(List.of(
        "dataset.format=image-folder",
        "dataset.image-folder.root=\"" + dir.resolve("tree") + "\"",
        "ingest.image.channels=3"));
    all.addAll(List.of(overrides));
    return runIngest(config("", all.toArray(String[]::new)));
  }

  private Manifest manifest() {
    return new ManifestStore(new RunLayout(dir.resolve("run").toString(), new Configuration()))
        .read(StageName.INGEST)
        .orElseThrow();
  }

  @Test
  void writesExamplesRejectedAndLabelsAndReconcilesTheCounts() throws Exception {
    writeIdx(40, 10, 1);

    runIngest(config("ingest.max-rejected-fraction = 0.1"));

    Dataset<Row> examples = spark.read().parquet(dir.resolve("run/ingest/examples").toString());
    assertThat(examples.filter("split = 'train'").count()).isEqualTo(39);
    assertThat(examples.filter("split = 'test'").count()).isEqualTo(9);
    assertThat(examples.select("example_id").distinct().count()).isEqualTo(48);
    assertThat(dir.resolve("run/ingest/examples/split=train")).isDirectory();
    Row rejected = spark.read().parquet(dir.resolve("run/ingest/rejected").toString()).orderBy("split").first();
    assertThat(rejected.getString(2)).isEqualTo("label-out-of-range");
    List<String> labels =
        spark.read().parquet(dir.resolve("run/ingest/labels").toString()).orderBy("label").collectAsList().stream()
            .map(r -> r.getInt(0) + "=" + r.getString(1))
            .collect(Collectors.toList());
    assertThat(labels).containsExactly("0=a", "1=b", "2=c");
    Manifest manifest = manifest();
    assertThat(manifest.rowCounts())
        .containsEntry("inputs.train", 40L)
        .containsEntry("examples.train", 39L)
        .containsEntry("rejected.train", 1L)
        .containsEntry("inputs.test", 10L)
        .containsEntry("examples.test", 9L)
        .containsEntry("rejected.test", 1L);
    assertThat(manifest.metrics()).containsEntry("schema.examples", 1).containsKey("examples_per_second");
    assertThat(manifest.inputFingerprints()).containsKey("external:" + dir.resolve("idx/train-img.gz"));
  }

  @Test
  void aSecondRunSkipsAndAChangedSourceFileRedoes() throws Exception {
    writeIdx(12, 3, 0);
    runIngest(config(""));

    assertThat(runIngest(config("")).get(0).runs()).isFalse();

    writeIdx(13, 3, 0);
    List<PlannedStage> redone = runIngest(config(""));
    assertThat(redone.get(0).reason()).contains("external:");
    assertThat(manifest().rowCounts()).containsEntry("examples.train", 13L);
  }

  @Test
  void tooManyRejectedRowsFailAsBadInputAndLeaveNoManifest() throws Exception {
    writeIdx(10, 5, 5);

    assertThatThrownBy(() -> runIngest(config("ingest.max-rejected-fraction = 0.2")))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("split 'train' rejected 5 of 10 inputs (50.00%")
        .hasMessageContaining("run/ingest/rejected");
    assertThat(dir.resolve("run/ingest/_MANIFEST.json")).doesNotExist();
    assertThat(spark.read().parquet(dir.resolve("run/ingest/rejected").toString()).count()).isEqualTo(10);
  }

  @Test
  void aMissingDatasetFailsBeforeAnySparkWorkWithTheInstallHint() throws Exception {
    RunConfig config = config("");
    DagRunner runner =
        new DagRunner(
            Stages.standard(),
            config,
            new RunLayout(config.run().root(), new Configuration()),
            () -> {
              throw new AssertionError("Spark must not start");
            });

    assertThatThrownBy(() -> runner.run(List.of(StageName.INGEST), false))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("train-img.gz does not exist; to install it: make-fixture");
  }

  @Test
  void readsAnImageFolderTreeThroughTheSameStage() throws Exception {
    writeTree(3);
    Files.write(dir.resolve("tree/train/n01/broken.JPEG"), new byte[] {1, 2, 3});
    // a leftover labels file: n01_0 is in a class folder (found), missing_7 has no file anywhere
    Files.writeString(
        dir.resolve("tree/LOC_val_solution.csv"),
        "ImageId,PredictionString\nn01_0,n01 1 2 3 4\nmissing_7,n02 1 2 3 4\n");

    runImageFolderIngest("ingest.max-rejected-fraction=0.5");

    Manifest manifest = manifest();
    assertThat(manifest.rowCounts())
        .containsEntry("inputs.train", 7L)
        .containsEntry("examples.train", 6L)
        .containsEntry("rejected.train", 1L)
        .containsEntry("inputs.test", 7L)
        .containsEntry("examples.test", 6L)
        .containsEntry("rejected.test", 1L);
    assertThat(manifest.metrics())
        .containsEntry("rejected.undecodable-image", 1)
        .containsEntry("rejected.val-labels-without-file", 1);
    assertThat(manifest.warnings()).anySatisfy(w -> assertThat(w).contains("first: missing_7"));
    Row one = spark.read().parquet(dir.resolve("run/ingest/examples").toString()).filter("label_name = 'n02'").first();
    assertThat(one.<Integer>getAs("label")).isEqualTo(1);
    assertThat((byte[]) one.getAs("pixels")).hasSize(6 * 6 * 3);
  }

  @Test
  void theDecodeRunsInEveryPartitionEvenThoughRejectedIsWrittenAsOneFile() throws Exception {
    writeTree(5);
    Files.write(dir.resolve("tree/train/n01/broken.JPEG"), new byte[] {1, 2, 3});
    int partitions = 4;
    // stages that compute or read the persisted decoded rows: the decode itself and the writes
    List<Integer> decodeStageTasks = new CopyOnWriteArrayList<>();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onStageCompleted(SparkListenerStageCompleted event) {
            StageInfo stage = event.stageInfo();
            boolean readsTheCache =
                CollectionConverters.asJava(stage.rddInfos()).stream()
                    .anyMatch(rdd -> rdd.storageLevel().isValid());
            if (readsTheCache) {
              decodeStageTasks.add(stage.numTasks());
            }
          }
        };
    spark.sparkContext().addSparkListener(listener);
    try {
      runImageFolderIngest(
          "ingest.partitions=" + partitions, "ingest.max-rejected-fraction=0.5");
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }

    assertThat(decodeStageTasks).as("stages over the decoded rows").isNotEmpty();
    assertThat(decodeStageTasks)
        .as("tasks of every stage over the decoded rows (ingest.partitions = %d)", partitions)
        .allSatisfy(tasks -> assertThat(tasks).isGreaterThanOrEqualTo(partitions));
    assertThat(manifest().rowCounts()).containsEntry("rejected.train", 1L);
    try (var files = Files.list(dir.resolve("run/ingest/rejected"))) {
      assertThat(files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count())
          .as("rejected is one file")
          .isEqualTo(1);
    }
  }

  @Test
  void ingestAlphaReachesTheImageFolderDecoder() throws Exception {
    // fully transparent pixels over colour (200, 100, 50): drop keeps it, white composites to 255
    for (String cls : List.of("n01", "n02")) {
      for (String split : List.of("train", "val")) {
        Path folder = Files.createDirectories(dir.resolve("tree").resolve(split).resolve(cls));
        BufferedImage image = new BufferedImage(6, 6, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 6; y++) {
          for (int x = 0; x < 6; x++) {
            image.setRGB(x, y, 0x00_c8_64_32);
          }
        }
        ImageIO.write(image, "png", folder.resolve(cls + ".png").toFile());
      }
    }

    runImageFolderIngest("ingest.alpha=white");

    Row one = spark.read().parquet(dir.resolve("run/ingest/examples").toString()).first();
    byte[] pixels = one.getAs("pixels");
    assertThat(pixels).hasSize(6 * 6 * 3).containsOnly((byte) 255);
  }
}
