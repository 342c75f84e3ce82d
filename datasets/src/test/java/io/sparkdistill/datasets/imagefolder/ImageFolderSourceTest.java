package io.sparkdistill.datasets.imagefolder;

import static io.sparkdistill.datasets.imagefolder.ImageNetTree.BLUE;
import static io.sparkdistill.datasets.imagefolder.ImageNetTree.EMPTY;
import static io.sparkdistill.datasets.imagefolder.ImageNetTree.GOLDFISH;
import static io.sparkdistill.datasets.imagefolder.ImageNetTree.RED;
import static io.sparkdistill.datasets.imagefolder.ImageNetTree.SHARK;
import static io.sparkdistill.datasets.imagefolder.ImageNetTree.TENCH;
import static io.sparkdistill.datasets.imagefolder.ImageNetTree.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.ExampleIds;
import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.datasets.examples.RejectReason;
import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.datasets.examples.SourceResult;
import io.sparkdistill.datasets.image.ImageShape;
import io.sparkdistill.datasets.image.ImageShape.ResizeMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {
  private static final ImageShape SHAPE = new ImageShape(16, 16, 3, ResizeMode.CENTER_CROP);
  private static final int SHARDS = 4;
  private static final int PARTITIONS = 3;
  private static final List<String> CLASSES = List.of(TENCH, GOLDFISH, SHARK);

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("ImageFolderSourceTest")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void readsTrainAndFolderPerClassVal(@TempDir Path root) {
    new ImageNetTree(root)
        .train()
        .jpeg("val/" + TENCH + "/v1.JPEG", RED, 1)
        .jpeg("val/" + TENCH + "/v2.JPEG", RED, 2)
        .jpeg("val/" + SHARK + "/v3.JPEG", BLUE, 1)
        .jpeg("val/" + UNKNOWN + "/v4.JPEG", BLUE, 0)
        .jpeg("val/stray.JPEG", BLUE, 0);

    try (ImageFolderSource source =
        new ImageFolderSource(root.toString(), SHAPE, SHARDS, PARTITIONS)) {
      SourceResult result = source.read(spark);

      assertThat(result.classNames()).containsExactlyElementsOf(CLASSES);
      assertThat(result.warnings())
          .containsExactly(
              "empty class folder train/" + EMPTY + " (no examples; class not indexed)");
      assertThat(result.inputsBySplit()).containsOnly(entry("train", 16L), entry("test", 5L));

      List<Row> examples = result.examples().collectAsList();
      List<Row> rejected = result.rejected().collectAsList();
      assertThat(countBySplit(examples)).containsOnly(entry("train", 12L), entry("test", 3L));
      assertThat(countByReason(rejected))
          .containsOnly(
              entry("train/" + RejectReason.OUTSIDE_LAYOUT.code(), 2L),
              entry("train/" + RejectReason.UNDECODABLE_IMAGE.code(), 1L),
              entry("train/" + RejectReason.TRUNCATED_IMAGE.code(), 1L),
              entry("test/" + RejectReason.UNKNOWN_CLASS.code(), 1L),
              entry("test/" + RejectReason.NO_LABEL.code(), 1L));
      assertReconciled(result, examples, rejected);
      assertWellFormed(result, examples);

      assertThat(ids(examples, "train"))
          .containsExactlyInAnyOrder(
              "train/n01440764/n01440764_0.JPEG",
              "train/n01440764/n01440764_1.JPEG",
              "train/n01440764/n01440764_2.JPEG",
              "train/n01443537/n01443537_0.JPEG",
              "train/n01443537/n01443537_1.JPEG",
              "train/n01443537/n01443537_2.JPEG",
              "train/n01443537/png_named.JPEG",
              "train/n01484850/n01484850_0.JPEG",
              "train/n01484850/n01484850_1.JPEG",
              "train/n01484850/n01484850_2.JPEG",
              "train/n01484850/gray.JPEG",
              "train/n01484850/cmyk.JPEG");
      assertThat(ids(examples, "test"))
          .containsExactlyInAnyOrder(
              "val/n01440764/v1.JPEG", "val/n01440764/v2.JPEG", "val/n01484850/v3.JPEG");

      assertColour(example(examples, "train/n01440764/n01440764_0.JPEG"), RED, 6);
      assertColour(example(examples, "train/n01443537/png_named.JPEG"), ImageNetTree.GREEN, 0);
      assertColour(example(examples, "train/n01484850/gray.JPEG"), new int[] {90, 90, 90}, 2);
      assertColour(example(examples, "train/n01484850/cmyk.JPEG"), new int[] {53, 101, 245}, 8);

      assertThat(rejection(rejected, "readme.txt").getString(3))
          .isEqualTo("expected train/<class>/<image>, found train/readme.txt");
      assertThat(rejection(rejected, "sub/deep.JPEG").getString(3))
          .isEqualTo("expected train/<class>/<image>, found train/n01440764/sub/deep.JPEG");
      assertThat(rejection(rejected, "corrupt.JPEG").getString(3))
          .startsWith("not a recognised image format (first bytes 13 ");
      assertThat(rejection(rejected, "truncated.JPEG").getString(3))
          .startsWith("JPEG data ends early");
      assertThat(rejection(rejected, "v4.JPEG").getString(3))
          .isEqualTo(
              "class n09999999 of val/n09999999/v4.JPEG (from its folder) is not among the 3 train"
                  + " classes");
      assertThat(rejection(rejected, "stray.JPEG").getString(3))
          .isEqualTo(
              "val/stray.JPEG is directly under val/ but the root has no LOC_val_solution.csv to"
                  + " label it");
      assertThat(spark.sharedState().cacheManager().isEmpty()).isFalse();
    }
    assertThat(spark.sharedState().cacheManager().isEmpty()).as("close() unpersists").isTrue();
  }

  @Test
  void readsFlatValWithLocValSolutionCsv(@TempDir Path root) {
    new ImageNetTree(root)
        .train()
        .jpeg("val/ILSVRC2012_val_00000001.JPEG", RED, 1)
        .jpeg("val/ILSVRC2012_val_00000002.JPEG", BLUE, 1)
        .jpeg("val/ILSVRC2012_val_00000003.JPEG", BLUE, 2)
        .jpeg("val/ILSVRC2012_val_00000004.JPEG", BLUE, 3)
        .jpeg("val/" + GOLDFISH + "/ILSVRC2012_val_00000005.JPEG", ImageNetTree.GREEN, 1)
        .text(
            "LOC_val_solution.csv",
            "ImageId,PredictionString\n"
                + "ILSVRC2012_val_00000001,n01440764 12 34 200 180 n01440764 1 2 3 4 \n"
                + "ILSVRC2012_val_00000002,n01484850 5 6 7 8\n"
                + "ILSVRC2012_val_00000004,n09999999 5 6 7 8\n"
                + "ILSVRC2012_val_00000005,n01440764 5 6 7 8\n"
                + "ILSVRC2012_val_00000099,n01440764 5 6 7 8\n");

    try (ImageFolderSource source =
        new ImageFolderSource("file:" + root, SHAPE, SHARDS, PARTITIONS)) {
      SourceResult result = source.read(spark);

      assertThat(result.classNames()).containsExactlyElementsOf(CLASSES);
      assertThat(result.inputsBySplit())
          .as("5 val files + 1 label row without a file")
          .containsOnly(entry("train", 16L), entry("test", 6L));
      List<Row> examples = result.examples().collectAsList();
      List<Row> rejected = result.rejected().collectAsList();
      assertThat(countBySplit(examples)).containsOnly(entry("train", 12L), entry("test", 3L));
      assertThat(countByReason(rejected))
          .containsOnly(
              entry("train/" + RejectReason.OUTSIDE_LAYOUT.code(), 2L),
              entry("train/" + RejectReason.UNDECODABLE_IMAGE.code(), 1L),
              entry("train/" + RejectReason.TRUNCATED_IMAGE.code(), 1L),
              entry("test/" + RejectReason.UNKNOWN_CLASS.code(), 1L),
              entry("test/" + RejectReason.NO_LABEL.code(), 1L),
              entry("test/" + RejectReason.VAL_LABELS_WITHOUT_FILE.code(), 1L));
      assertReconciled(result, examples, rejected);
      assertThat(rejection(rejected, "LOC_val_solution.csv#ILSVRC2012_val_00000099").getString(3))
          .isEqualTo(
              "LOC_val_solution.csv labels image id ILSVRC2012_val_00000099 (class n01440764) but"
                  + " val/ holds no file ILSVRC2012_val_00000099.* (flat or in a class folder)");
      assertThat(result.warnings())
          .contains(
              "1 label(s) in LOC_val_solution.csv name no image file under val/ (rejected as"
                  + " val-labels-without-file; first: ILSVRC2012_val_00000099)");
      assertWellFormed(result, examples);

      assertThat(example(examples, "val/ILSVRC2012_val_00000001.JPEG").getString(4))
          .isEqualTo(TENCH);
      assertThat(example(examples, "val/ILSVRC2012_val_00000002.JPEG").getString(4))
          .isEqualTo(SHARK);
      assertThat(example(examples, "val/n01443537/ILSVRC2012_val_00000005.JPEG").getString(4))
          .as("a file in a class folder is labelled by its folder, not by the CSV")
          .isEqualTo(GOLDFISH);
      assertThat(rejection(rejected, "ILSVRC2012_val_00000003.JPEG").getString(3))
          .isEqualTo(
              "val/ILSVRC2012_val_00000003.JPEG (image id ILSVRC2012_val_00000003) has no label in"
                  + " LOC_val_solution.csv");
      assertThat(rejection(rejected, "ILSVRC2012_val_00000004.JPEG").getString(3))
          .isEqualTo(
              "class n09999999 of val/ILSVRC2012_val_00000004.JPEG (from LOC_val_solution.csv) is"
                  + " not among the 3 train classes");
    }
  }

  @Test
  void everyFileThatIsNotHiddenIsAnInputIncludingThoseSparkWouldSkip(@TempDir Path root) {
    new ImageNetTree(root)
        .jpeg("train/" + TENCH + "/a.JPEG", RED, 0)
        .jpeg("train/" + TENCH + "/b.JPEG._COPYING_", RED, 0)
        .write("train/" + TENCH + "/empty.JPEG", new byte[0])
        .jpeg("train/" + TENCH + "/.hidden.JPEG", RED, 0)
        .jpeg("train/" + TENCH + "/_SUCCESS", RED, 0)
        .jpeg("train/_tmp/" + TENCH + "/c.JPEG", RED, 0)
        .jpeg("train/.cache/x.JPEG", RED, 0)
        .write("val/" + TENCH + "/zero.JPEG", new byte[0])
        .jpeg("val/" + TENCH + "/v.JPEG", RED, 1);

    try (ImageFolderSource source = new ImageFolderSource(root.toString(), SHAPE, SHARDS, 2)) {
      SourceResult result = source.read(spark);

      assertThat(result.inputsBySplit()).containsOnly(entry("train", 3L), entry("test", 2L));
      List<Row> examples = result.examples().collectAsList();
      List<Row> rejected = result.rejected().collectAsList();
      assertThat(ids(examples, "train")).containsExactly("train/n01440764/a.JPEG");
      assertThat(ids(examples, "test")).containsExactly("val/n01440764/v.JPEG");
      assertThat(countByReason(rejected))
          .containsOnly(
              entry("train/" + RejectReason.INCOMPLETE_COPY.code(), 1L),
              entry("train/" + RejectReason.EMPTY_FILE.code(), 1L),
              entry("test/" + RejectReason.EMPTY_FILE.code(), 1L));
      assertReconciled(result, examples, rejected);
      assertThat(rejection(rejected, "b.JPEG._COPYING_").getString(3))
          .startsWith("train/n01440764/b.JPEG._COPYING_: a copy in progress or interrupted");
      assertThat(rejection(rejected, "empty.JPEG").getString(3))
          .isEqualTo("train/n01440764/empty.JPEG is empty (0 bytes)");
    }
  }

  @Test
  void theListingIsSpreadRoundRobinOverThePartitions(@TempDir Path root) throws Exception {
    for (int i = 0; i < 10; i++) {
      new ImageNetTree(root).write("train/" + TENCH + "/f" + i + ".JPEG", new byte[] {1});
    }
    List<Row> rows =
        FileListing.list(
            org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration())
                .getRaw(),
            List.of(new org.apache.hadoop.fs.Path(root.toUri())));

    List<List<Row>> partitions =
        FileListing.spread(spark, rows, 3).javaRDD().glom().collect();

    assertThat(partitions).hasSize(3);
    for (int p = 0; p < 3; p++) {
      List<String> names =
          partitions.get(p).stream()
              .map(r -> r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1))
              .collect(Collectors.toList());
      List<String> expected = new java.util.ArrayList<>();
      for (int i = p; i < 10; i += 3) {
        expected.add("f" + i + ".JPEG");
      }
      assertThat(names).as("partition %d", p).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void withoutValTheTestSplitIsEmptyAndSaysSo(@TempDir Path root) {
    new ImageNetTree(root).jpeg("train/" + TENCH + "/a.JPEG", RED, 0);

    try (ImageFolderSource source = new ImageFolderSource(root.toString(), SHAPE, 1, 1)) {
      SourceResult result = source.read(spark);

      assertThat(result.inputsBySplit()).containsOnly(entry("train", 1L), entry("test", 0L));
      assertThat(result.warnings())
          .containsExactly("no val/ folder under file:" + root + ": the test split is empty");
      assertThat(result.classNames()).containsExactly(TENCH);
    }
  }

  @Test
  void aRootWithoutTrainFolderFailsWithTheExpectedLayout(@TempDir Path root) {
    ImageFolderSource source = new ImageFolderSource(root.toString(), SHAPE, 1, 1);

    assertThatThrownBy(() -> source.read(spark))
        .isInstanceOf(DatasetException.class)
        .hasMessage("no train/ folder under file:" + root + " (expected train/<class>/<image>)");
  }

  @Test
  void constructorRejectsNonPositiveCounts() {
    assertThatThrownBy(() -> new ImageFolderSource("/data", SHAPE, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shards must be positive, got 0");
    assertThatThrownBy(() -> new ImageFolderSource("/data", SHAPE, 1, -2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partitions must be positive, got -2");
  }

  private static void assertReconciled(
      SourceResult result, List<Row> examples, List<Row> rejected) {
    for (String split : List.of("train", "test")) {
      long written =
          examples.stream().filter(r -> r.getString(1).equals(split)).count()
              + rejected.stream().filter(r -> r.getString(0).equals(split)).count();
      assertThat(written)
          .as("examples + rejected of %s", split)
          .isEqualTo(result.inputsBySplit().get(split));
    }
  }

  private static void assertWellFormed(SourceResult result, List<Row> examples) {
    assertThat(result.examples().schema()).isEqualTo(ExampleTable.SCHEMA);
    assertThat(result.rejected().schema()).isEqualTo(RejectedTable.SCHEMA);
    assertThat(result.examples().rdd().getNumPartitions()).isEqualTo(PARTITIONS);
    for (Row row : examples) {
      String id = row.getString(0);
      String labelName = row.getString(4);
      assertThat(id).doesNotStartWith("/").doesNotContain("\\").doesNotContain(":");
      assertThat(row.getInt(3)).as("label of %s", id).isEqualTo(CLASSES.indexOf(labelName));
      assertThat(row.getInt(2)).isEqualTo(ExampleIds.shardOf(id, SHARDS)).isBetween(0, SHARDS - 1);
      assertThat(List.of(row.getInt(5), row.getInt(6), row.getInt(7))).containsExactly(16, 16, 3);
      assertThat((byte[]) row.get(8)).hasSize(16 * 16 * 3);
      assertThat(row.getString(9)).startsWith("file:/").endsWith("/" + id);
    }
  }

  private static Map<String, Long> countBySplit(List<Row> examples) {
    return examples.stream()
        .collect(Collectors.groupingBy(r -> r.getString(1), TreeMap::new, Collectors.counting()));
  }

  private static Map<String, Long> countByReason(List<Row> rejected) {
    return rejected.stream()
        .collect(
            Collectors.groupingBy(
                r -> r.getString(0) + "/" + r.getString(2), TreeMap::new, Collectors.counting()));
  }

  private static List<String> ids(List<Row> examples, String split) {
    return examples.stream()
        .filter(r -> r.getString(1).equals(split))
        .map(r -> r.getString(0))
        .collect(Collectors.toList());
  }

  private static Row example(List<Row> examples, String id) {
    return examples.stream()
        .filter(r -> r.getString(0).equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no example " + id));
  }

  private static Row rejection(List<Row> rejected, String sourceSuffix) {
    return rejected.stream()
        .filter(r -> r.getString(1).endsWith("/" + sourceSuffix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no rejected row for " + sourceSuffix));
  }

  private static void assertColour(Row example, int[] rgb, int tolerance) {
    byte[] pixels = (byte[]) example.get(8);
    for (int i : new int[] {0, pixels.length / 2 / 3, pixels.length / 3 - 1}) {
      for (int c = 0; c < 3; c++) {
        assertThat(pixels[3 * i + c] & 0xff)
            .as("%s pixel %d channel %d", example.getString(0), i, c)
            .isCloseTo(rgb[c], within(tolerance));
      }
    }
  }
}
