package io.sparkdistill.pipeline.models;

import io.sparkdistill.pipeline.train.TestEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCheckpointTest {
  private static final ModelSpec SPEC = ModelSpec.cnn(4, 2, 3, 8, 8, 1, 0.3);

  @TempDir Path temp;

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void roundTripGivesExactlyTheSameOutputs() throws Exception {
    Path dir = temp.resolve("teacher");
    try (NDManager inputs = NDManager.newBaseManager();
        Model model = initialised("teacher")) {
      NDArray x = inputs.randomNormal(SPEC.inputShape(6));
      float[] expected = logits(model, x);

      ModelCheckpoint.save(model, SPEC, dir, Map.of("test_accuracy", 0.875, "epochs", 3));

      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("metadata.json", "model-0000.params");
      }
      try (Stream<Path> siblings = Files.list(temp)) {
        assertThat(siblings).containsExactly(dir); // no temporary folder left behind
      }
      ModelCheckpoint.Loaded loaded = ModelCheckpoint.load(dir);
      assertThat(loaded.spec()).isEqualTo(SPEC);
      assertThat(loaded.info()).containsEntry("test_accuracy", 0.875).containsEntry("epochs", 3);

      try (Model back = ModelCheckpoint.loadModel(dir, Device.cpu())) {
        assertThat(back.getName()).isEqualTo("teacher");
        assertThat(logits(back, x)).containsExactly(expected);
      }
    }
  }

  @Test
  void refusesToOverwriteUnlessAsked() {
    Path dir = temp.resolve("ckpt");
    try (Model model = initialised("m")) {
      ModelCheckpoint.save(model, SPEC, dir, Map.of("run", 1));
      assertThatThrownBy(() -> ModelCheckpoint.save(model, SPEC, dir, Map.of("run", 2)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("already exists; pass overwrite=true");
      assertThat(ModelCheckpoint.load(dir).info()).containsEntry("run", 1);

      ModelCheckpoint.save(model, SPEC, dir, Map.of("run", 2), true);
      assertThat(ModelCheckpoint.load(dir).info()).containsEntry("run", 2);
    }
  }

  @Test
  void unreadableCheckpointsAreExplained() throws Exception {
    assertThatThrownBy(() -> ModelCheckpoint.load(temp.resolve("nothing")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no checkpoint at")
        .hasMessageContaining("metadata.json not found");

    Path dir = temp.resolve("v1");
    try (Model model = initialised("m")) {
      ModelCheckpoint.save(model, SPEC, dir, Map.of());
    }
    Path metadata = dir.resolve("metadata.json");
    String json = Files.readString(metadata);

    Files.writeString(metadata, json.replace("\"format_version\" : 1", "\"format_version\" : 2"));
    assertThatThrownBy(() -> ModelCheckpoint.load(dir))
        .hasMessageContaining("has format_version 2; this build reads version 1");

    // A spec that does not match the stored parameters.
    Files.writeString(metadata, json.replace("\"width\" : 4", "\"width\" : 8"));
    assertThatThrownBy(() -> ModelCheckpoint.loadModel(dir, Device.cpu()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot load the parameters of checkpoint")
        .hasMessageContaining("has shape (4, 1, 3, 3) in the file, (8, 1, 3, 3) in the spec");
  }

  @Test
  void savingAnUninitialisedModelFails() {
    try (Model model = SPEC.newModel("fresh", Device.cpu())) {
      assertThatThrownBy(() -> ModelCheckpoint.save(model, SPEC, temp.resolve("x"), Map.of()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("has no initialised block");
    }
    assertThat(temp.resolve("x")).doesNotExist();
  }

  @Test
  void missingTorchScriptFileIsNamed() {
    Path file = temp.resolve("teacher.pt");
    assertThatThrownBy(() -> ModelCheckpoint.loadTorchScript(file, Device.cpu()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TorchScript file " + file + " does not exist");
  }

  /** A model with initialised parameters and batch-norm statistics moved away from 0 and 1. */
  private static Model initialised(String name) {
    Model model = SPEC.newModel(name, Device.cpu());
    model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, SPEC.inputShape(1));
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray x = manager.randomNormal(SPEC.inputShape(16)).add(1.5f);
      model.getBlock().forward(new ParameterStore(manager, false), new NDList(x), true);
    }
    return model;
  }

  private static float[] logits(Model model, NDArray x) {
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray input = x.duplicate();
      input.attach(manager); // the outputs attach to the input's manager and close with it
      return model
          .getBlock()
          .forward(new ParameterStore(manager, false), new NDList(input), false)
          .head()
          .toFloatArray();
    }
  }
}
