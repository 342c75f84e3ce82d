package io.sparkdistill.pipeline.downstream;

import io.sparkdistill.pipeline.config.DownstreamSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import io.sparkdistill.datasets.text.TokenPattern;
import io.sparkdistill.datasets.text.Tokenizer;
import io.sparkdistill.datasets.text.Vocabulary;
import io.sparkdistill.datasets.text.classification.LabelledTextTable;
import io.sparkdistill.pipeline.models.MlmSpec;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.train.StepMetrics;
import io.sparkdistill.pipeline.train.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning on a learnable task: a text is class 1 when it holds the word {@code good} and class
 * 0 when it holds {@code bad}, among 4-12 random filler words, at a random position. Chance is 0.5;
 * a model that does not learn (or whose gradients are wrong) stays near it.
 */
class FineTunerTest {
  private static final int LENGTH = 16;
  private static final int FILLERS = 40;
  private static final Tokenizer TOKENIZER = new Tokenizer(vocabulary());
  private static final MlmSpec SPEC =
      new MlmSpec(TOKENIZER.vocabulary().size(), 32, 1, 2, 64, LENGTH, 0.1);

  @TempDir Path temp;

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  private static Vocabulary vocabulary() {
    List<String> words = new ArrayList<>(List.of("good", "bad"));
    for (int i = 0; i < FILLERS; i++) {
      words.add("w" + (char) ('a' + i / 26) + (char) ('a' + i % 26));
    }
    return Vocabulary.of(words, TokenPattern.DEFAULT, Map.of());
  }

  /** {@code n} labelled rows; {@code seed} draws them. */
  static List<Row> rows(int n, long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int label = random.nextInt(2);
      int words = 4 + random.nextInt(9);
      int marker = random.nextInt(words);
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < words; w++) {
        int filler = random.nextInt(FILLERS);
        text.append(
                w == marker
                    ? (label == 1 ? "good" : "bad")
                    : "w" + (char) ('a' + filler / 26) + (char) ('a' + filler % 26))
            .append(' ');
      }
      rows.add(LabelledTextTable.row("e" + i, "train", "s", text.toString(), null, label));
    }
    return rows;
  }

  static ClassificationData data(int n, long seed) {
    return ClassificationData.of(rows(n, seed), TOKENIZER, LENGTH);
  }

  private static FineTuner.Builder tuner(List<Double> losses) {
    return FineTuner.builder()
        .setTask("good-bad")
        .setTrainData(data(512, 1))
        .setTestData(data(256, 2))
        .optEpochs(4)
        .optBatchSize(32)
        .optLearningRate(3e-3)
        .optSeed(5)
        .optListener((StepMetrics m, int total) -> losses.add(m.loss()));
  }

  @Test
  void aRandomEncoderLearnsTheTaskDeterministically() {
    List<Double> losses = new ArrayList<>();
    FineTuneResult result = tuner(losses).setRandomEncoder(SPEC).build().run();

    assertThat(result.accuracy()).isGreaterThan(0.9);
    assertThat(result.task()).isEqualTo("good-bad");
    assertThat(result.steps()).isEqualTo(4 * 512 / 32).isEqualTo(losses.size());
    assertThat(result.trainExamples()).isEqualTo(512);
    assertThat(result.testExamples()).isEqualTo(256);
    assertThat(result.trainSeconds()).isPositive();

    List<Double> again = new ArrayList<>();
    FineTuneResult repeat = tuner(again).setRandomEncoder(SPEC).build().run();
    assertThat(again).containsExactlyElementsOf(losses);
    assertThat(repeat.accuracy()).isEqualTo(result.accuracy());
  }

  @Test
  void meanPoolingLearnsTheTaskToo() {
    FineTuneResult result =
        tuner(new ArrayList<>())
            .setRandomEncoder(SPEC)
            .optPooling(DownstreamSettings.Pooling.MEAN)
            .build()
            .run();

    assertThat(result.accuracy()).isGreaterThan(0.9);
  }

  @Test
  void fineTunesFromAnMlmCheckpointWithoutChangingIt() throws Exception {
    Path dir = temp.resolve("student");
    try (Model model = SPEC.newModel("student", Device.cpu())) {
      model
          .getBlock()
          .initialize(model.getNDManager(), DataType.FLOAT32, SPEC.initializationShapes());
      ModelCheckpoint.save(model, SPEC, dir, Map.of());
    }
    Path parameters = dir.resolve("model-0000.params");
    byte[] saved = Files.readAllBytes(parameters);

    List<Double> pretrained = new ArrayList<>();
    FineTuneResult result = tuner(pretrained).setPretrained(dir).build().run();
    List<Double> random = new ArrayList<>();
    tuner(random).setRandomEncoder(SPEC).build().run();

    assertThat(result.accuracy()).isGreaterThan(0.9);
    // Same seed, other encoder parameters: the checkpoint's were used.
    assertThat(pretrained.get(0)).isNotEqualTo(random.get(0));
    assertThat(Files.readAllBytes(parameters)).isEqualTo(saved);
  }

  @Test
  void refusesACheckpointOfAnotherVocabularyOrLength() {
    Path dir = temp.resolve("other");
    MlmSpec other = new MlmSpec(SPEC.vocabularySize() + 10, 16, 1, 2, 32, LENGTH, 0.1);
    try (Model model = other.newModel("other", Device.cpu())) {
      model
          .getBlock()
          .initialize(model.getNDManager(), DataType.FLOAT32, other.initializationShapes());
      ModelCheckpoint.save(model, other, dir, Map.of());
    }
    assertThatThrownBy(() -> tuner(new ArrayList<>()).setPretrained(dir).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MLM checkpoint " + dir)
        .hasMessageContaining("vocabulary of " + other.vocabularySize() + " tokens")
        .hasMessageContaining("tokenised with a vocabulary of " + SPEC.vocabularySize());

    MlmSpec longer = new MlmSpec(SPEC.vocabularySize(), 16, 1, 2, 32, 2 * LENGTH, 0.1);
    assertThatThrownBy(() -> tuner(new ArrayList<>()).setRandomEncoder(longer).build())
        .hasMessageContaining("takes sequences of 32 tokens, the task's examples have 16");
    assertThatThrownBy(() -> tuner(new ArrayList<>()).setPretrained(temp.resolve("none")).build())
        .hasMessageContaining("cannot fine-tune from")
        .hasMessageContaining("metadata.json not found");
    assertThatThrownBy(() -> tuner(new ArrayList<>()).build())
        .hasMessageContaining(
            "exactly one of setPretrained(checkpoint) and setRandomEncoder(spec)");
  }
}
