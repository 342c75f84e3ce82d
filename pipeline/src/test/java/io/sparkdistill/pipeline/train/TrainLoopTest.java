package io.sparkdistill.pipeline.train;

import io.sparkdistill.pipeline.config.OptimizerSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sparkdistill.pipeline.models.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainLoopTest {
  private static final ModelSpec SPEC = ModelSpec.cnn(4, 2, QuadrantImages.CLASSES, 8, 8, 1, 0);
  private static final ImageArrays TRAIN = QuadrantImages.generate(600, 1);
  private static final ImageArrays TEST = QuadrantImages.generate(150, 2);
  private static final Normalization NORM = Normalization.fit(TRAIN);

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void learnsTheQuadrantProblemAndReportsEveryStep() {
    OptimizerSettings adam = OptimizerSettings.adam(0.01).withCosine(10);
    List<StepMetrics> heard = new ArrayList<>();
    TrainResult result;
    try (Model model = SPEC.newModel("quadrants", Device.cpu())) {
      result =
          loop(model, adam, 150, 7)
              .optEvaluation(TEST, 50)
              .optListener((m, total) -> heard.add(m))
              .optListener(StepListener.logging("test", 50))
              .build()
              .run();

      double again = Evaluation.accuracy(model, TEST, NORM, 64);
      assertThat(again).isEqualTo(result.finalTestAccuracy().getAsDouble());
      float[][] logits = Evaluation.logits(model, TEST, NORM, 64);
      assertThat(logits).hasNumberOfRows(TEST.size());
      assertThat(logits[0]).hasSize(QuadrantImages.CLASSES);
    }

    // Chance is 1/3; a broken loop (no update, wrong labels, wrong order) cannot reach 0.8.
    assertThat(result.finalTestAccuracy().getAsDouble()).isGreaterThan(0.8);
    List<StepMetrics> steps = result.steps();
    assertThat(steps).hasSize(150).isEqualTo(heard);
    for (int i = 0; i < steps.size(); i++) {
      StepMetrics m = steps.get(i);
      assertThat(m.step()).isEqualTo(i);
      assertThat(m.samplesSeen()).isEqualTo(32L * (i + 1));
      assertThat(m.losses()).containsOnlyKeys("loss", "ce");
      assertThat(m.losses().get("ce")).isEqualTo(m.loss());
      assertThat(m.learningRate()).isEqualTo(Optimizers.learningRate(adam, 150, i));
      assertThat(m.testAccuracy().isPresent()).isEqualTo((i + 1) % 50 == 0);
      if (i > 0) {
        assertThat(m.samplesSeen()).isGreaterThan(steps.get(i - 1).samplesSeen());
        assertThat(m.wallSeconds()).isGreaterThanOrEqualTo(steps.get(i - 1).wallSeconds());
      }
    }
    assertThat(mean(steps.subList(140, 150))).isLessThan(mean(steps.subList(0, 10)) / 2);
    assertThat(result.wallSeconds()).isEqualTo(result.last().wallSeconds());
  }

  @Test
  void sameSeedGivesTheSameLossCurve() {
    OptimizerSettings sgd = OptimizerSettings.sgd(0.05, 0.9).withStep(10, 0.5, 3);
    List<Double> first = curve(sgd, 11);
    List<Double> second = curve(sgd, 11);
    List<Double> other = curve(sgd, 12);
    assertThat(second).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void trainsFurtherAnAlreadyInitialisedModel() {
    try (Model model = SPEC.newModel("twice", Device.cpu())) {
      OptimizerSettings adam = OptimizerSettings.adam(0.01);
      TrainResult first = loop(model, adam, 40, 3).build().run();
      TrainResult second = loop(model, adam, 10, 4).build().run();
      // Continuing from trained parameters starts far below the first run's initial loss.
      assertThat(second.steps().get(0).loss()).isLessThan(first.steps().get(0).loss());
    }
  }

  @Test
  void invalidSettingsNameTheProblem() {
    try (Model model = SPEC.newModel("invalid", Device.cpu())) {
      assertThatThrownBy(() -> TrainLoop.builder().setModel(model).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("setTrainData(...) is required");
      OptimizerSettings adam = OptimizerSettings.adam(0.1);
      assertThatThrownBy(() -> loop(model, adam, 10, 1).setBatchSize(601).build())
          .hasMessage("batchSize 601 exceeds the 600 training images");
      ImageArrays wide = new ImageArrays(new byte[9], new int[] {0}, 3, 3, 1);
      assertThatThrownBy(() -> loop(model, adam, 10, 1).optEvaluation(wide, 5).build())
          .hasMessage("test images are 3x3x1 but training images are 8x8x1");
    }
  }

  @Test
  void aKilledRunResumesFromItsCheckpointToTheSameCurve(@TempDir java.nio.file.Path dir) {
    // Adam (two moments per parameter) and SGD with momentum: both keep state that must survive.
    for (OptimizerSettings settings :
        List.of(OptimizerSettings.adam(0.01).withCosine(5), OptimizerSettings.sgd(0.05, 0.9).withCosine(5))) {
      List<StepMetrics> whole = resumable(settings, dir.resolve(settings.type() + "-whole"), -1);
      TrainCheckpoints killedStore = new TrainCheckpoints(dir.resolve(settings.type() + "-killed"));
      assertThatThrownBy(() -> resumable(settings, killedStore.dir(), 23))
          .hasMessageContaining("killed at step 23");
      assertThat(killedStore.latest().orElseThrow().nextStep()).isEqualTo(20);
      List<StepMetrics> resumed = resumable(settings, killedStore.dir(), -1);

      assertThat(resumed).hasSize(whole.size());
      for (int i = 0; i < whole.size(); i++) {
        StepMetrics a = whole.get(i);
        StepMetrics b = resumed.get(i);
        assertThat(b.step()).isEqualTo(a.step());
        assertThat(b.samplesSeen()).isEqualTo(a.samplesSeen());
        assertThat(b.learningRate()).isEqualTo(a.learningRate());
        assertThat(b.loss()).as("%s loss at step %d", settings.type(), i).isCloseTo(a.loss(), within(1e-5));
        assertThat(b.testAccuracy()).isEqualTo(a.testAccuracy());
      }
      // A finished run's last checkpoint resumes to the end without training.
      assertThat(resumable(settings, killedStore.dir(), 0)).hasSize(whole.size());
    }
  }

  /** 40 steps, checkpoints every 10; the listener throws at step {@code killAt} (a kill). */
  private static List<StepMetrics> resumable(OptimizerSettings settings, java.nio.file.Path store, int killAt) {
    try (Model model = SPEC.newModel("resumable", Device.cpu())) {
      return loop(model, settings, 40, 3)
          .optAugmentation(Augmenter.randomCropAndFlip(1))
          .optEvaluation(TEST, 10)
          .optCheckpoints(new TrainCheckpoints(store), 10)
          .optListener((m, total) -> {
            if (m.step() == killAt) {
              throw new IllegalStateException("killed at step " + killAt);
            }
          })
          .build()
          .run()
          .steps();
    }
  }

  private static List<Double> curve(OptimizerSettings settings, long seed) {
    try (Model model = SPEC.newModel("curve", Device.cpu())) {
      return loop(model, settings, 25, seed)
          .optAugmentation(Augmenter.randomCropAndFlip(1))
          .build()
          .run()
          .steps()
          .stream()
          .map(StepMetrics::loss)
          .toList();
    }
  }

  private static TrainLoop.Builder loop(
      Model model, OptimizerSettings settings, int steps, long seed) {
    return TrainLoop.builder()
        .setModel(model)
        .setTrainData(TRAIN)
        .setNormalization(NORM)
        .setBatchSize(32)
        .setTotalSteps(steps)
        .setOptimizer(settings)
        .setLoss(StepLoss.crossEntropy())
        .optSeed(seed);
  }

  private static double mean(List<StepMetrics> steps) {
    return steps.stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
  }

  @Test
  void crossEntropyIsTheMeanNegativeLogLikelihood() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logits = manager.create(new float[] {0, 0, 0, 2, 0, 0}, new Shape(2, 3));
      NDArray labels = manager.create(new long[] {1, 0});
      NDArray images = manager.zeros(new Shape(2, 1, 1, 1));
      LossParts parts =
          StepLoss.crossEntropy()
              .compute(logits, new Batch(images, labels, new int[] {0, 1}, 0), 0);
      double first = Math.log(3);
      double second = -Math.log(Math.exp(2) / (Math.exp(2) + 2));
      assertThat((double) parts.total().getFloat()).isCloseTo((first + second) / 2, within(1e-5));
      assertThat(parts.parts()).containsOnlyKeys("ce");
    }
  }
}
