package io.sparkdistill.datasets.idx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.ExampleIds;
import io.sparkdistill.datasets.examples.SourceResult;
import io.sparkdistill.datasets.image.ImageDecoder;
import io.sparkdistill.datasets.image.ImageShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxSourceTest {
  private static final List<String> CLASSES = List.of("zero", "one", "two");
  private static final ImageShape NATIVE = new ImageShape(4, 3, 1, ImageShape.ResizeMode.STRETCH);
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("IdxSourceTest")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  /** {@code count} 4x3 images whose every pixel equals the record index (mod 256). */
  private static byte[] images(int count) {
    byte[] pixels = new byte[count * 12];
    for (int i = 0; i < count; i++) {
      Arrays.fill(pixels, i * 12, (i + 1) * 12, (byte) i);
    }
    return pixels;
  }

  private static byte[] labels(int count) {
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) (i % 3);
    }
    return labels;
  }

  private SourceResult read(IdxSplit split, ImageShape shape) {
    return new IdxSource(List.of(split), new ImageDecoder(shape), CLASSES, 4, 2).read(spark);
  }

  private Map<String, Long> rejectedByReason(SourceResult result) {
    return result.rejected().collectAsList().stream()
        .collect(Collectors.groupingBy(r -> r.getString(2), Collectors.counting()));
  }

  @Test
  void readsEveryRecordWithStableIdsShardsAndPixels() throws IOException {
    IdxWriter.writeImages(dir.resolve("img.gz"), 4, 3, images(20));
    IdxWriter.writeLabels(dir.resolve("lbl"), labels(20));

    SourceResult result =
        read(new IdxSplit("train", dir.resolve("img.gz").toString(), dir.resolve("lbl").toString()), NATIVE);

    List<Row> rows = result.examples().orderBy("example_id").collectAsList();
    assertThat(rows).hasSize(20);
    assertThat(result.rejected().count()).isZero();
    assertThat(result.inputsBySplit()).containsExactly(Map.entry("train", 20L));
    Row seventh = result.examples().filter("example_id = 'img.gz#7'").first();
    assertThat(seventh.<Integer>getAs("label")).isEqualTo(1);
    assertThat(seventh.<String>getAs("label_name")).isEqualTo("one");
    assertThat(seventh.<Integer>getAs("shard")).isEqualTo(ExampleIds.shardOf("img.gz#7", 4));
    assertThat((byte[]) seventh.getAs("pixels")).hasSize(12).containsOnly((byte) 7);
    assertThat(seventh.<String>getAs("split")).isEqualTo("train");
  }

  @Test
  void quarantinesTruncatedMismatchedAndOutOfRangeRecords() throws IOException {
    // Header declares 10 images but the body holds 6.5 of them: records 6..9 are truncated.
    byte[] body = Arrays.copyOf(images(10), 6 * 12 + 5);
    IdxWriter.write(dir.resolve("img.gz"), new int[] {10, 4, 3}, body);
    // 12 labels for 10 images: records 10 and 11 have no image. Label 9 is out of range.
    byte[] lbl = labels(12);
    lbl[2] = 9;
    IdxWriter.writeLabels(dir.resolve("lbl.gz"), lbl);

    SourceResult result =
        read(new IdxSplit("test", dir.resolve("img.gz").toString(), dir.resolve("lbl.gz").toString()), NATIVE);

    assertThat(result.inputsBySplit()).containsEntry("test", 12L);
    assertThat(result.examples().count()).isEqualTo(5);
    assertThat(rejectedByReason(result))
        .containsOnly(
            Map.entry("idx-truncated", 4L),
            Map.entry("idx-header-mismatch", 2L),
            Map.entry("label-out-of-range", 1L));
    Row mismatch = result.rejected().filter("reason = 'idx-header-mismatch'").orderBy("source").first();
    assertThat(mismatch.getString(1)).endsWith("img.gz#10");
    assertThat(mismatch.getString(3)).contains("labels file declares 12 records but images file 10");
    assertThat(result.examples().count() + result.rejected().count()).isEqualTo(12);
  }

  @Test
  void resizesToTheConfiguredShape() throws IOException {
    IdxWriter.writeImages(dir.resolve("img"), 4, 3, images(3));
    IdxWriter.writeLabels(dir.resolve("lbl"), labels(3));
    ImageShape rgb8 = new ImageShape(8, 8, 3, ImageShape.ResizeMode.STRETCH);

    Row row =
        read(new IdxSplit("train", dir.resolve("img").toString(), dir.resolve("lbl").toString()), rgb8)
            .examples()
            .filter("example_id = 'img#2'")
            .first();

    assertThat(row.<Integer>getAs("height")).isEqualTo(8);
    assertThat(row.<Integer>getAs("channels")).isEqualTo(3);
    assertThat((byte[]) row.getAs("pixels")).hasSize(8 * 8 * 3).containsOnly((byte) 2);
  }

  @Test
  void rejectsAFileThatIsNotIdxAsAWhole() throws IOException {
    Files.writeString(dir.resolve("img"), "<html>not found</html>");
    IdxWriter.writeLabels(dir.resolve("lbl"), labels(3));

    assertThatThrownBy(
            () -> read(new IdxSplit("train", dir.resolve("img").toString(), dir.resolve("lbl").toString()), NATIVE))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("img: not an unsigned-byte IDX file (magic number 0x3c68746d");
  }

  @Test
  void namesAMissingFile() {
    assertThatThrownBy(
            () -> read(new IdxSplit("train", dir.resolve("nope.gz").toString(), dir.resolve("lbl").toString()), NATIVE))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("IDX file not found: ")
        .hasMessageContaining("nope.gz");
  }
}
