package io.sparkdistill.datasets.text.classification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.datasets.text.TextSourceResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlueTsvSourceTest extends SparkLabelledTest {
  @TempDir Path dir;

  @Test
  void readsSst2AndRejectsBadRowsWithFileAndLine() {
    write(
        dir.resolve("train.tsv"),
        "sentence\tlabel\n"
            + "a gripping , funny film \t1\n" // 2
            + "dull\t0\n" // 3
            + "no label here\n" // 4 wrong field count
            + "too\tmany\tfields\n" // 5
            + "\"quoted\" words\t1\r\n" // 6 CRLF, quotes kept
            + "great\tpositive\n" // 7 unknown label
            + "\t0\n"); // 8 empty text
    write(dir.resolve("dev.tsv"), "sentence\tlabel\nit 's fine\t1\n");

    try (GlueTsvSource source = new GlueTsvSource(dir.toString(), GlueColumns.SST_2)) {
      LabelledTextSourceResult result = source.read(spark);

      assertThat(result.examples().schema()).isEqualTo(LabelledTextTable.SCHEMA);
      assertThat(result.rejected().schema()).isEqualTo(RejectedTable.SCHEMA);
      assertThat(result.inputsBySplit())
          .containsOnly(Map.entry("train", 7L), Map.entry("test", 1L));
      Map<String, TextSourceResult.SplitCounts> counts =
          result.reconcile(result.examples(), result.rejected());
      assertThat(counts.get("train")).isEqualTo(new TextSourceResult.SplitCounts(7, 3, 4));
      assertThat(counts.get("test")).isEqualTo(new TextSourceResult.SplitCounts(1, 1, 0));

      Map<String, Row> examples = byId(result.examples());
      assertThat(examples)
          .containsOnlyKeys("train.tsv#2", "train.tsv#3", "train.tsv#6", "dev.tsv#2");
      assertThat(examples.get("train.tsv#2").getString(3)).isEqualTo("a gripping , funny film ");
      assertThat(examples.get("train.tsv#2").getInt(5)).isEqualTo(1);
      assertThat(examples.get("train.tsv#3").getInt(5)).isEqualTo(0);
      assertThat(examples.get("train.tsv#6").getString(3)).isEqualTo("\"quoted\" words");
      assertThat(examples.get("dev.tsv#2").getString(1)).isEqualTo("test");
      assertThat(examples.get("dev.tsv#2").isNullAt(4)).isTrue();

      String train = "file:" + dir.resolve("train.tsv");
      assertThat(reasonsBySource(result.rejected()))
          .containsOnly(
              Map.entry(train + "#4", "wrong-field-count"),
              Map.entry(train + "#5", "wrong-field-count"),
              Map.entry(train + "#7", "unknown-label"),
              Map.entry(train + "#8", "empty-text"));
      Map<String, String> details = detailsBySource(result.rejected());
      assertThat(details.get(train + "#5"))
          .isEqualTo("train.tsv line 5 has 3 tab-separated field(s), its header has 2");
      assertThat(details.get(train + "#7"))
          .isEqualTo("train.tsv line 7: label 'positive' is not a non-negative integer");
    }
  }

  @Test
  void readsMrpcPairsByHeaderName() {
    String header = "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n";
    write(
        dir.resolve("train.tsv"),
        header
            + "1\t702876\t702977\tAmrozi accused his brother .\tReferring to him , Amrozi accused"
            + " his brother .\n"
            + "0\t2108705\t2108831\tYucaipa owned Dominick 's .\n" // 3: a field is missing
            + "0\t1330381\t1330521\tThey had published an advertisement .\tOn June 10 , the ship"
            + " 's owners had published an advertisement .\n");
    write(dir.resolve("dev.tsv"), header + "1\t1\t2\tHe said .\tHe told .\n");

    try (GlueTsvSource source = new GlueTsvSource(dir.toString(), GlueColumns.preset("MRPC"))) {
      LabelledTextSourceResult result = source.read(spark);

      Map<String, Row> examples = byId(result.examples());
      assertThat(examples).containsOnlyKeys("train.tsv#2", "train.tsv#4", "dev.tsv#2");
      Row first = examples.get("train.tsv#2");
      assertThat(first.getString(3)).isEqualTo("Amrozi accused his brother .");
      assertThat(first.getString(4)).isEqualTo("Referring to him , Amrozi accused his brother .");
      assertThat(first.getInt(5)).isEqualTo(1);
      assertThat(examples.get("train.tsv#4").getInt(5)).isEqualTo(0);
      assertThat(reasonsBySource(result.rejected()))
          .containsOnly(Map.entry("file:" + dir.resolve("train.tsv") + "#3", "wrong-field-count"));
    }
  }

  @Test
  void mapsStringLabelsThroughTheLabelList() {
    write(
        dir.resolve("train.tsv"),
        "index\tquestion\tsentence\tlabel\n"
            + "0\tWho?\tHim.\tentailment\n"
            + "1\tWhy?\tNo.\tnot_entailment\n"
            + "2\tWhat?\tThat.\tcontradiction\n");
    write(dir.resolve("dev.tsv"), "index\tquestion\tsentence\tlabel\n");

    try (GlueTsvSource source = new GlueTsvSource(dir.toString(), GlueColumns.QNLI)) {
      LabelledTextSourceResult result = source.read(spark);

      assertThat(byId(result.examples()).get("train.tsv#2").getInt(5)).isEqualTo(0);
      assertThat(byId(result.examples()).get("train.tsv#3").getInt(5)).isEqualTo(1);
      assertThat(detailsBySource(result.rejected()).values())
          .containsExactly(
              "train.tsv line 4: label 'contradiction' is not one of [entailment, not_entailment]");
      assertThat(result.warnings()).contains("the test split is empty");
    }
  }

  @Test
  void aMissingFileOrColumnFailsBeforeReading() {
    write(dir.resolve("train.tsv"), "sentence\tlabel\nok\t1\n");
    assertThatThrownBy(() -> new GlueTsvSource(dir.toString(), GlueColumns.SST_2).read(spark))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("GLUE file not found")
        .hasMessageContaining("dev.tsv");
    write(dir.resolve("dev.tsv"), "text\tlabel\nok\t1\n");
    assertThatThrownBy(() -> new GlueTsvSource(dir.toString(), GlueColumns.SST_2).read(spark))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(
            "dev.tsv has no text column 'sentence'; its header has [text, label]");
    assertThatThrownBy(() -> GlueColumns.preset("cola"))
        .hasMessageContaining("no GLUE preset 'cola'; known: [mrpc, qnli, qqp, rte, sst-2]");
    assertThat(new GlueColumns("a", "", "l", List.of()).pairs()).isFalse();
  }
}
