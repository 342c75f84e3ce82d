package io.sparkdistill.pipeline.train;

import io.sparkdistill.pipeline.config.OptimizerSettings;
import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SymbolBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;

/**
 * Our training loop on the DJL API (not {@code EasyTrain.fit}): the loss, schedule and data order
 * are explicit, and every array lives in a per-step sub-manager closed at the end of the step.
 *
 * <pre>{@code
 * try (Model model = spec.newModel("student", Device.cpu())) {
 *   TrainResult result =
 *       TrainLoop.builder()
 *           .setModel(model)
 *           .setTrainData(train)
 *           .setNormalization(Normalization.fit(train))
 *           .setBatchSize(128)
 *           .setTotalSteps(2000)
 *           .setOptimizer(OptimizerSettings.adam(1e-3).withCosine(100))
 *           .setLoss(StepLoss.crossEntropy())
 *           .optSeed(7)
 *           .optEvaluation(test, 500)
 *           .optListener(StepListener.logging("[train] model", 100))
 *           .build()
 *           .run();
 * }
 * }</pre>
 *
 * <p>Each step: take the next {@code batchSize} indices of a shuffled permutation (a new shuffle
 * per epoch; the last partial batch of an epoch is dropped), build the batch (augmenting copies of
 * the images when an {@link Augmenter} is set), forward in a {@link GradientCollector}, compute the
 * {@link StepLoss}, backward, {@code trainer.step()}, then read each loss part with one {@code
 * getFloat()}. Evaluation runs every {@code everySteps} steps and after the last step; its time is
 * not counted in {@link StepMetrics#wallSeconds()}.
 *
 * <p><b>Determinism.</b> {@link #run()} calls {@code Engine.setRandomSeed(seed)} before
 * initialising a fresh model, draws the data order from a {@link Random} of the seed and each
 * step's augmentations from a {@link Random} of (seed, step) (so turning augmentation on does not
 * change the order, and a resumed run repeats the draws). The same seed, model spec, data and
 * thread settings give the same initial parameters, batches and loss curve. The engine seed is
 * global: it also reseeds the engine for anything else in the JVM.
 *
 * <p>The step loop itself (seeding, schedule, resume, evaluations, checkpoints, listeners) is
 * {@link StepLoop}, shared with the masked-language-model loop.
 *
 * <p><b>Checkpoints.</b> With {@link Builder#optCheckpoints} the loop saves parameters, optimiser
 * state and metrics every N steps and resumes from the newest checkpoint; the engine is reseeded
 * at every checkpoint boundary, so dropout draws after a resume match an uninterrupted run.
 *
 * <p><b>Model.</b> The caller owns the model: it must hold a block (e.g. {@code
 * ModelSpec.newModel}); an uninitialised block is initialised here, an initialised one (loaded from
 * a checkpoint) is trained further. {@link #run()} again continues training the same model with a
 * fresh optimiser state and schedule. DJL keeps optimiser state (e.g. Adam's two moments per
 * parameter) in the model's manager, so each run leaves it there until the model is closed; nothing
 * accumulates per step.
 *
 * <p><b>Threads.</b> Nothing here changes thread settings; size the PyTorch engine with the {@code
 * ai.djl.pytorch.num_threads} / {@code ai.djl.pytorch.num_interop_threads} system properties before
 * the engine loads. DJL allows one gradient collector at a time per JVM.
 */
public final class TrainLoop {
  private final StepLoop.Settings settings;
  private final Model model;
  private final ImageArrays trainData;
  private final Normalization normalization;
  private final StepLoss loss;
  private final long seed;
  private final Augmenter augmenter;
  private final ImageArrays testData;
  private final int evaluationBatchSize;

  private TrainLoop(Builder b) {
    this.model = b.model;
    this.trainData = b.trainData;
    this.normalization = b.normalization;
    this.loss = b.loss;
    this.seed = b.seed;
    this.augmenter = b.augmenter;
    this.testData = b.testData;
    this.evaluationBatchSize = b.evaluationBatchSize;
    this.settings =
        b.settings(
            new Shape[] {new Shape(b.batchSize, trainData.channels(), trainData.height(), trainData.width())},
            trainData.size());
  }

  /**
   * A new builder.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Trains for the configured number of steps.
   *
   * @return per-step metrics and the final test accuracy
   */
  public TrainResult run() {
    return StepLoop.run(
        settings,
        (trainer, indices, step) -> trainStep(trainer, indices, step, augmentationRandom(step)),
        testData == null
            ? null
            : step ->
                new StepLoop.Evaluated(
                    OptionalDouble.of(Evaluation.accuracy(model, testData, normalization, evaluationBatchSize)),
                    OptionalDouble.empty()));
  }

