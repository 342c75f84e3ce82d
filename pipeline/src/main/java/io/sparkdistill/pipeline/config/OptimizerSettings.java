package io.sparkdistill.pipeline.config;

/**
 * How parameters are updated: the optimiser and its learning-rate schedule. Immutable and validated
 * on construction; {@link Optimizers} turns it into a DJL optimiser.
 *
 * @param type the optimiser
 * @param learningRate peak learning rate, positive
 * @param momentum SGD momentum in [0, 1); ignored by ADAM and ADAMW (their beta1 is DJL's 0.9)
 * @param weightDecay at least 0: L2 added to the gradient for SGD and ADAM, decoupled for ADAMW
 * @param schedule how the rate changes after warm-up
 * @param warmupSteps linear warm-up length in steps, at least 0 (0 for none)
 * @param stepEvery STEP schedule: steps between decays, at least 1 (unused by other schedules)
 * @param stepFactor STEP schedule: multiplier per decay, in (0, 1] (unused by other schedules)
 */
public record OptimizerSettings(
    Type type,
    double learningRate,
    double momentum,
    double weightDecay,
    Schedule schedule,
    int warmupSteps,
    int stepEvery,
    double stepFactor) {

  /** The optimisers. */
  public enum Type {
    /** Stochastic gradient descent, with optional (heavy-ball) momentum. */
    SGD,
    /** Adam (Kingma and Ba 2015); weight decay is an L2 term. */
    ADAM,
    /** Adam with decoupled weight decay (Loshchilov and Hutter 2019). */
    ADAMW
  }

  /** The learning-rate schedules; each may be preceded by a linear warm-up. */
  public enum Schedule {
    /** The learning rate throughout. */
    CONSTANT,
    /** Half a cosine from the learning rate down to 0 at the end of training. */
    COSINE,
    /** The learning rate times {@code stepFactor} after every {@code stepEvery} steps. */
    STEP
  }

  /** Validates every field; errors name it. */
  public OptimizerSettings {
    if (type == null) {
      throw new IllegalArgumentException("type must be set (one of SGD, ADAM, ADAMW)");
    }
    if (schedule == null) {
      throw new IllegalArgumentException("schedule must be set (one of CONSTANT, COSINE, STEP)");
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "learningRate must be positive and finite, got " + learningRate);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weightDecay must be at least 0, got " + weightDecay);
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warmupSteps must be at least 0, got " + warmupSteps);
    }
    if (stepEvery < 1) {
      throw new IllegalArgumentException("stepEvery must be at least 1, got " + stepEvery);
    }
    if (!(stepFactor > 0 && stepFactor <= 1)) {
      throw new IllegalArgumentException("stepFactor must be in (0, 1], got " + stepFactor);
    }
  }

  /**
   * Plain SGD at a constant rate.
   *
   * @param learningRate the learning rate
   * @param momentum momentum in [0, 1)
   * @return the settings
   */
  public static OptimizerSettings sgd(double learningRate, double momentum) {
    return new OptimizerSettings(Type.SGD, learningRate, momentum, 0, Schedule.CONSTANT, 0, 1, 1);
  }

  /**
   * Adam at a constant rate.
   *
   * @param learningRate the learning rate
   * @return the settings
   */
  public static OptimizerSettings adam(double learningRate) {
    return new OptimizerSettings(Type.ADAM, learningRate, 0, 0, Schedule.CONSTANT, 0, 1, 1);
  }

  /**
   * AdamW at a constant rate.
   *
   * @param learningRate the learning rate
   * @param weightDecay decoupled weight decay
   * @return the settings
   */
  public static OptimizerSettings adamW(double learningRate, double weightDecay) {
    return new OptimizerSettings(
        Type.ADAMW, learningRate, 0, weightDecay, Schedule.CONSTANT, 0, 1, 1);
  }

  /**
   * These settings with a cosine schedule after {@code warmupSteps} of linear warm-up.
   *
   * @param warmupSteps warm-up length, 0 for none
   * @return the new settings
   */
  public OptimizerSettings withCosine(int warmupSteps) {
    return new OptimizerSettings(
        type,
        learningRate,
        momentum,
        weightDecay,
        Schedule.COSINE,
        warmupSteps,
        stepEvery,
        stepFactor);
  }

  /**
   * These settings with a step schedule after {@code warmupSteps} of linear warm-up.
   *
   * @param every steps between decays
   * @param factor multiplier per decay
   * @param warmupSteps warm-up length, 0 for none
   * @return the new settings
   */
  public OptimizerSettings withStep(int every, double factor, int warmupSteps) {
    return new OptimizerSettings(
        type, learningRate, momentum, weightDecay, Schedule.STEP, warmupSteps, every, factor);
  }

  /**
   * These settings with another weight decay.
   *
   * @param decay the weight decay
   * @return the new settings
   */
  public OptimizerSettings withWeightDecay(double decay) {
    return new OptimizerSettings(
        type, learningRate, momentum, decay, schedule, warmupSteps, stepEvery, stepFactor);
  }

  /**
   * The same settings with another warm-up length.
   *
   * @param steps warm-up steps, at least 0
   * @return the settings
   */
  public OptimizerSettings withWarmupSteps(int steps) {
    return new OptimizerSettings(
        type, learningRate, momentum, weightDecay, schedule, steps, stepEvery, stepFactor);
  }

  /**
   * These settings for a run of {@code totalSteps} steps: the warm-up shortened to a fifth of the
   * run when the run is too short for it (quick runs on subsets, small budgets), so that a
   * schedule never fails after the expensive stages ran.
   *
   * @param totalSteps steps of the run
   * @return these settings, or a copy with the shorter warm-up
   */
  public OptimizerSettings fittedTo(int totalSteps) {
    int warmup = Math.min(warmupSteps, totalSteps / 5);
    return warmup == warmupSteps ? this : withWarmupSteps(warmup);
  }
}
