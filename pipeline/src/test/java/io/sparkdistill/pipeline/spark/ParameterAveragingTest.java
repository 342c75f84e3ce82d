package io.sparkdistill.pipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.sparkdistill.pipeline.train.OptimizerState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Model averaging on a real DJL model (linear regression), on Spark tasks with retries. */
class ParameterAveragingTest {
  private static final int FEATURES = 8;
  private static final int ROWS = 4096;
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    // Two slots, up to three attempts per task: a killed task is retried.
    spark = SparkSession.builder().master("local[2,3]").appName("averaging-test").config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  /** y = x . w + 0.1 noise, the same rows on every JVM. */
  static float[][] data() {
    Random random = new Random(11);
    float[] w = new float[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      w[j] = (float) random.nextGaussian();
    }
    float[][] rows = new float[ROWS][FEATURES + 1];
    for (int i = 0; i < ROWS; i++) {
      float y = 0;
      for (int j = 0; j < FEATURES; j++) {
        rows[i][j] = (float) random.nextGaussian();
        y += rows[i][j] * w[j];
      }
      rows[i][FEATURES] = y + 0.1f * (float) random.nextGaussian();
    }
    return rows;
  }

  /**
   * Worker w of N at global step s trains on rows [(s*N + w)*B, (s*N + w + 1)*B) (mod ROWS): N
   * workers of batch B see, together, what one worker of batch N*B sees.
   */
  record LinearWorker(boolean adam, int batch, String failOnce) implements ParameterAveraging.Worker {
    @Override
    public ParameterAveraging.Trained train(
        ParameterAveraging.State start, ParameterAveraging.Round round, TrainingTasks.Resources resources) {
      TaskContext task = TaskContext.get();
      if (task != null && task.attemptNumber() == 0 && (round.round() + "/" + round.worker()).equals(failOnce)) {
        throw new IllegalStateException("injected failure in round " + round.round() + " worker " + round.worker());
      }
      return run(start, round.firstStep(), round.steps(), round.worker(), round.workers());
    }

