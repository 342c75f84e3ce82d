package io.sparkdistill.pipeline.models;

import io.sparkdistill.pipeline.train.TestEngine;
import io.sparkdistill.pipeline.config.Architecture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void cnnMapsABatchToLogitsOfEachClass() {
    ModelSpec spec = ModelSpec.cnn(4, 2, 3, 8, 8, 1, 0.25);
    assertThat(spec.inputShape(5)).isEqualTo(new Shape(5, 1, 8, 8));
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = spec.newBlock();
      assertThat(block.isInitialized()).isFalse();
      block.initialize(manager, DataType.FLOAT32, spec.inputShape(1));
      NDArray input = manager.randomNormal(spec.inputShape(5));
      NDArray logits =
          block.forward(new ParameterStore(manager, false), new NDList(input), false).head();
      assertThat(logits.getShape()).isEqualTo(new Shape(5, 3));
    }
  }

  @Test
  void fashionMnistSizedCnnPoolsThreeTimesAndFlattens() {
    ModelSpec spec = ModelSpec.cnn(32, 3, 10, 28, 28, 1, 0);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = spec.newBlock();
      block.initialize(manager, DataType.FLOAT32, spec.inputShape(2));
      assertThat(block.getOutputShapes(new Shape[] {spec.inputShape(2)})[0])
          .isEqualTo(new Shape(2, 10));
      // 28 -> 14 -> 7 -> 3: the classifier sees 128 channels x 3 x 3.
      long classifierWeights =
          block.getParameters().values().stream()
              .filter(p -> p.getArray().getShape().dimension() == 2)
              .mapToLong(p -> p.getArray().getShape().size())
              .sum();
      assertThat(classifierWeights).isEqualTo(10L * 128 * 3 * 3);
    }
  }

  @Test
  void resnetUsesTheModelZooBuilder() {
    ModelSpec spec = ModelSpec.resnet(20, 10, 28, 28, 1);
    assertThat(spec.width()).isEqualTo(16);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = spec.newBlock();
      block.initialize(manager, DataType.FLOAT32, spec.inputShape(2));
      NDArray logits =
          block
              .forward(
                  new ParameterStore(manager, false),
                  new NDList(manager.randomNormal(spec.inputShape(2))),
                  false)
              .head();
      assertThat(logits.getShape()).isEqualTo(new Shape(2, 10));
    }
    assertThat(ModelSpec.resnet(18, 10, 32, 32, 3).width()).isEqualTo(64);
  }

  @Test
  void invalidFieldsAreNamed() {
    assertThatThrownBy(() -> ModelSpec.cnn(0, 2, 3, 8, 8, 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("width must be at least 1, got 0");
    assertThatThrownBy(() -> ModelSpec.cnn(4, 2, 1, 8, 8, 1, 0))
        .hasMessage("classes must be at least 2, got 1");
    assertThatThrownBy(() -> ModelSpec.cnn(4, 2, 3, 8, 0, 1, 0))
        .hasMessage("inputWidth must be at least 1, got 0");
    assertThatThrownBy(() -> ModelSpec.cnn(4, 2, 3, 8, 8, 1, 1.0))
        .hasMessage("dropout must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> ModelSpec.resnet(18, 10, 28, 28, 1))
        .hasMessageContaining("depth 18 is not a ResNet depth DJL builds for inputs of height 28")
        .hasMessageContaining("20, 32, 44, 56, 110");
    assertThatThrownBy(() -> new ModelSpec(Architecture.RESNET, 32, 20, 10, 28, 28, 1, 0))
        .hasMessageStartingWith("width must be 16 for a RESNET of depth 20");
    assertThatThrownBy(() -> new ModelSpec(Architecture.RESNET, 16, 20, 10, 28, 28, 1, 0.5))
        .hasMessageStartingWith("dropout must be 0 for RESNET");
    assertThatThrownBy(() -> new ModelSpec(null, 16, 20, 10, 28, 28, 1, 0))
        .hasMessage("architecture must be set");
    assertThatThrownBy(() -> Architecture.of("vit"))
        .hasMessage("unknown architecture 'vit', known: [cnn, resnet, bert]");
  }

  @Test
  void jsonRoundTrips() {
    ModelSpec spec = ModelSpec.cnn(32, 3, 10, 28, 28, 1, 0.2);
    assertThat(spec.toJson()).contains("\"input_height\":28").contains("\"architecture\":\"CNN\"");
    assertThat(ModelSpec.fromJson(spec.toJson())).isEqualTo(spec);
    ModelSpec resnet = ModelSpec.resnet(20, 10, 28, 28, 1);
    assertThat(ModelSpec.fromJson(resnet.toJson())).isEqualTo(resnet);
    assertThatThrownBy(() -> ModelSpec.fromJson(spec.toJson().replace("\"classes\":10,", "")))
        .hasMessage("model spec field 'classes' is missing");
    assertThatThrownBy(
            () -> ModelSpec.fromJson(spec.toJson().replace("\"depth\":3", "\"depth\":3.5")))
        .hasMessage("model spec field 'depth' must be an integer, got 3.5");
    assertThatThrownBy(() -> ModelSpec.fromJson("{"))
        .hasMessageStartingWith("model spec is not valid JSON");
  }
}
