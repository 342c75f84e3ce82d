package io.sparkdistill.datasets.text.classification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.datasets.text.TextSourceResult;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpamAssassinSourceTest extends SparkLabelledTest {
  @TempDir Path dir;

  private static String json(String group, String text) {
    String escaped = text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    return "{\"id\":\"00001\",\"group\":\""
        + group
        + "\",\"checksum\":{\"type\":\"MD5\",\"value\":\"00\"},\"text\":\""
        + escaped
        + "\"}";
  }

  private static final String SPAM =
      "From someone  Thu Aug 22 13:17:22 2002\nReturn-Path: <a@b.c>\nSubject: Life Insurance -\n"
          + " Why Pay More?\nContent-Type: text/html\n\n<HTML><BODY><style>p {x: y}</style>"
          + "<p>Save&nbsp;money &amp; time</p>\n<!-- hidden -->\nCall now</BODY></HTML>\n";
  private static final String HAM =
      "From: friend@example.com\nSubject: Re: lunch\nX-Mailer: mutt\n\nSee you at noon.\n"
          + "--\nBen\n";

  /** A tree with two good messages, one of each bad kind, and files that are not messages. */
  private void writeTree() {
    write(dir.resolve("spam-1/00001.aaaa.json"), json("spam-1", SPAM));
    write(dir.resolve("spam-1/00001.aaaa.txt"), SPAM);
    write(dir.resolve("easy-ham-1/00002.bbbb.json"), json("easy-ham-1", HAM));
    write(dir.resolve("easy-ham-1/00003.cccc.json"), "{\"id\":\"00003\",\"group\":\"easy-");
    write(dir.resolve("easy-ham-1/00004.dddd.json"), json("easy-ham-1", "Subject: hi\n\n  \n"));
    write(dir.resolve("easy-ham-1/00005.eeee.json"), "{\"id\":\"00005\",\"group\":\"easy-ham-1\"}");
    write(dir.resolve("hard-ham-1/00006.ffff.json"), json("other", HAM));
    write(dir.resolve("hard-ham-1/00007.abcd.json"), new byte[] {'{', (byte) 0xe9, '}'});
    write(dir.resolve("easy-ham-1/00008.bcde.json"), json("easy-ham-1", "Subject: no body"));
    write(dir.resolve("file_list.json"), "[\"spam-1/00001.aaaa\"]");
  }

  @Test
  void readsSubjectAndBodyLabelsByGroupAndQuarantinesBadMessages() {
    writeTree();
    try (SpamAssassinSource source = new SpamAssassinSource(dir.toString(), 0.0)) {
      LabelledTextSourceResult result = source.read(spark);

      assertThat(result.examples().schema()).isEqualTo(LabelledTextTable.SCHEMA);
      assertThat(result.rejected().schema()).isEqualTo(RejectedTable.SCHEMA);
      assertThat(result.inputsBySplit())
          .containsOnly(Map.entry("train", 8L), Map.entry("test", 0L));
      assertThat(result.reconcile(result.examples(), result.rejected()).get("train"))
          .isEqualTo(new TextSourceResult.SplitCounts(8, 2, 6));
      assertThat(result.warnings())
          .anySatisfy(w -> assertThat(w).contains("not messages").contains("file_list.json"))
          .anySatisfy(w -> assertThat(w).contains("test split is empty"));

      Map<String, Row> examples = byId(result.examples());
      Row spam = examples.get("spam-1/00001.aaaa.json");
      assertThat(spam.getInt(5)).isEqualTo(1);
      assertThat(spam.getString(3))
          .isEqualTo("Life Insurance - Why Pay More?\nSave money & time Call now");
      assertThat(spam.isNullAt(4)).isTrue();
      Row ham = examples.get("easy-ham-1/00002.bbbb.json");
      assertThat(ham.getInt(5)).isEqualTo(0);
      assertThat(ham.getString(3)).isEqualTo("Re: lunch\nSee you at noon. -- Ben");
      assertThat(ham.getString(2)).startsWith("file:").endsWith("easy-ham-1/00002.bbbb.json");

      String root = "file:" + dir;
      assertThat(reasonsBySource(result.rejected()))
          .containsOnly(
              Map.entry(root + "/easy-ham-1/00003.cccc.json", "invalid-json"),
              Map.entry(root + "/easy-ham-1/00004.dddd.json", "empty-text"),
              Map.entry(root + "/easy-ham-1/00005.eeee.json", "missing-text"),
              Map.entry(root + "/hard-ham-1/00006.ffff.json", "unknown-label"),
              Map.entry(root + "/hard-ham-1/00007.abcd.json", "non-utf8"),
              Map.entry(root + "/easy-ham-1/00008.bcde.json", "empty-text"));
      assertThat(detailsBySource(result.rejected()).get(root + "/easy-ham-1/00008.bcde.json"))
          .contains("no blank line ends the headers");
    }
  }

  @Test
  void theSplitDependsOnThePathOnlyAndFollowsTheFraction() {
    for (int i = 0; i < 200; i++) {
      write(dir.resolve(String.format("spam-2/%05d.%04x.json", i, i)), json("spam-2", HAM));
    }
    try (SpamAssassinSource source = new SpamAssassinSource(dir.toString(), 0.25)) {
      LabelledTextSourceResult result = source.read(spark);
      long test = result.inputsBySplit().get("test");
      assertThat(test).isBetween(30L, 70L);
      assertThat(result.examples().filter("split = 'test'").count()).isEqualTo(test);
      for (Row row : result.examples().collectAsList()) {
        assertThat(row.getString(1)).isEqualTo(SpamAssassinSource.splitOf(row.getString(0), 2500));
      }
    }
  }

  @Test
  void aMissingRootOrAnEmptyOneIsADatasetError() {
    assertThatThrownBy(
            () -> new SpamAssassinSource(dir.resolve("nope").toString(), 0.2).read(spark))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("not found")
        .hasMessageContaining("bin/install-datasets spam-assassin");
    write(dir.resolve("readme.json"), "{}");
    assertThatThrownBy(() -> new SpamAssassinSource(dir.toString(), 0.2).read(spark))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("no SpamAssassin message");
    assertThatThrownBy(() -> new SpamAssassinSource(dir.toString(), 1.0))
        .hasMessageContaining("test fraction must be in [0, 1), got 1.0");
  }

  @Test
  void sampleIsDeterministicAndMixesIds() {
    for (int i = 0; i < 40; i++) {
      write(dir.resolve(String.format("easy-ham-1/%05d.%04x.json", i, i)), json("easy-ham-1", HAM));
      write(dir.resolve(String.format("spam-1/%05d.%04x.json", i, i)), json("spam-1", HAM));
    }
    try (SpamAssassinSource source = new SpamAssassinSource(dir.toString(), 0.0)) {
      LabelledTextSourceResult result = source.read(spark);
      var first = LabelledTextTable.sample(result.examples(), "train", 20).collectAsList();
      var again =
          LabelledTextTable.sample(result.examples().repartition(3), "train", 20).collectAsList();
      assertThat(first).hasSize(20).isEqualTo(again);
      assertThat(first.stream().mapToInt(r -> r.getInt(5)).sum()).isBetween(4, 16);
      assertThat(LabelledTextTable.sample(result.examples(), "train", 0).count()).isEqualTo(80);
    }
  }
}
