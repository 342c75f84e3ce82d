package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.config.MissingMass;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import io.sparkdistill.datasets.text.Masking;
import io.sparkdistill.datasets.text.Vocabulary;
import io.sparkdistill.pipeline.config.LogitPrecision;
import io.sparkdistill.pipeline.distill.SoftLabelDistribution;
import io.sparkdistill.pipeline.config.MissingMass;
import io.sparkdistill.pipeline.softlabels.SoftLabelTable;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import io.sparkdistill.pipeline.train.TestEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Soft labels of a (random) MLM teacher as rows of {@link TextSoftLabelTable}. */
class TextSoftLabelTableTest extends LocalSparkTest {
  private static final int K = 5;

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void theSchemaSharesTheImageSoftLabelColumns() {
    assertThat(TextSoftLabelTable.SCHEMA.fieldNames())
        .containsExactly(
            "teacher", "sequence_id", "split", "shard", "view_id", "position", "topk_ids",
            "topk_logits", "logit_bits", "log_sum_exp", "teacher_top1");
    for (String name :
        List.of("teacher", "split", "shard", "view_id", "topk_ids", "topk_logits", "logit_bits",
            "log_sum_exp", "teacher_top1")) {
      assertThat(TextSoftLabelTable.SCHEMA.apply(name)).isEqualTo(SoftLabelTable.SCHEMA.apply(name));
    }
  }

  @Test
  void oneRowPerMaskedPositionPerSequenceViewThatDecodesToADistribution() {
    // Six sequences, two masking views each: view v of sequence s is data row 2 * s + v.
    int n = 6;
    Masking masking = new Masking(Masking.Options.bert(11), SyntheticLanguage.VOCABULARY);
    List<Masking.Masked> views = new ArrayList<>();
    List<TextSoftLabelTable.SequenceKey> keys = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      int[] tokens = new int[SyntheticLanguage.LENGTH];
      tokens[0] = Vocabulary.CLS_ID;
      tokens[1] = Vocabulary.FIRST_LEARNED_ID + s;
      for (int p = 2; p < tokens.length - 1; p++) {
        tokens[p] = SyntheticLanguage.next(tokens[p - 1]);
      }
      tokens[tokens.length - 1] = Vocabulary.SEP_ID;
      for (int v = 0; v < 2; v++) {
        views.add(masking.mask("seq-" + s, v, tokens));
        keys.add(new TextSoftLabelTable.SequenceKey("seq-" + s, "train", s % 2, v));
      }
    }
    MlmData data = MlmData.of(views);
    int vocabulary = MlmCheckpointTest.spec().vocabularySize();

    List<Row> rows;
    try (Model teacher = MlmCheckpointTest.random("teacher")) {
      rows =
          TextSoftLabelTable.compute(
              "bert-tiny", teacher, data, keys, K, LogitPrecision.FP16, 4);
    }
    assertThat(rows).hasSize(data.rows());

    Dataset<Row> table = spark.createDataFrame(rows, TextSoftLabelTable.SCHEMA);
    assertThat(table.schema()).isEqualTo(TextSoftLabelTable.SCHEMA);
    List<Row> stored = table.collectAsList();
    assertThat(stored).hasSize(data.rows());

    Map<String, List<Integer>> positionsByView = new HashMap<>();
    for (Row row : stored) {
      assertThat(row.getString(0)).isEqualTo("bert-tiny");
      assertThat(row.getString(2)).isEqualTo("train");
      String view = row.getString(1) + "/" + row.getInt(4);
      positionsByView.computeIfAbsent(view, x -> new ArrayList<>()).add(row.getInt(5));

      MaskedSoftLabel label = TextSoftLabelTable.label(row);
      assertThat(label.topkIds()).hasSize(K);
      assertThat(label.logitBits()).isEqualTo(16);
      float[] logits = label.topkLogits();
      assertThat(LogitPrecision.FP16.round(logits)).as("stored rounded to halves").containsExactly(logits);
      assertThat(logits).hasSize(K);
      assertThat(label.teacherTop1()).isEqualTo(label.topkIds()[0]);
      for (MissingMass missing : MissingMass.values()) {
        float[] p =
            SoftLabelDistribution.probabilities(
                label.topkIds(), logits, label.logSumExp(), vocabulary, 1.0, missing);
        double sum = 0;
        for (float x : p) {
          assertThat(x).isBetween(0f, 1f);
          sum += x;
        }
        assertThat(sum).as("%s %s", view, missing).isCloseTo(1.0, within(1e-4));
      }
    }
    // Every (sequence, view) has exactly its masked positions, once each.
    assertThat(positionsByView).hasSize(2 * n);
    for (int s = 0; s < n; s++) {
      for (int v = 0; v < 2; v++) {
        assertThat(positionsByView.get("seq-" + s + "/" + v))
            .as("seq-%d view %d", s, v)
            .containsExactlyInAnyOrderElementsOf(
                java.util.Arrays.stream(data.positions(2 * s + v)).boxed().toList());
      }
    }
  }
}
