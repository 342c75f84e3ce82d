package io.sparkdistill.pipeline.train;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import io.sparkdistill.pipeline.config.OptimizerSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings every training loop shares, for the builders of the task-specific steps ({@link
 * TrainLoop} for images, {@code maskedlm.MlmTrainLoop} for masked-language models): the model, the
 * step budget and batch, the optimiser, the seed, checkpoints, evaluation cadence and listeners.
 * As DJL's {@code BaseBuilder}, a subclass adds only what its step needs; both hand {@link
 * #settings} to the one {@link StepLoop}. {@code set*} are required, {@code opt*} have defaults.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class LoopBuilder<B extends LoopBuilder<B>> {
  protected Model model;
  protected int batchSize;
  protected int totalSteps;
  protected OptimizerSettings optimizer;
  protected long seed = 42;
  protected int evaluateEvery;
  protected int evaluationBatchSize;
  protected final List<StepListener> listeners = new ArrayList<>();
  protected TrainCheckpoints checkpoints;
  protected int checkpointEvery;

  /** @param evaluationBatchSize the default rows per forward pass while evaluating */
  protected LoopBuilder(int evaluationBatchSize) {
    this.evaluationBatchSize = evaluationBatchSize;
  }

  /** This builder, as its concrete type. */
  protected abstract B self();

  /** The model to train; it must hold a block. The caller keeps ownership and closes it. */
  public B setModel(Model model) {
    this.model = model;
    return self();
  }

  /** Examples per step: at least 1 and at most the training set size. */
  public B setBatchSize(int batchSize) {
    this.batchSize = batchSize;
    return self();
  }

  /** Number of optimiser steps, at least 1; the schedule spans them. */
  public B setTotalSteps(int totalSteps) {
    this.totalSteps = totalSteps;
    return self();
  }

  /** Optimiser and learning-rate schedule. */
  public B setOptimizer(OptimizerSettings settings) {
    this.optimizer = settings;
    return self();
  }

  /**
   * Seed of the engine (initial parameters, dropout), the data order and any augmentation. Default
   * 42. DJL's engine seed is an int: it gets {@code Long.hashCode(seed)}.
   */
  public B optSeed(long seed) {
    this.seed = seed;
    return self();
  }

  /**
   * Checkpoints every {@code everySteps} steps and after the last step into {@code checkpoints},
   * and resumes from its newest checkpoint when there is one: parameters, optimiser state, data
   * order, augmentation draws and the metrics so far, so that the resumed run makes the same
   * curve as an uninterrupted one. A finished run resumes to its end without training.
   *
   * @param checkpoints where the checkpoints live (one folder per run)
   * @param everySteps interval in steps, at least 1
   */
  public B optCheckpoints(TrainCheckpoints checkpoints, int everySteps) {
    BuilderChecks.atLeast("checkpoint everySteps", everySteps, 1);
    this.checkpoints = checkpoints;
    this.checkpointEvery = everySteps;
    return self();
  }

  /** Rows per forward pass while evaluating, at least 1. */
  public B optEvaluationBatchSize(int size) {
    this.evaluationBatchSize = size;
    return self();
  }

  /** Adds a listener told about every step. */
  public B optListener(StepListener listener) {
    listeners.add(BuilderChecks.notNull(listener, "listener"));
    return self();
  }

  /** Checks the shared settings; {@code examples} is the training set size, {@code examplesName} what it counts. */
  protected void checkShared(int examples, String examplesName, boolean evaluates) {
    BuilderChecks.require(model, "setModel");
    BuilderChecks.require(optimizer, "setOptimizer");
    if (model.getBlock() == null) {
      throw new IllegalArgumentException(
          "model '" + model.getName() + "' has no block; use ModelSpec.newModel or setBlock");
    }
    BuilderChecks.atLeast("batchSize", batchSize, 1);
    if (batchSize > examples) {
      throw new IllegalArgumentException(
          "batchSize " + batchSize + " exceeds the " + examples + " " + examplesName);
    }
    BuilderChecks.atLeast("totalSteps", totalSteps, 1);
    Optimizers.tracker(optimizer, totalSteps); // validates warm-up against total steps
    if (evaluates) {
      BuilderChecks.atLeast("evaluation everySteps", evaluateEvery, 0);
    }
    BuilderChecks.atLeast("evaluation batch size", evaluationBatchSize, 1);
  }

  /** The one loop's settings for a block taking {@code inputShapes} over {@code examples}. */
  protected StepLoop.Settings settings(Shape[] inputShapes, int examples) {
    return new StepLoop.Settings(
        model, inputShapes, optimizer, totalSteps, batchSize, examples, seed, evaluateEvery, checkpoints,
        checkpointEvery, List.copyOf(listeners), false);
  }
}
