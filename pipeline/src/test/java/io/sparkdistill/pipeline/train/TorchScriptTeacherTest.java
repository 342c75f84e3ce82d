package io.sparkdistill.pipeline.train;

import io.sparkdistill.pipeline.config.OptimizerSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TorchScript teacher loads through {@link ModelCheckpoint} and evaluates like a DJL model. */
class TorchScriptTeacherTest {
  @TempDir Path temp;

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void loadsAndEvaluatesATorchScriptModel() throws Exception {
    // Mean brightness of the top-left, top-right and bottom-left quadrants: the blob's quadrant
    // is the brightest, so this scripted "teacher" knows the quadrant problem.
    Path file = temp.resolve("oracle.pt");
    TorchScriptFixture.write(
        file,
        "QuadrantOracle",
        "    pooled = torch.avg_pool2d(x, [4, 4])\n"
            + "    flat = torch.flatten(pooled, 1)\n"
            + "    return torch.slice(flat, 1, 0, 3)\n");
    ImageArrays test = QuadrantImages.generate(150, 5);
    Normalization norm = Normalization.fit(test);

    try (Model teacher = ModelCheckpoint.loadTorchScript(file, Device.cpu())) {
      assertThat(teacher.getName()).isEqualTo("oracle");
      float[][] logits = Evaluation.logits(teacher, test, norm, 64);
      assertThat(logits).hasNumberOfRows(150);
      assertThat(logits[0]).hasSize(3);
      assertThat(Evaluation.accuracy(teacher, test, norm, 64)).isGreaterThan(0.95);

      assertThatThrownBy(
              () ->
                  TrainLoop.builder()
                      .setModel(teacher)
                      .setTrainData(test)
                      .setNormalization(norm)
                      .setBatchSize(10)
                      .setTotalSteps(1)
                      .setOptimizer(OptimizerSettings.adam(0.1))
                      .setLoss(StepLoss.crossEntropy())
                      .build())
          .hasMessageContaining("is a TorchScript (symbol) block");
    }
  }

  @Test
  void aFileThatIsNotTorchScriptIsRejectedWithItsName() throws Exception {
    Path file = temp.resolve("broken.pt");
    Files.writeString(file, "not a zip");
    assertThatThrownBy(() -> ModelCheckpoint.loadTorchScript(file, Device.cpu()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot load TorchScript model " + file);
  }
}
