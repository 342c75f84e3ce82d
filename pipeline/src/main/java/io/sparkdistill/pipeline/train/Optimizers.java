package io.sparkdistill.pipeline.train;

import io.sparkdistill.pipeline.config.OptimizerSettings;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/**
 * Builds DJL optimisers and learning-rate trackers from {@link OptimizerSettings}, and reports the
 * rate a given step uses.
 *
 * <p><b>Step numbering.</b> DJL's optimisers count updates per parameter from 1: the update made by
 * our 0-based step {@code s} asks the tracker for {@code getNewValue(s + 1)}. {@link
 * #learningRate(Tracker, int)} applies the same offset, so the reported rate is exactly the one
 * used.
 *
 * <p><b>Schedules</b> with total steps {@code T}, warm-up {@code W} and peak rate {@code lr}:
 *
 * <ul>
 *   <li>Warm-up (DJL {@code WarmUpTracker}, linear from 0): step {@code s < W} uses {@code lr *
 *       (s+1) / W}, reaching {@code lr} at step {@code W-1}; afterwards the main schedule sees
 *       {@code u = s + 1 - W}.
 *   <li>CONSTANT: {@code lr} ({@code Tracker.fixed}).
 *   <li>COSINE (DJL {@code CosineTracker}, final value 0, {@code maxUpdates = T - W + 1}): {@code
 *       lr/2 * (1 + cos(pi * u / (T - W + 1)))}; the last step uses a small positive rate and the
 *       curve reaches 0 one step after the end. (DJL's default final value is 0.01, not 0.)
 *   <li>STEP: {@code lr * stepFactor^floor((s - W) / stepEvery)}. Our own stateless tracker: DJL's
 *       {@code FactorTracker} decays on every update and {@code MultiFactorTracker} keeps state, so
 *       it cannot be queried out of order.
 * </ul>
 */
public final class Optimizers {

  private Optimizers() {}

  /**
   * A new DJL optimiser with the settings' learning-rate tracker.
   *
   * @param settings optimiser and schedule
   * @param totalSteps number of steps the run will make (the cosine schedule ends there)
   * @return a new optimiser (it keeps per-parameter state: use one per training run)
   */
  public static Optimizer create(OptimizerSettings settings, int totalSteps) {
    Tracker tracker = tracker(settings, totalSteps);
    float decay = (float) settings.weightDecay();
    return switch (settings.type()) {
      case SGD ->
          Optimizer.sgd()
              .setLearningRateTracker(tracker)
              .optMomentum((float) settings.momentum())
              .optWeightDecays(decay)
              .build();
      case ADAM -> Optimizer.adam().optLearningRateTracker(tracker).optWeightDecays(decay).build();
      case ADAMW ->
          Optimizer.adamW().optLearningRateTracker(tracker).optWeightDecays(decay).build();
    };
  }

  /**
   * The learning-rate tracker of the settings; stateless, so it may be queried in any order.
   *
   * @param settings optimiser and schedule
   * @param totalSteps number of steps of the run
   * @return the tracker, indexed by DJL's 1-based update count
   */
  public static Tracker tracker(OptimizerSettings settings, int totalSteps) {
    if (totalSteps < 1) {
      throw new IllegalArgumentException("totalSteps must be at least 1, got " + totalSteps);
    }
    int warmup = settings.warmupSteps();
    if (warmup >= totalSteps && settings.schedule() == OptimizerSettings.Schedule.COSINE) {
      throw new IllegalArgumentException(
          "warmupSteps (" + warmup + ") must be less than totalSteps (" + totalSteps + ")");
    }
    float lr = (float) settings.learningRate();
    Tracker main =
        switch (settings.schedule()) {
          case CONSTANT -> Tracker.fixed(lr);
          case COSINE ->
              Tracker.cosine()
                  .setBaseValue(lr)
                  .optFinalValue(0f)
                  .setMaxUpdates(totalSteps - warmup + 1)
                  .build();
          case STEP -> stepDecay(lr, settings.stepEvery(), (float) settings.stepFactor());
        };
    if (warmup == 0) {
      return main;
    }
    return Tracker.warmUp().setMainTracker(main).optWarmUpSteps(warmup).build();
  }

  /**
   * The learning rate step {@code step} uses.
   *
   * @param tracker a tracker from {@link #tracker}
   * @param step 0-based step index
   * @return the rate of that step's update
   */
  public static double learningRate(Tracker tracker, int step) {
    return tracker.getNewValue(step + 1);
  }

  /**
   * The learning rate step {@code step} uses.
   *
   * @param settings optimiser and schedule
   * @param totalSteps number of steps of the run
   * @param step 0-based step index
   * @return the rate of that step's update
   */
  public static double learningRate(OptimizerSettings settings, int totalSteps, int step) {
    return learningRate(tracker(settings, totalSteps), step);
  }

  /** {@code base * factor^floor((u - 1) / every)} for DJL update count {@code u} (clamped at 0). */
  private static Tracker stepDecay(float base, int every, float factor) {
    return update -> {
      int index = Math.max(0, update - 1);
      return (float) (base * Math.pow(factor, index / every));
    };
  }
}
