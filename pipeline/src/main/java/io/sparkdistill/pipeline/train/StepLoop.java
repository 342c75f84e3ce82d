package io.sparkdistill.pipeline.train;

import io.sparkdistill.pipeline.config.OptimizerSettings;
import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one training loop, for teachers, students and downstream fine-tuning alike: the seeded engine
 * and data order, the optimiser and its schedule, resuming from the newest checkpoint, one {@link
 * StepMetrics} per step, held-out evaluations every N steps and after the last, checkpoints every N
 * steps and after the last, and the listeners. What differs is how one step and one evaluation are
 * done, which the task passes in: {@link TrainLoop} for image classifiers, {@code
 * maskedlm.MlmTrainLoop} for masked-language models (both built on {@link LoopBuilder}'s shared
 * settings), {@code downstream.FineTuner} for the downstream classifier.
 *
 * <p><b>Determinism.</b> The engine is seeded with the seed before a fresh block is initialised and
 * reseeded at every checkpoint boundary, so a run resumed there draws the same dropout; the data
 * order depends on the seed only and is replayed up to the resumed step.
 */
public final class StepLoop {
  private static final Logger LOG = LoggerFactory.getLogger(StepLoop.class);

  /** One optimiser step over the examples at {@code indices}; returns the loss parts. */
  @FunctionalInterface
  public interface Step {
    Map<String, Double> run(Trainer trainer, int[] indices, int step);
  }

  /** The held-out evaluation after step {@code step}. */
  @FunctionalInterface
  public interface Evaluate {
    Evaluated after(int step);
  }

  /**
   * What one evaluation measured.
   *
   * @param accuracy held-out accuracy
   * @param perplexity held-out perplexity (masked-language models; empty otherwise)
   */
  public record Evaluated(OptionalDouble accuracy, OptionalDouble perplexity) {}

  /**
   * The settings the two loops share, validated by their builders.
   *
   * @param model the model to train, holding an uninitialised or loaded block
   * @param inputShapes the shapes that initialise the block (a batch of {@code batchSize})
   * @param optimizer optimiser and schedule over {@code totalSteps}
   * @param totalSteps steps to train
   * @param batchSize examples per step
   * @param examples training examples the data order runs over
   * @param seed the engine's and the data order's seed
   * @param evaluateEvery evaluation interval in steps; 0 = after the last step only
   * @param checkpoints where checkpoints go; null for none
   * @param checkpointEvery checkpoint interval in steps (with {@code checkpoints})
   * @param listeners told about every step
   * @param pretrainedParts true when the block holds initialised parts under new ones (a pre-trained
   *     encoder under a new head): DJL initialises the new parts without giving the kept arrays a
   *     gradient, so the loop attaches one
   */
  public record Settings(
      Model model,
      Shape[] inputShapes,
      OptimizerSettings optimizer,
      int totalSteps,
      int batchSize,
      int examples,
      long seed,
      int evaluateEvery,
      TrainCheckpoints checkpoints,
      int checkpointEvery,
      List<StepListener> listeners,
      boolean pretrainedParts) {}

  private StepLoop() {}

