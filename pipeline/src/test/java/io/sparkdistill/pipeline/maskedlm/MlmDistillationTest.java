package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.config.MissingMass;
import io.sparkdistill.pipeline.models.MlmSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.pipeline.distill.KdLoss;
import io.sparkdistill.pipeline.config.LogitPrecision;
import io.sparkdistill.pipeline.config.MissingMass;
import io.sparkdistill.pipeline.config.OptimizerSettings;
import io.sparkdistill.pipeline.train.StepListener;
import io.sparkdistill.pipeline.train.StepMetrics;
import io.sparkdistill.pipeline.train.TestEngine;
import io.sparkdistill.pipeline.train.TrainCheckpoints;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A teacher learns the synthetic language, its top-k soft labels round-trip, and a smaller student
 * distilled from the stored top k learns too. One teacher for the class (trained once).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MlmDistillationTest {
  private static final MlmSpec TEACHER = new MlmSpec(50, 32, 2, 2, 64, 16, 0.1);
  private static final MlmSpec STUDENT = new MlmSpec(50, 16, 1, 2, 32, 16, 0.1);
  private static final double CHANCE = 1.0 / SyntheticLanguage.LEARNED;
  private static final int TEACHER_STEPS = 1200;
  private static final int TOP_K = 5;
  private static final double T = 2;

  private final MlmData train = SyntheticLanguage.generate(1024, 1);
  private final MlmData heldOut = SyntheticLanguage.generate(256, 2);
  private Model teacher;
  private MlmTrainResult teacherRun;

  @BeforeAll
  void trainTeacher() {
    TestEngine.configure();
    teacher = TEACHER.newModel("teacher", Device.cpu());
    long begin = System.nanoTime();
    teacherRun =
        MlmTrainLoop.builder()
            .setModel(teacher)
            .setSpec(TEACHER)
            .setTrainData(train)
            .setBatchSize(32)
            .setTotalSteps(TEACHER_STEPS)
            .setOptimizer(OptimizerSettings.adamW(5e-3, 0.01).withCosine(50))
            .optSeed(7)
            .optEvaluation(heldOut, 300)
            .optListener(StepListener.logging("[mlm-test] teacher", 300))
            .build()
            .run();
    System.out.printf(
        "teacher: %d steps in %.1f s (%.1f s training); evaluations %s; chance %.3f%n",
        TEACHER_STEPS,
        (System.nanoTime() - begin) / 1e9,
        teacherRun.training().wallSeconds(),
        teacherRun.evaluations(),
        CHANCE);
  }

  @AfterAll
  void close() {
    teacher.close();
  }

  @Test
  void theTeacherBeatsChanceAndItsPerplexityDrops() {
    List<MlmEvaluation> evaluations = teacherRun.evaluations();
    assertThat(evaluations).extracting(MlmEvaluation::step).containsExactly(299, 599, 899, 1199);
    MlmEvaluation last = teacherRun.lastEvaluation();
    assertThat(last.positions()).isEqualTo(heldOut.rows());
    assertThat(last.accuracy()).isGreaterThan(10 * CHANCE);
    assertThat(last.perplexity()).isLessThan(evaluations.get(0).perplexity());
    assertThat(last.perplexity()).isLessThan(SyntheticLanguage.LEARNED / 3.0);
    List<StepMetrics> steps = teacherRun.training().steps();
    assertThat(steps).hasSize(TEACHER_STEPS);
    assertThat(steps.get(0).losses()).containsOnlyKeys("loss", "ce");
    assertThat(steps.get(TEACHER_STEPS - 1).testAccuracy()).hasValue(last.accuracy());
    assertThat(steps.get(TEACHER_STEPS - 1).testPerplexity()).hasValue(last.perplexity());
    assertThat(steps.get(TEACHER_STEPS - 2).testPerplexity()).isEmpty(); // evaluation steps only
    assertThat(mean(steps.subList(TEACHER_STEPS - 10, TEACHER_STEPS)))
        .isLessThan(mean(steps.subList(0, 10)) / 2);
    // Evaluating again gives the same figures: evaluation does not change the model.
    MlmEvaluation again = MlmEvaluation.of(teacher, heldOut, 100, -1);
    assertThat(again.accuracy()).isEqualTo(last.accuracy());
    assertThat(again.perplexity()).isCloseTo(last.perplexity(), within(1e-4));
  }

  @Test
  void theTrainedTeacherSavesAndLoadsIntoAFreshBlockOfItsSpec(@TempDir Path dir) throws Exception {
    teacher.save(dir, "model");
    MlmSpec rebuilt = MlmSpec.fromJson(TEACHER.toJson());
    try (Model loaded = rebuilt.newModel("loaded", Device.cpu())) {
      loaded.load(dir, "model");
      MlmEvaluation evaluation = MlmEvaluation.of(loaded, heldOut, 64, -1);
      assertThat(evaluation.accuracy()).isEqualTo(teacherRun.lastEvaluation().accuracy());
      assertThat(evaluation.perplexity())
          .isCloseTo(teacherRun.lastEvaluation().perplexity(), within(1e-4));
    }
  }

  @Test
  void softLabelsRoundTripAndKeepTheTeachersArgMax() {
    List<MaskedSoftLabel> fp16 = MlmSoftLabels.compute(teacher, heldOut, TOP_K, LogitPrecision.FP16, 64);
    List<MaskedSoftLabel> dense =
        MlmSoftLabels.compute(teacher, heldOut, 1000, LogitPrecision.FP32, 100);
    assertThat(fp16).hasSize(heldOut.rows());
    int[] labels = heldOut.rowLabels();
    int agree = 0;
    for (int r = 0; r < fp16.size(); r++) {
      MaskedSoftLabel row = fp16.get(r);
      MaskedSoftLabel full = dense.get(r);
      assertThat(row.sequence()).isEqualTo(full.sequence());
      int sequence = row.sequence();
      assertThat(row.position()).isEqualTo(heldOut.positions(sequence)[r - heldOut.rowOffset(sequence)]);
      assertThat(row.topkIds()).hasSize(TOP_K);
      assertThat(full.topkIds()).hasSize(SyntheticLanguage.VOCABULARY);
      assertThat(row.logitBits()).isEqualTo(16);
      assertThat(row.teacherTop1()).isEqualTo(full.teacherTop1()).isEqualTo(row.topkIds()[0]);
      assertThat(row.logSumExp()).isCloseTo(0f, within(1e-3f)); // the head's output is log-softmaxed
      float[] decoded = row.logits();
      float[] exact = full.logits();
      for (int i = 0; i < TOP_K; i++) {
        assertThat(decoded[i]).isCloseTo(exact[i], within(0.01f + 0.001f * Math.abs(exact[i])));
      }
      for (double temperature : new double[] {1, T}) {
        float[] p = row.probabilities(SyntheticLanguage.VOCABULARY, temperature, MissingMass.SPREAD);
        assertThat(sum(p)).isCloseTo(1.0, within(1e-5));
        // The teacher's arg-max keeps the largest probability (up to fp16 rounding of near-ties).
        assertThat(p[row.teacherTop1()]).isGreaterThanOrEqualTo(p[argMax(p)] * 0.995f);
      }
      if (row.teacherTop1() == labels[r]) {
        agree++;
      }
    }
    assertThat((double) agree / fp16.size())
        .isCloseTo(teacherRun.lastEvaluation().accuracy(), within(0.01));
  }

  @Test
  void aStudentDistilledFromTheStoredTopKLearns() {
    List<MaskedSoftLabel> stored = MlmSoftLabels.compute(teacher, train, TOP_K, LogitPrecision.FP16, 128);
    KdLoss kd =
        KdLoss.builder()
            .setTemperature(T)
            .setAlpha(0.7)
            .setTargets(MlmSoftLabels.targets(stored, STUDENT.vocabularySize(), T, MissingMass.SPREAD))
            .optStopStep(300)
            .build();
    MlmTrainResult result;
    MlmTrainResult baseline;
    try (Model student = STUDENT.newModel("student", Device.cpu())) {
      result = studentLoop(student, kd, 400, 11).optEvaluation(heldOut, 200).build().run();
    }
    try (Model student = STUDENT.newModel("baseline", Device.cpu())) {
      baseline = studentLoop(student, null, 400, 11).optEvaluation(heldOut, 200).build().run();
    }
    System.out.printf(
        "student (KD until step 300): %.1f s training, %s%nbaseline student: %.1f s training, %s%n",
        result.training().wallSeconds(),
        result.evaluations(),
        baseline.training().wallSeconds(),
        baseline.evaluations());
    List<StepMetrics> steps = result.training().steps();
    assertThat(steps.get(0).losses()).containsOnlyKeys("loss", "ce", "kd");
    assertThat(steps.get(299).losses().get("kd")).isPositive();
    assertThat(steps.get(300).losses().get("kd")).isZero();
    assertThat(steps.get(300).loss()).isEqualTo(steps.get(300).losses().get("ce"));
    assertThat(mean(steps.subList(290, 300))).isLessThan(mean(steps.subList(0, 10)));
    assertThat(mean(steps.subList(390, 400))).isLessThan(mean(steps.subList(0, 10)) / 2);
    assertThat(result.lastEvaluation().accuracy()).isGreaterThan(5 * CHANCE);
  }

  @Test
  void theSameSeedGivesTheSameLossCurve() {
    List<Double> first = curve(3, null);
    List<Double> second = curve(3, null);
    List<Double> other = curve(4, null);
    assertThat(second).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);

    List<MaskedSoftLabel> stored = MlmSoftLabels.compute(teacher, train, TOP_K, LogitPrecision.FP16, 128);
    KdLoss kd =
        KdLoss.builder()
            .setTemperature(T)
            .setAlpha(0.5)
            .setTargets(MlmSoftLabels.targets(stored, STUDENT.vocabularySize(), T, MissingMass.SPREAD))
            .build();
    List<Double> distilled = curve(3, kd);
    assertThat(curve(3, kd)).isEqualTo(distilled).isNotEqualTo(first);
  }

  @Test
  void aKilledRunResumesFromItsCheckpointToTheSameCurve(@TempDir Path dir) {
    List<StepMetrics> whole = checkpointed(dir.resolve("whole"), -1);
    assertThatThrownBy(() -> checkpointed(dir.resolve("killed"), 25)).hasMessage("killed at step 25");
    List<StepMetrics> resumed = checkpointed(dir.resolve("killed"), -1);
    assertThat(resumed).hasSize(40);
    assertThat(resumed.get(19).testPerplexity()).isPresent();
    for (int i = 0; i < 40; i++) {
      assertThat(resumed.get(i).losses()).as("step %d", i).isEqualTo(whole.get(i).losses());
      assertThat(resumed.get(i).testAccuracy()).isEqualTo(whole.get(i).testAccuracy());
      // Perplexities of the steps before the kill come back from the checkpoint's progress.json.
      assertThat(resumed.get(i).testPerplexity()).isEqualTo(whole.get(i).testPerplexity());
    }
  }

  /** 40 steps, checkpoints every 10, held-out accuracy every 20; the listener throws at killAt. */
  private List<StepMetrics> checkpointed(Path store, int killAt) {
    try (Model student = STUDENT.newModel("student", Device.cpu())) {
      return studentLoop(student, null, 40, 5)
          .optCheckpoints(new TrainCheckpoints(store), 10)
          .optEvaluation(heldOut, 20)
          .optListener(
              (m, total) -> {
                if (m.step() == killAt) {
                  throw new IllegalStateException("killed at step " + killAt);
                }
              })
          .build()
          .run()
          .training()
          .steps();
    }
  }

  private List<Double> curve(long seed, KdLoss kd) {
    try (Model student = STUDENT.newModel("student", Device.cpu())) {
      List<Double> losses = new ArrayList<>();
      for (StepMetrics m : studentLoop(student, kd, 15, seed).build().run().training().steps()) {
        losses.add(m.loss());
      }
      return losses;
    }
  }

  private MlmTrainLoop.Builder studentLoop(Model student, KdLoss kd, int steps, long seed) {
    MlmTrainLoop.Builder builder =
        MlmTrainLoop.builder()
            .setModel(student)
            .setSpec(STUDENT)
            .setTrainData(train)
            .setBatchSize(32)
            .setTotalSteps(steps)
            .setOptimizer(OptimizerSettings.adamW(5e-3, 0.01).withCosine(Math.min(50, steps / 5)))
            .optSeed(seed);
    return kd == null ? builder : builder.optDistillation(kd);
  }

  private static double mean(List<StepMetrics> steps) {
    return steps.stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
  }

  private static double sum(float[] p) {
    double s = 0;
    for (float v : p) {
      s += v;
    }
    return s;
  }

  private static int argMax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }
}
