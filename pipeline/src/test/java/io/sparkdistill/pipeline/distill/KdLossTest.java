package io.sparkdistill.pipeline.distill;

import io.sparkdistill.pipeline.config.MissingMass;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparkdistill.pipeline.train.Batch;
import io.sparkdistill.pipeline.train.LossParts;
import io.sparkdistill.pipeline.train.TestEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Golden values: computed once, independently of DJL, in double precision (Python's math module,
 * the script is in the commit message), so a refactor cannot silently change the mathematics.
 */
class KdLossTest {
  private static final float[][] LOGITS = {{2f, 1f, 0.5f}, {0.1f, 0.2f, 3f}};
  private static final long[] LABELS = {0, 2};
  /** At T = 2; the zero checks that 0 log 0 counts as 0. */
  private static final float[][] TEACHER = {{0.7f, 0.2f, 0.1f}, {0f, 0.3f, 0.7f}};

  private static final double GOLDEN_CE = 0.28698512431470524;
  private static final double GOLDEN_KD = 0.6139703458645077; // T^2 * mean KL
  private static final double GOLDEN_TOTAL = 0.4831762572445867; // alpha = 0.6

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void matchesTheGoldenValuesAndAsksForTheBatchExamples() {
    int[][] asked = new int[1][];
    KdLoss loss =
        KdLoss.builder()
            .setTemperature(2)
            .setAlpha(0.6)
            .setTargets((indices, step) -> {
              asked[0] = indices;
              return TEACHER;
            })
            .build();

    double[] values = values(loss, 0);

    assertThat(values[0]).isCloseTo(GOLDEN_TOTAL, within(1e-5));
    assertThat(values[1]).isCloseTo(GOLDEN_CE, within(1e-5));
    assertThat(values[2]).isCloseTo(GOLDEN_KD, within(1e-5));
    assertThat(asked[0]).containsExactly(10, 11);
  }

  @Test
  void fromTheStopStepOnItIsThePlainCrossEntropy() {
    KdLoss loss =
        KdLoss.builder().setTemperature(2).setAlpha(0.6).setTargets((i, s) -> TEACHER).optStopStep(5).build();

    assertThat(values(loss, 4)[0]).isCloseTo(GOLDEN_TOTAL, within(1e-5));
    double[] after = values(loss, 5);
    assertThat(after[0]).isCloseTo(GOLDEN_CE, within(1e-5));
    assertThat(after[2]).isZero();
  }

  @Test
  void aTeacherEqualToTheStudentAddsNothing() {
    // p = softmax(z / T) makes KL 0, so the loss is (1 - alpha) * CE.
    float[][] same = new float[2][];
    for (int i = 0; i < 2; i++) {
      double[] e = new double[3];
      double sum = 0;
      for (int c = 0; c < 3; c++) {
        e[c] = Math.exp(LOGITS[i][c] / 3.0);
        sum += e[c];
      }
      same[i] = new float[] {(float) (e[0] / sum), (float) (e[1] / sum), (float) (e[2] / sum)};
    }
    KdLoss loss = KdLoss.builder().setTemperature(3).setAlpha(0.5).setTargets((i, s) -> same).build();

    double[] values = values(loss, 0);

    assertThat(values[2]).isCloseTo(0, within(1e-5));
    assertThat(values[0]).isCloseTo(0.5 * GOLDEN_CE, within(1e-5));
  }

  @Test
  void aStudentLearnsFromTheTeacherAloneThroughTheTrainingLoop() {
    io.sparkdistill.pipeline.train.ImageArrays train = io.sparkdistill.pipeline.train.QuadrantImages.generate(600, 1);
    io.sparkdistill.pipeline.train.ImageArrays test = io.sparkdistill.pipeline.train.QuadrantImages.generate(150, 2);
    // A confident teacher that knows the true class; alpha = 1 so the hard labels are never used.
    SoftTargets teacher =
        (indices, step) -> {
          float[][] p = new float[indices.length][3];
          for (int i = 0; i < indices.length; i++) {
            java.util.Arrays.fill(p[i], 0.05f);
            p[i][train.labels()[indices[i]]] = 0.9f;
          }
          return p;
        };
    io.sparkdistill.pipeline.models.ModelSpec spec = io.sparkdistill.pipeline.models.ModelSpec.cnn(4, 2, 3, 8, 8, 1, 0);
    try (ai.djl.Model student = spec.newModel("student", ai.djl.Device.cpu())) {
      io.sparkdistill.pipeline.train.TrainResult result =
          io.sparkdistill.pipeline.train.TrainLoop.builder()
              .setModel(student)
              .setTrainData(train)
              .setNormalization(io.sparkdistill.pipeline.train.Normalization.fit(train))
              .setBatchSize(32)
              .setTotalSteps(120)
              .setOptimizer(io.sparkdistill.pipeline.config.OptimizerSettings.adam(0.01))
              .setLoss(KdLoss.builder().setTemperature(2).setAlpha(1).setTargets(teacher).build())
              .optEvaluation(test, 120)
              .build()
              .run();

      assertThat(result.finalTestAccuracy().orElseThrow()).as("chance is 1/3").isGreaterThan(0.8);
      assertThat(result.steps().get(0).losses()).containsKeys("ce", "kd");
    }
  }

