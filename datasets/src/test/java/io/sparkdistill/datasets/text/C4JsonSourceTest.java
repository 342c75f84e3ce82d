package io.sparkdistill.datasets.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.ExampleIds;
import io.sparkdistill.datasets.examples.RejectedTable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class C4JsonSourceTest extends SparkTextTest {
  @TempDir Path dir;

  private static String record(String text) {
    return "{\"text\":\"" + text + "\",\"url\":\"https://example.com/a\","
        + "\"timestamp\":\"2019-04-25T12:57:54Z\"}";
  }

  /** Ten lines: two good documents and one of every kind of bad line. */
  private static byte[] mixedTrainFile() {
    return concat(
        utf8(record("The cat sat on the mat.") + "\n"), // 1 good
        utf8("{\"text\": \"unterminated\n"), // 2 invalid JSON
        utf8("{\"url\":\"https://example.com/b\",\"timestamp\":\"2019-04-25T12:57:54Z\"}\n"), // 3
        utf8(record(" \\t\\n ") + "\n"), // 4 whitespace text
        utf8("{\"text\":\"caf"), new byte[] {(byte) 0xe9}, utf8("\",\"url\":\"u\"}\n"), // 5 Latin-1
        utf8(record("na\u00efve caf\u00e9 \u2014 fine") + "\r\n"), // 6 good, CRLF
        utf8("\n"), // 7 blank line
        utf8("{\"text\":null,\"url\":\"u\"}\n"), // 8 null text
        utf8("42\n"), // 9 a bare value
        utf8("[{\"text\":\"an array\"}]")); // 10 an array, no final newline
  }

  private TextSourceResult read() {
    return new C4JsonSource(dir.toString(), 8, 4).read(spark);
  }

  @Test
  void quarantinesEveryBadLineAndTruncatedFileWithReconciledCounts() {
    write(dir.resolve("en/c4-train.00000-of-00002.json.gz"), gzip(mixedTrainFile()));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      many.append(record("document number " + i + " with some words to compress")).append('\n');
    }
    byte[] whole = gzip(utf8(many.toString()));
    write(
        dir.resolve("en/c4-train.00001-of-00002.json.gz"),
        Arrays.copyOf(whole, whole.length * 6 / 10));
    write(
        dir.resolve("en/c4-validation.00000-of-00002.json"),
        utf8(record("Validation one.") + "\r\n" + record("Validation two.") + "\r\n"));
    write(dir.resolve("en/c4-validation.00001-of-00002.json.gz"), utf8("not gzip at all\n"));
    write(dir.resolve("en/README.md"), utf8("# C4\n"));
    write(dir.resolve("en/.c4-train.00009-of-00010.json.gz.crc"), utf8("hidden"));

    try (C4JsonSource source = new C4JsonSource(dir.toString(), 8, 4)) {
      TextSourceResult result = source.read(spark);

      assertThat(result.examples().schema()).isEqualTo(TextExampleTable.SCHEMA);
      assertThat(result.rejected().schema()).isEqualTo(RejectedTable.SCHEMA);
      // 10 lines + 1 truncated file; 2 lines + 1 unreadable file.
      assertThat(result.inputsBySplit()).containsOnly(Map.entry("train", 11L), Map.entry("test", 3L));
      Map<String, TextSourceResult.SplitCounts> counts =
          result.reconcile(result.examples(), result.rejected());
      assertThat(counts.get("train")).isEqualTo(new TextSourceResult.SplitCounts(11, 2, 9));
      assertThat(counts.get("test")).isEqualTo(new TextSourceResult.SplitCounts(3, 2, 1));
      assertThat(result.warnings())
          .anySatisfy(w -> assertThat(w).contains("not C4 files").contains("en/README.md"));

      String train = "file:" + dir.resolve("en/c4-train.00000-of-00002.json.gz");
      Map<String, String> reasons = reasonsBySource(result.rejected());
      assertThat(reasons)
          .containsOnly(
              Map.entry(train + "#2", "invalid-json"),
              Map.entry(train + "#3", "missing-text"),
              Map.entry(train + "#4", "empty-text"),
              Map.entry(train + "#5", "non-utf8"),
              Map.entry(train + "#7", "invalid-json"),
              Map.entry(train + "#8", "missing-text"),
              Map.entry(train + "#9", "invalid-json"),
              Map.entry(train + "#10", "invalid-json"),
              Map.entry("file:" + dir.resolve("en/c4-train.00001-of-00002.json.gz"), "truncated-gzip"),
              Map.entry(
                  "file:" + dir.resolve("en/c4-validation.00001-of-00002.json.gz"),
                  "unreadable-file"));

      Row nonUtf8 = result.rejected().filter("reason = 'non-utf8'").first();
      assertThat(nonUtf8.getString(3)).contains("line 5").contains("byte 0xe9 at byte offset 12");
      Row truncated = result.rejected().filter("reason = 'truncated-gzip'").first();
      assertThat(truncated.getString(0)).isEqualTo("train");
      assertThat(truncated.getString(3))
          .contains("gzip stream ends early")
          .contains("whole file is rejected");

      Map<String, String> docs = textById(result.examples());
      assertThat(docs)
          .containsOnly(
              Map.entry("en/c4-train.00000-of-00002.json.gz#1", "The cat sat on the mat."),
              Map.entry("en/c4-train.00000-of-00002.json.gz#6", "na\u00efve caf\u00e9 \u2014 fine"),
              Map.entry("en/c4-validation.00000-of-00002.json#1", "Validation one."),
              Map.entry("en/c4-validation.00000-of-00002.json#2", "Validation two."));
      Row first = result.examples().filter("doc_id like '%json.gz#1'").first();
      assertThat(first.getString(1)).isEqualTo("train");
      assertThat(first.getInt(2)).isEqualTo(ExampleIds.shardOf(first.getString(0), 8));
      assertThat(first.getString(3)).isEqualTo(train + "#1");
    }
  }

  @Test
  void countsThatDoNotReconcileNameTheSplit() {
    assertThatThrownBy(
            () ->
                TextSourceResult.reconcile(
                    Map.of("train", 10L, "test", 2L),
                    Map.of("train", 7L, "test", 2L),
                    Map.of("train", 2L)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("text rows do not reconcile: split 'train': 10 inputs but 7 documents + 2 rejected");
  }

  @Test
  void splitsFollowC4FileNames() {
    assertThat(C4JsonSource.splitOf("en/c4-train.00000-of-01024.json.gz")).isEqualTo("train");
    assertThat(C4JsonSource.splitOf("c4-validation.00007-of-00008.json.gz")).isEqualTo("test");
    assertThat(C4JsonSource.splitOf("realnewslike/c4-train.00000-of-00512.json")).isEqualTo("train");
    assertThat(C4JsonSource.splitOf("c4-train.00000-of-01024.parquet")).isNull();
    assertThat(C4JsonSource.splitOf("notes.json.gz")).isNull();
  }

  @Test
  void aRootWithoutC4FilesIsADatasetError() {
    write(dir.resolve("other.json"), utf8(record("x") + "\n"));
    assertThatThrownBy(this::read)
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("no C4 file");
    assertThatThrownBy(() -> new C4JsonSource(dir.resolve("missing").toString(), 8, 4).read(spark))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("text corpus not found");
  }

  @Test
  void readsConcatenatedGzipMembersAndEmptyFiles() {
    write(
        dir.resolve("c4-train.00000-of-00001.json.gz"),
        concat(gzip(utf8(record("first member") + "\n")), gzip(utf8(record("second member")))));
    write(dir.resolve("c4-validation.00000-of-00001.json.gz"), gzip(new byte[0]));

    try (C4JsonSource source = new C4JsonSource(dir.toString(), 8, 4)) {
      TextSourceResult result = source.read(spark);
      assertThat(textById(result.examples()).values())
          .containsExactlyInAnyOrder("first member", "second member");
      assertThat(result.inputsBySplit()).containsOnly(Map.entry("train", 2L), Map.entry("test", 0L));
      assertThat(result.warnings())
          .anySatisfy(w -> assertThat(w).contains("hold no document"))
          .anySatisfy(w -> assertThat(w).contains("the test split is empty"));
    }
  }

  @Test
  void aTextThatIsNotAJsonStringIsAWrongFieldType() {
    write(
        dir.resolve("c4-train.00000-of-00001.json"),
        utf8(
            "{\"text\": 42}\n" // 1
                + "{\"text\": true, \"url\": \"u\"}\n" // 2
                + "{\"text\": {\"a\": \"b\"}}\n" // 3
                + "{\"text\": [\"one\", \"two\"]}\n" // 4
                + "{\"text\": -1.5e3}\n" // 5
                + "{\"text\": \"42\"}\n" // 6 a string that looks like a number
                + "{\"text\": \"[not an array]\", \"url\": 7}\n" // 7 a string like an array
                + "{\"text\": \"true\"}\n")); // 8

    try (C4JsonSource source = new C4JsonSource(dir.toString(), 8, 4)) {
      TextSourceResult result = source.read(spark);
      String file = "file:" + dir.resolve("c4-train.00000-of-00001.json");
      Map<String, String> reasons = new java.util.TreeMap<>();
      Map<String, String> details = new java.util.TreeMap<>();
      for (Row row : result.rejected().collectAsList()) {
        reasons.put(row.getString(1), row.getString(2));
        details.put(row.getString(1), row.getString(3));
      }
      assertThat(reasons)
          .containsOnlyKeys(file + "#1", file + "#2", file + "#3", file + "#4", file + "#5")
          .allSatisfy((source1, reason) -> assertThat(reason).isEqualTo("wrong-field-type"));
      assertThat(details.get(file + "#1")).isEqualTo("\"text\" must be a JSON string, found bigint: 42");
      assertThat(details.get(file + "#3")).startsWith("\"text\" must be a JSON string, found object<");
      assertThat(details.get(file + "#4")).startsWith("\"text\" must be a JSON string, found array<");
      assertThat(textById(result.examples()).values())
          .containsExactlyInAnyOrder("42", "[not an array]", "true");
      assertThat(result.reconcile(result.examples(), result.rejected()).get("train"))
          .isEqualTo(new TextSourceResult.SplitCounts(8, 3, 5));
    }
  }
}
