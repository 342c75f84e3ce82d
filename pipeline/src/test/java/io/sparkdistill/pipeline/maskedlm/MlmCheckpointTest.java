package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.models.MlmBlock;
import io.sparkdistill.pipeline.models.MlmSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.train.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A masked-language model goes through {@link ModelCheckpoint} like an image model. */
class MlmCheckpointTest {
  private static final MlmSpec SPEC =
      new MlmSpec(SyntheticLanguage.VOCABULARY, 16, 1, 2, 32, SyntheticLanguage.LENGTH, 0.1);

  @TempDir Path temp;

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void aSavedMlmLoadsBackWithIdenticalOutputs() {
    MlmData data = SyntheticLanguage.generate(12, 3);
    Path dir = temp.resolve("teacher");
    float[] before;
    try (Model model = random("teacher")) {
      before = outputs(model, data);
      ModelCheckpoint.save(model, SPEC, dir, Map.of("mlm_accuracy", 0.5));
    }
    ModelCheckpoint.Loaded loaded = ModelCheckpoint.load(dir);
    assertThat(loaded.network()).isEqualTo(SPEC);
    assertThat(loaded.mlmSpec()).isEqualTo(SPEC);
    assertThat(loaded.info()).containsEntry("mlm_accuracy", 0.5);
    assertThatThrownBy(loaded::spec)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BERT_MLM model, not an image model");
    try (Model back = ModelCheckpoint.loadModel(dir, Device.cpu())) {
      assertThat(back.getBlock()).isInstanceOf(MlmBlock.class);
      float[] after = outputs(back, data);
      assertThat(after).hasSize(data.rows() * SPEC.vocabularySize());
      assertThat(after).containsExactly(before);
    }
  }

  @Test
  void aSpecThatDisagreesWithTheParametersIsRefused() throws Exception {
    Path dir = temp.resolve("teacher");
    try (Model model = random("teacher")) {
      ModelCheckpoint.save(model, SPEC, dir, Map.of());
    }
    Path metadata = dir.resolve(ModelCheckpoint.METADATA_FILE);
    String json = Files.readString(metadata);
    assertThat(json).contains("\"architecture\" : \"BERT_MLM\"");
    Files.writeString(
        metadata, json.replace("\"intermediate_size\" : 32", "\"intermediate_size\" : 24"));
    assertThatThrownBy(() -> ModelCheckpoint.loadModel(dir, Device.cpu()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot load the parameters of checkpoint")
        .hasMessageContaining("in the file");
  }

  /** A model with random (truncated normal) parameters. */
  static Model random(String name) {
    Model model = SPEC.newModel(name, Device.cpu());
    model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, SPEC.inputShapes(1, 1));
    return model;
  }

  static MlmSpec spec() {
    return SPEC;
  }

  private static float[] outputs(Model model, MlmData data) {
    List<float[]> batches = new ArrayList<>();
    MlmEvaluation.forEachBatch(model, data, 5, logProbs -> batches.add(logProbs.toFloatArray()));
    int n = batches.stream().mapToInt(b -> b.length).sum();
    float[] all = new float[n];
    int at = 0;
    for (float[] b : batches) {
      System.arraycopy(b, 0, all, at, b.length);
      at += b.length;
    }
    return all;
  }
}
