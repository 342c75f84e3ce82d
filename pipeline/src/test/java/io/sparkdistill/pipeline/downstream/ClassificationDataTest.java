package io.sparkdistill.pipeline.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.sparkdistill.datasets.text.TokenPattern;
import io.sparkdistill.datasets.text.Tokenizer;
import io.sparkdistill.datasets.text.Vocabulary;
import io.sparkdistill.datasets.text.classification.LabelledTextTable;
import io.sparkdistill.pipeline.train.TestEngine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClassificationDataTest {
  private static final Tokenizer TOKENIZER =
      new Tokenizer(
          Vocabulary.of(
              List.of("the", "cat", "sat", "dog", "ran"), TokenPattern.DEFAULT, Map.of()));

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void singleTextsAreClsTextSepPadded() {
    ClassificationData data =
        ClassificationData.of(
            List.of(LabelledTextTable.row("a", "train", "s", "The cat sat", null, 1)),
            TOKENIZER,
            8);

    assertThat(data.tokenIds(0)).containsExactly(2, 5, 6, 7, 3, 0, 0, 0);
    assertThat(data.typeIds(0)).containsOnly(0);
    assertThat(data.label(0)).isEqualTo(1);
    assertThat(data.vocabularySize()).isEqualTo(10);
  }

  @Test
  void pairsTruncateTheLongerTextFirstAndTypeTheSecondOne() {
    int[][] encoded = ClassificationData.encode(new int[] {5, 6, 7, 8, 9, 5}, new int[] {9, 8}, 8);
    assertThat(encoded[0]).containsExactly(2, 5, 6, 7, 3, 9, 8, 3);
    assertThat(encoded[1]).containsExactly(0, 0, 0, 0, 0, 1, 1, 1);

    ClassificationData data =
        ClassificationData.of(
            List.of(LabelledTextTable.row("a", "test", "s", "the dog", "unknown ran", 0)),
            TOKENIZER,
            9);
    assertThat(data.tokenIds(0)).containsExactly(2, 5, 8, 3, 1, 9, 3, 0, 0);
    assertThat(data.typeIds(0)).containsExactly(0, 0, 0, 0, 1, 1, 1, 0, 0);
    assertThatThrownBy(() -> ClassificationData.encode(new int[] {5}, new int[] {6}, 3))
        .hasMessageContaining("sequence length must be at least 4, got 3");
  }

  @Test
  void batchesHoldIdsTypesMaskAndLabels() {
    ClassificationData data =
        new ClassificationData(
            new int[][] {{2, 5, 3, 0}, {2, 6, 3, 7}},
            new int[][] {{0, 0, 0, 0}, {0, 0, 0, 1}},
            new int[] {0, 1},
            10);
    try (NDManager manager = NDManager.newBaseManager()) {
      ClassificationBatch batch = data.batch(manager, new int[] {1, 0});
      assertThat(batch.inputs().get(0).toIntArray()).containsExactly(2, 6, 3, 7, 2, 5, 3, 0);
      assertThat(batch.inputs().get(1).toIntArray()).containsExactly(0, 0, 0, 1, 0, 0, 0, 0);
      assertThat(batch.inputs().get(2).toIntArray()).containsExactly(1, 1, 1, 1, 1, 1, 1, 0);
      assertThat(batch.labels().toLongArray()).containsExactly(1, 0);
    }
    assertThatThrownBy(
            () ->
                new ClassificationData(
                    new int[][] {{2, 12}}, new int[][] {{0, 0}}, new int[] {0}, 10))
        .hasMessageContaining("example 0 holds token id 12, outside the vocabulary of 10");
  }
}