  /**
   * Trains for {@code settings.totalSteps()} steps, resuming from the newest checkpoint if any.
   *
   * @param settings the shared settings
   * @param step how to do one step
   * @param evaluate how to evaluate on held-out data; null when there is none
   * @return per-step metrics (those before a resume included), the last evaluation's accuracy and
   *     the training seconds
   */
  public static TrainResult run(Settings settings, Step step, Evaluate evaluate) {
    Model model = settings.model();
    int totalSteps = settings.totalSteps();
    long seed = settings.seed();
    TrainCheckpoints checkpoints = settings.checkpoints();
    Engine engine = model.getNDManager().getEngine();
    engine.setRandomSeed(TrainLoop.engineSeed(seed));
    Tracker tracker = Optimizers.tracker(settings.optimizer(), totalSteps);
    Optimizer update = Optimizers.create(settings.optimizer(), totalSteps);
    DefaultTrainingConfig config =
        // The trainer needs a Loss; the loops compute theirs in their step, so it is never evaluated.
        new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
            .optOptimizer(update)
            .optDevices(new Device[] {model.getNDManager().getDevice()});
    List<StepMetrics> steps = new ArrayList<>(totalSteps);
    double trainSeconds = 0;
    long samples = 0;
    int start = 0;
    Block block = model.getBlock();
    TrainCheckpoints.Saved resumed = checkpoints == null ? null : checkpoints.latest().orElse(null);
    if (resumed != null) {
      if (resumed.nextStep() > totalSteps) {
        throw new IllegalStateException(
            "checkpoint " + resumed.folder() + " is at step " + resumed.nextStep() + " of a run of "
                + totalSteps + " steps: it belongs to another run");
      }
      // Parameters go in before the trainer exists: its parameter store caches the arrays it sees.
      if (!block.isInitialized()) {
        block.initialize(model.getNDManager(), DataType.FLOAT32, settings.inputShapes());
      }
      TrainCheckpoints.restoreParameters(resumed, block, model.getNDManager());
      start = resumed.nextStep();
      samples = resumed.samplesSeen();
      trainSeconds = resumed.trainSeconds();
      steps.addAll(resumed.steps());
      LOG.info("resuming {} at step {}/{} from {}", model.getName(), start, totalSteps, resumed.folder());
    }
    if (block.isInitialized()) {
      TrainLoop.attachGradients(block);
    }
    try (Trainer trainer = model.newTrainer(config)) {
      if (!block.isInitialized()) {
        trainer.initialize(settings.inputShapes());
        if (settings.pretrainedParts()) {
          TrainLoop.attachGradients(block);
        }
      }
      if (resumed != null) {
        TrainCheckpoints.restoreOptimizer(resumed, block, update, model.getNDManager());
      }
      EpochOrder order = new EpochOrder(settings.examples(), settings.batchSize(), seed);
      // Replays the data order of the steps already trained: it depends on the seed only.
      order.skip(start);
      for (int s = start; s < totalSteps; s++) {
        if (checkpoints != null && s % settings.checkpointEvery() == 0) {
          // Reseeded at every checkpoint boundary, so a run resumed there draws the same dropout.
          engine.setRandomSeed(TrainLoop.engineSeed(seed * 0x9E3779B97F4A7C15L + s));
        }
        long begin = System.nanoTime();
        for (StepListener listener : settings.listeners()) {
          listener.beforeStep(s, totalSteps);
        }
        Map<String, Double> losses = step.run(trainer, order.next(), s);
        samples += settings.batchSize();
        trainSeconds += (System.nanoTime() - begin) / 1e9;

        boolean last = s == totalSteps - 1;
        Evaluated evaluated =
            evaluate != null
                    && (last || (settings.evaluateEvery() > 0 && (s + 1) % settings.evaluateEvery() == 0))
                ? evaluate.after(s)
                : new Evaluated(OptionalDouble.empty(), OptionalDouble.empty());
        StepMetrics metrics =
            new StepMetrics(
                s, samples, trainSeconds, Optimizers.learningRate(tracker, s), losses,
                evaluated.accuracy(), evaluated.perplexity());
        steps.add(metrics);
        if (checkpoints != null && ((s + 1) % settings.checkpointEvery() == 0 || last)) {
          checkpoints.save(block, update, s + 1, samples, trainSeconds, steps);
        }
        for (StepListener listener : settings.listeners()) {
          listener.onStep(metrics, totalSteps);
        }
      }
    }
    OptionalDouble finalAccuracy =
        evaluate == null ? OptionalDouble.empty() : steps.get(steps.size() - 1).testAccuracy();
    return new TrainResult(steps, finalAccuracy, trainSeconds);
  }
}
