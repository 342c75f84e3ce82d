package io.sparkdistill.pipeline.train;

import io.sparkdistill.pipeline.config.OptimizerSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OptimizersTest {

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void cosineWarmsUpFromNearZeroThenDecaysToNearZeroAtTheEnd() {
    OptimizerSettings settings = OptimizerSettings.adam(0.1).withCosine(10);
    int total = 100;
    double[] lr = rates(settings, total);

    assertThat(lr[0]).isCloseTo(0.01, within(1e-6)); // lr * 1 / W
    for (int s = 0; s < 10; s++) {
      assertThat(lr[s]).isCloseTo(0.1 * (s + 1) / 10, within(1e-6));
    }
    assertThat(lr[10]).isLessThan(0.1).isGreaterThan(0.0999);
    for (int s = 10; s < total; s++) {
      assertThat(lr[s]).isLessThanOrEqualTo(lr[s - 1]);
    }
    assertThat(lr[total / 2 + 5]).isCloseTo(0.05, within(0.002)); // half-way after warm-up
    assertThat(lr[total - 1]).isPositive().isLessThan(0.1 * 1e-3);
  }

  @Test
  void cosineWithoutWarmUpStartsAtThePeakRate() {
    double[] lr = rates(OptimizerSettings.sgd(1, 0).withCosine(0), 50);
    assertThat(lr[0]).isGreaterThan(0.99);
    assertThat(lr[49]).isPositive().isLessThan(0.01);
  }

  @Test
  void stepScheduleMultipliesEveryStepEverySteps() {
    double[] lr = rates(OptimizerSettings.sgd(1, 0.9).withStep(10, 0.5, 0), 35);
    assertThat(lr[0]).isEqualTo(1);
    assertThat(lr[9]).isEqualTo(1);
    assertThat(lr[10]).isEqualTo(0.5);
    assertThat(lr[19]).isEqualTo(0.5);
    assertThat(lr[20]).isEqualTo(0.25);
    assertThat(lr[34]).isEqualTo(0.125);

    double[] warm = rates(OptimizerSettings.sgd(1, 0).withStep(10, 0.5, 4), 30);
    assertThat(warm).startsWith(0.25, 0.5, 0.75, 1, 1);
    assertThat(warm[13]).isEqualTo(1); // the decay counts from the end of warm-up
    assertThat(warm[14]).isEqualTo(0.5);
  }

  @Test
  void reportedRateIsTheRateTheOptimizerApplies() {
    // Plain SGD with gradient 1 and no decay: each update moves the weight by exactly -rate.
    OptimizerSettings settings = OptimizerSettings.sgd(0.5, 0).withCosine(3);
    int total = 12;
    Optimizer optimizer = Optimizers.create(settings, total);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray weight = manager.zeros(new Shape(1));
      for (int step = 0; step < total; step++) {
        float before = weight.getFloat();
        optimizer.update("w", weight, manager.ones(new Shape(1)));
        double applied = before - weight.getFloat();
        assertThat(applied)
            .as("step %d", step)
            .isCloseTo(Optimizers.learningRate(settings, total, step), within(1e-6));
      }
    }
  }

  @Test
  void adamAndAdamWAreBuilt() {
    assertThat(Optimizers.create(OptimizerSettings.adam(1e-3), 10).getClass().getSimpleName())
        .isEqualTo("Adam");
    assertThat(
            Optimizers.create(OptimizerSettings.adamW(1e-3, 0.05), 10).getClass().getSimpleName())
        .isEqualTo("AdamW");
  }

  /** Checkpoints carry every optimiser's state; one without known state is refused, not saved empty. */
  @Test
  void everyBuiltOptimiserExportsItsState() {
    for (OptimizerSettings settings :
        List.of(OptimizerSettings.adam(1e-3), OptimizerSettings.adamW(1e-3, 0.05), OptimizerSettings.sgd(0.1, 0.9))) {
      ai.djl.training.optimizer.Optimizer optimizer = Optimizers.create(settings, 10);
      assertThat(OptimizerState.stateFields(optimizer)).as(settings.type().toString()).isNotEmpty();
      OptimizerState.Snapshot snapshot =
          OptimizerState.export(optimizer, ai.djl.nn.core.Linear.builder().setUnits(1).build());
      assertThat(snapshot.numUpdate()).isZero();
    }
    ai.djl.training.optimizer.Optimizer nag =
        ai.djl.training.optimizer.Optimizer.nag()
            .setLearningRateTracker(ai.djl.training.tracker.Tracker.fixed(0.1f))
            .setMomentum(0.9f)
            .build();
    assertThatThrownBy(() -> OptimizerState.export(nag, ai.djl.nn.core.Linear.builder().setUnits(1).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ai.djl.training.optimizer.Nag cannot be checkpointed");
  }

  @Test
  void invalidSettingsNameTheField() {
    assertThatThrownBy(() -> OptimizerSettings.adam(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("learningRate must be positive and finite, got 0.0");
    assertThatThrownBy(() -> OptimizerSettings.sgd(0.1, 1))
        .hasMessage("momentum must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> OptimizerSettings.adam(0.1).withStep(0, 0.5, 0))
        .hasMessage("stepEvery must be at least 1, got 0");
    assertThatThrownBy(() -> OptimizerSettings.adam(0.1).withStep(5, 1.5, 0))
        .hasMessage("stepFactor must be in (0, 1], got 1.5");
    assertThatThrownBy(() -> Optimizers.tracker(OptimizerSettings.adam(0.1).withCosine(10), 10))
        .hasMessage("warmupSteps (10) must be less than totalSteps (10)");
  }

  private static double[] rates(OptimizerSettings settings, int total) {
    double[] out = new double[total];
    for (int s = 0; s < total; s++) {
      out[s] = Optimizers.learningRate(settings, total, s);
    }
    return out;
  }
}
