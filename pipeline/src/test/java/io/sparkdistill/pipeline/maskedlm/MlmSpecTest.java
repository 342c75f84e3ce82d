package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.models.MlmSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.sparkdistill.pipeline.train.TestEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MlmSpecTest {
  static final MlmSpec SPEC = new MlmSpec(50, 32, 2, 2, 64, 16, 0.1);

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void jsonRoundTripsAndNamesBadFields() {
    assertThat(MlmSpec.fromJson(SPEC.toJson())).isEqualTo(SPEC);
    assertThat(SPEC.toJson()).contains("\"architecture\":\"BERT_MLM\"", "\"vocabulary_size\":50");
    assertThatThrownBy(() -> MlmSpec.fromJson(SPEC.toJson().replace("\"heads\":2", "\"heads\":\"x\"")))
        .hasMessage("MLM spec field 'heads' must be an integer, got \"x\"");
    assertThatThrownBy(() -> MlmSpec.fromJson("{\"architecture\":\"CNN\"}"))
        .hasMessageContaining("'architecture' must be BERT_MLM");
    assertThatThrownBy(() -> new MlmSpec(50, 30, 2, 4, 64, 16, 0))
        .hasMessage("hiddenSize (30) must be a multiple of heads (4)");
    assertThatThrownBy(() -> new MlmSpec(50, 32, 2, 2, 64, 16, 1))
        .hasMessage("dropout must be in [0, 1), got 1.0");
  }

  @Test
  void dataBuildsTheBlockInputsAndTheBlockGivesLogProbabilitiesAtTheMaskedPositions() {
    int[][] ids = {{2, 4, 7, 8, 3, 0}, {2, 9, 4, 4, 11, 3}};
    int[][] positions = {{1}, {2, 3}};
    int[][] labels = {{6}, {10, 12}};
    MlmData data = new MlmData(ids, positions, labels);
    assertThat(data.rows()).isEqualTo(3);
    assertThat(data.rowOffset(1)).isEqualTo(1);
    assertThat(data.rowLabels()).containsExactly(6, 10, 12);
    MlmSpec spec = new MlmSpec(50, 8, 1, 2, 16, 6, 0);
    try (Model model = spec.newModel("tiny", Device.cpu());
        NDManager manager = model.getNDManager().newSubManager()) {
      MlmBatch batch = data.batch(manager, new int[] {1, 0});
      assertThat(batch.inputs()).hasSize(4);
      assertThat(batch.inputs().get(0).getDataType()).isEqualTo(DataType.INT32);
      assertThat(batch.inputs().get(1).toIntArray()).containsOnly(0);
      assertThat(batch.inputs().get(2).toIntArray()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0);
      assertThat(batch.inputs().get(3).toIntArray()).containsExactly(2, 3, 1, 0);
      assertThat(batch.selected().toBooleanArray()).containsExactly(true, true, true, false);
      assertThat(batch.labels().toLongArray()).containsExactly(10, 12, 6);
      assertThat(batch.rows()).containsExactly(1, 2, 0);

      model.getBlock().initialize(manager, DataType.FLOAT32, spec.inputShapes(2, 2));
      NDArray out =
          model.getBlock().forward(new ParameterStore(manager, false), batch.inputs(), false).head();
      assertThat(out.getShape()).isEqualTo(new Shape(4, 50));
      NDArray rows = batch.atMaskedPositions(out);
      assertThat(rows.getShape()).isEqualTo(new Shape(3, 50));
      float[] sums = rows.exp().sum(new int[] {1}).toFloatArray();
      for (float sum : sums) {
        assertThat(sum).isCloseTo(1f, within(1e-5f));
      }
    }

    assertThatThrownBy(() -> new MlmData(ids, new int[][] {{1}, {}}, new int[][] {{6}, {}}))
        .hasMessage("sequence 1 has no masked position");
    assertThatThrownBy(() -> new MlmData(ids, new int[][] {{1}, {3, 2}}, labels))
        .hasMessageContaining("sequence 1: masked positions must be ascending within 0..5");
  }
}
