package io.sparkdistill.pipeline.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.sparkdistill.pipeline.models.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCheckpointsTest {
  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void aCheckpointWithoutItsCommitMarkerIsNeverTakenForTheLatest(@TempDir Path dir) throws Exception {
    TrainCheckpoints store = new TrainCheckpoints(dir.resolve("run"));
    ModelSpec spec = ModelSpec.cnn(4, 1, 3, 8, 8, 1, 0);
    try (Model model = spec.newModel("m", Device.cpu())) {
      model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(2, 1, 8, 8));
      Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build();
      List<StepMetrics> steps =
          List.of(new StepMetrics(0, 32, 0.5, 0.1, Map.of("loss", 1.0), OptionalDouble.empty(), OptionalDouble.empty()));
      store.save(model.getBlock(), sgd, 10, 320, 1.5, steps);
      assertThat(store.latest()).hasValueSatisfying(s -> assertThat(s.nextStep()).isEqualTo(10));

      // A later checkpoint whose copy was cut off (an object store's rename is a copy): no marker.
      Path newest = dir.resolve("run").resolve("step-000000020");
      Files.createDirectories(newest);
      Files.copy(dir.resolve("run/step-000000010/progress.json"), newest.resolve("progress.json"));
      assertThat(store.latest()).hasValueSatisfying(s -> {
        assertThat(s.nextStep()).isEqualTo(10);
        assertThat(s.samplesSeen()).isEqualTo(320);
        assertThat(s.steps()).isEqualTo(steps);
      });

      store.clear();
      assertThat(store.latest()).isEmpty();
      assertThat(dir.resolve("run")).doesNotExist();
    }
  }
}