  /**
   * Over a vocabulary, top-k targets in sparse form (k probabilities and one value for every other
   * class) must give the loss and the gradient of the same targets as a (rows, classes) matrix.
   */
  @Test
  void sparseTopKTargetsGiveTheDenseLossAndGradient() {
    int classes = 50;
    int rows = 6;
    java.util.Random random = new java.util.Random(3);
    float[][] logits = new float[rows][classes];
    long[] labels = new long[rows];
    int[][] ids = new int[rows][];
    float[][] teacherLogits = new float[rows][];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < classes; c++) {
        logits[r][c] = (float) random.nextGaussian() * 2;
      }
      labels[r] = random.nextInt(classes);
      ids[r] = random.ints(0, classes).distinct().limit(5).toArray();
      teacherLogits[r] = new float[5];
      for (int j = 0; j < 5; j++) {
        teacherLogits[r][j] = (float) (-1 - random.nextDouble() * 3); // log-probabilities, lse 0
      }
    }
    for (io.sparkdistill.pipeline.config.MissingMass missing :
        io.sparkdistill.pipeline.config.MissingMass.values()) {
      for (double temperature : new double[] {1, 2}) {
        SoftTargets sparse = sparseTargets(ids, teacherLogits, classes, temperature, missing);
        SoftTargets dense = (indices, step) -> sparse.forBatch(indices, step); // no sparse form
        float[][] sparseResult = lossAndGradient(sparse, temperature, logits, labels);
        float[][] denseResult = lossAndGradient(dense, temperature, logits, labels);
        String what = missing + " at T " + temperature;
        assertThat(sparseResult[0][0]).as(what + " loss").isCloseTo(denseResult[0][0], within(1e-5f));
        for (int i = 0; i < sparseResult[1].length; i++) {
          assertThat(sparseResult[1][i]).as(what + " gradient " + i).isCloseTo(denseResult[1][i], within(1e-6f));
        }
      }
    }
  }

  private static SoftTargets sparseTargets(
      int[][] ids, float[][] logits, int classes, double temperature,
      io.sparkdistill.pipeline.config.MissingMass missing) {
    return new SoftTargets() {
      @Override
      public float[][] forBatch(int[] indices, int step) {
        float[][] out = new float[indices.length][];
        for (int i = 0; i < indices.length; i++) {
          out[i] = io.sparkdistill.pipeline.distill.SoftLabelDistribution.probabilities(
              ids[indices[i]], logits[indices[i]], 0f, classes, temperature, missing);
        }
        return out;
      }

      @Override
      public Sparse sparseForBatch(int[] indices, int step) {
        int[][] rowIds = new int[indices.length][];
        float[][] kept = new float[indices.length][];
        float[] rest = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
          var row = io.sparkdistill.pipeline.distill.SoftLabelDistribution.sparse(
              ids[indices[i]], logits[indices[i]], 0f, classes, temperature, missing);
          rowIds[i] = ids[indices[i]];
          kept[i] = row.kept();
          rest[i] = row.rest();
        }
        return new Sparse(rowIds, kept, rest, classes);
      }
    };
  }

  /** {loss}, then d loss / d logits flattened. */
  private static float[][] lossAndGradient(SoftTargets targets, double temperature, float[][] logits, long[] labels) {
    KdLoss loss = KdLoss.builder().setTemperature(temperature).setAlpha(0.7).setTargets(targets).build();
    int[] rows = java.util.stream.IntStream.range(0, logits.length).toArray();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray z = manager.create(logits);
      z.setRequiresGradient(true);
      try (ai.djl.training.GradientCollector collector =
          ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        NDArray total = loss.compute(z, manager.create(labels), rows, 0).total();
        collector.backward(total);
        return new float[][] {{total.getFloat()}, z.getGradient().toFloatArray()};
      }
    }
  }

  @Test
  void invalidSettingsAreNamed() {
    assertThatThrownBy(() -> KdLoss.builder().setTemperature(0).setAlpha(0.5).setTargets((i, s) -> TEACHER).build())
        .hasMessage("temperature must be positive, got 0.0");
    assertThatThrownBy(() -> KdLoss.builder().setTemperature(1).setAlpha(1.5).setTargets((i, s) -> TEACHER).build())
        .hasMessage("alpha must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> KdLoss.builder().setTemperature(1).setAlpha(0.5).build())
        .hasMessage("targets must be set");
  }

  /** total, ce, kd as doubles. */
  private static double[] values(KdLoss loss, int step) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logits = manager.create(LOGITS);
      Batch batch =
          new Batch(manager.zeros(new ai.djl.ndarray.types.Shape(2, 1)), manager.create(LABELS), new int[] {10, 11}, step);
      LossParts parts = loss.compute(logits, batch, step);
      return new double[] {
        parts.total().getFloat(), parts.parts().get("ce").getFloat(), parts.parts().get("kd").getFloat()
      };
    }
  }
}