  /**
   * DJL's {@code Parameter.load} (checkpoints, {@code Model.load}) replaces each array without
   * asking for its gradient, so a loaded model would silently not learn: ask for it again.
   *
   * @param block an initialised block about to be trained
   */
  public static void attachGradients(Block block) {
    for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : block.getParameters()) {
      NDArray array = p.getValue().getArray();
      if (p.getValue().requiresGradient() && !array.hasGradient()) {
        array.setRequiresGradient(true);
      }
    }
  }

  /** The augmentation draws of one step, from (seed, step) only, so that a resumed run repeats them. */
  private Random augmentationRandom(int step) {
    return new Random((seed ^ 0x5DEECE66DL) * 31 + step);
  }

  private Map<String, Double> trainStep(
      Trainer trainer, int[] indices, int step, Random augmentation) {
    try (NDManager batchManager = model.getNDManager().newSubManager()) {
      NDArray images =
          ImageBatches.toBatch(
              batchManager, trainData, indices, normalization, augmenter, augmentation);
      NDArray labels = ImageBatches.labels(batchManager, trainData, indices);
      Batch batch = new Batch(images, labels, indices, step);
      LossParts parts;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(new NDList(images)).singletonOrThrow();
        parts = loss.compute(logits, batch, step);
        collector.backward(parts.total());
      }
      trainer.step();
      return parts.values();
    }
  }

  /**
   * DJL seeds take an int: the low 32 bits xor the high 32 bits.
   *
   * @param seed the run's seed
   * @return the engine seed
   */
  public static int engineSeed(long seed) {
    return Long.hashCode(seed);
  }

  /**
   * Builds a {@link TrainLoop}: the shared settings of {@link LoopBuilder} and the image step's
   * data, normalisation, loss and augmentation; {@code set*} are required, {@code opt*} have
   * defaults.
   */
  public static final class Builder extends LoopBuilder<Builder> {
    private ImageArrays trainData;
    private Normalization normalization;
    private StepLoss loss;
    private Augmenter augmenter;
    private ImageArrays testData;

    private Builder() {
      super(256);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * The training images.
     *
     * @param data training set, at least {@code batchSize} images
     * @return this builder
     */
    public Builder setTrainData(ImageArrays data) {
      this.trainData = data;
      return this;
    }

    /**
     * The input normalisation, also used for evaluation.
     *
     * @param normalization mean and std on the [0, 1] scale
     * @return this builder
     */
    public Builder setNormalization(Normalization normalization) {
      this.normalization = normalization;
      return this;
    }




    /**
     * The loss, e.g. {@link StepLoss#crossEntropy()}.
     *
     * @param loss the loss
     * @return this builder
     */
    public Builder setLoss(StepLoss loss) {
      this.loss = loss;
      return this;
    }


    /**
     * Augmentation applied to copies of the training images. Default none.
     *
     * @param augmenter the augmenter, or null for none
     * @return this builder
     */
    public Builder optAugmentation(Augmenter augmenter) {
      this.augmenter = augmenter;
      return this;
    }

    /**
     * Test data to evaluate accuracy on every {@code everySteps} steps and after the last step.
     *
     * @param test test images of the training images' shape
     * @param everySteps evaluation interval in steps; 0 evaluates after the last step only
     * @return this builder
     */
    public Builder optEvaluation(ImageArrays test, int everySteps) {
      this.testData = test;
      this.evaluateEvery = everySteps;
      return this;
    }



    /**
     * Checks the settings and builds the loop.
     *
     * @return the loop
     * @throws IllegalArgumentException naming the first missing or invalid setting
     */
    public TrainLoop build() {
      BuilderChecks.require(trainData, "setTrainData");
      BuilderChecks.require(normalization, "setNormalization");
      BuilderChecks.require(loss, "setLoss");
      checkShared(trainData.size(), "training images", testData != null);
      if (model.getBlock() instanceof SymbolBlock) {
        throw new IllegalArgumentException(
            "model '"
                + model.getName()
                + "' is a TorchScript (symbol) block; TrainLoop trains DJL blocks built from a"
                + " ModelSpec");
      }
      normalization.checkChannels(trainData.channels());
      if (testData != null) {
        if (testData.height() != trainData.height()
            || testData.width() != trainData.width()
            || testData.channels() != trainData.channels()) {
          throw new IllegalArgumentException(
              "test images are "
                  + testData.height()
                  + "x"
                  + testData.width()
                  + "x"
                  + testData.channels()
                  + " but training images are "
                  + trainData.height()
                  + "x"
                  + trainData.width()
                  + "x"
                  + trainData.channels());
        }
      }
      return new TrainLoop(this);
    }
  }
}