    ParameterAveraging.Trained run(ParameterAveraging.State start, int firstStep, int steps, int worker, int workers) {
      float[][] rows = data();
      try (Model model = Model.newInstance("linear", Device.cpu())) {
        model.setBlock(Linear.builder().setUnits(1).build());
        Optimizer optimizer =
            adam ? Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build()
                : Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(optimizer);
        NDManager manager = model.getNDManager();
        model.getNDManager().getEngine().setRandomSeed(5);
        model.getBlock().initialize(manager, DataType.FLOAT32, new Shape(batch, FEATURES));
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
          float[] values = start.arrays().get("param/" + p.getKey());
          if (values != null) {
            p.getValue().getArray().set(values);
          }
          p.getValue().getArray().setRequiresGradient(true);
        }
        double lossSum = 0;
        try (Trainer trainer = model.newTrainer(config)) {
          if (start.step() > 0) {
            OptimizerState.restore(optimizer, model.getBlock(), snapshot(start), manager);
          }
          for (int s = firstStep; s < firstStep + steps; s++) {
            try (NDManager batchManager = manager.newSubManager()) {
              float[] x = new float[batch * FEATURES];
              float[] y = new float[batch];
              for (int i = 0; i < batch; i++) {
                float[] row = rows[(int) (((long) (s * workers + worker) * batch + i) % ROWS)];
                System.arraycopy(row, 0, x, i * FEATURES, FEATURES);
                y[i] = row[FEATURES];
              }
              NDArray features = batchManager.create(x, new Shape(batch, FEATURES));
              NDArray labels = batchManager.create(y, new Shape(batch, 1));
              try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray predicted = trainer.forward(new NDList(features)).singletonOrThrow();
                NDArray loss = trainer.getLoss().evaluate(new NDList(labels), new NDList(predicted));
                lossSum += loss.getFloat();
                collector.backward(loss);
              }
              trainer.step();
            }
          }
          return new ParameterAveraging.Trained(export(model, optimizer, firstStep + steps), (long) steps * batch, lossSum / steps);
        }
      }
    }
  }

  static ParameterAveraging.State export(Model model, Optimizer optimizer, int step) {
    Map<String, float[]> arrays = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
      arrays.put("param/" + p.getKey(), p.getValue().getArray().toFloatArray());
      shapes.put("param/" + p.getKey(), p.getValue().getArray().getShape().getShape());
    }
    OptimizerState.Snapshot snapshot = OptimizerState.export(optimizer, model.getBlock());
    snapshot.arrays().forEach((k, v) -> arrays.put("optimizer/" + k, v));
    snapshot.shapes().forEach((k, v) -> shapes.put("optimizer/" + k, v));
    Map<String, Integer> counters = new LinkedHashMap<>(snapshot.counts());
    counters.put("#numUpdate", snapshot.numUpdate());
    return new ParameterAveraging.State(arrays, shapes, counters, step);
  }

  static OptimizerState.Snapshot snapshot(ParameterAveraging.State state) {
    Map<String, float[]> arrays = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    state.arrays().forEach((k, v) -> {
      if (k.startsWith("optimizer/")) {
        arrays.put(k.substring("optimizer/".length()), v);
        shapes.put(k.substring("optimizer/".length()), state.shapes().get(k));
      }
    });
    Map<String, Integer> counts = new LinkedHashMap<>(state.counters());
    int numUpdate = counts.remove("#numUpdate");
    return new OptimizerState.Snapshot(counts, numUpdate, arrays, shapes);
  }

  private static ParameterAveraging.State empty() {
    return new ParameterAveraging.State(Map.of(), Map.of(), Map.of(), 0);
  }

  private static float[] weights(ParameterAveraging.State state) {
    return state.arrays().entrySet().stream()
        .filter(e -> e.getKey().startsWith("param/") && e.getKey().endsWith("weight"))
        .findFirst().orElseThrow().getValue();
  }

  @Test
  void oneWorkerInRoundsEqualsUninterruptedTrainingExactlyWithAdam() {
    LinearWorker worker = new LinearWorker(true, 32, "");
    ParameterAveraging.State continuous = worker.run(empty(), 0, 24, 0, 1).state();
    List<Double> losses = new ArrayList<>();
    ParameterAveraging.State rounds =
        ParameterAveraging.train(spark, "test", worker, empty(), 1, 24, s -> s < 8 ? 4 : 8, (r, st, loss) -> losses.add(loss));
    assertThat(rounds.step()).isEqualTo(24);
    assertThat(losses).hasSize(4); // 4 + 4 + 8 + 8
    for (String name : continuous.arrays().keySet()) {
      assertThat(rounds.arrays().get(name)).as(name).containsExactly(continuous.arrays().get(name));
    }
    assertThat(rounds.counters()).isEqualTo(continuous.counters());
  }

  @Test
  void twoWorkersOfOneStepPerRoundEqualOneWorkerAtTwiceTheBatchWithPlainSgd() {
    ParameterAveraging.State single = new LinearWorker(false, 64, "").run(empty(), 0, 20, 0, 1).state();
    ParameterAveraging.State averaged =
        ParameterAveraging.train(spark, "test", new LinearWorker(false, 32, ""), empty(), 2, 20, s -> 1, null);
    float[] a = weights(single);
    float[] b = weights(averaged);
    for (int j = 0; j < a.length; j++) {
      // Tolerance: float rounding of the mean of two gradients against one gradient of the union.
      assertThat(b[j]).isCloseTo(a[j], within(1e-5f));
    }
    // And it learned: the loss fell far below the initial one.
    assertThat(new LinearWorker(false, 64, "").run(averaged, 20, 1, 0, 1).loss())
        .isLessThan(new LinearWorker(false, 64, "").run(empty(), 0, 1, 0, 1).loss() / 10);
  }

  @Test
  void aTaskKilledInARoundIsRetriedAndTheRunEndsAsWithoutTheFault() {
    ParameterAveraging.State clean =
        ParameterAveraging.train(spark, "test", new LinearWorker(true, 32, ""), empty(), 2, 12, s -> 4, null);
    ParameterAveraging.State faulty =
        ParameterAveraging.train(spark, "test", new LinearWorker(true, 32, "1/1"), empty(), 2, 12, s -> 4, null);
    for (String name : clean.arrays().keySet()) {
      assertThat(faulty.arrays().get(name)).as(name).containsExactly(clean.arrays().get(name));
    }
  }

  @Test
  void aRunResumedFromAnAveragedStateContinuesTheSameRounds() {
    LinearWorker worker = new LinearWorker(true, 32, "");
    ParameterAveraging.State whole = ParameterAveraging.train(spark, "test", worker, empty(), 2, 16, s -> 4, null);
    ParameterAveraging.State half = ParameterAveraging.train(spark, "test", worker, empty(), 2, 8, s -> 4, null);
    ParameterAveraging.State resumed = ParameterAveraging.train(spark, "test", worker, half, 2, 16, s -> 4, null);
    for (String name : whole.arrays().keySet()) {
      assertThat(resumed.arrays().get(name)).as(name).containsExactly(whole.arrays().get(name));
    }
  }
}
