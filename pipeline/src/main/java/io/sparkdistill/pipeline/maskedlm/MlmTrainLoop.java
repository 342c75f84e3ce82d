package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.models.MlmBlock;
import io.sparkdistill.pipeline.models.MlmSpec;
import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import io.sparkdistill.pipeline.distill.KdLoss;
import io.sparkdistill.pipeline.train.BuilderChecks;
import io.sparkdistill.pipeline.train.LoopBuilder;
import io.sparkdistill.pipeline.train.LossParts;
import io.sparkdistill.pipeline.config.OptimizerSettings;
import io.sparkdistill.pipeline.train.Optimizers;
import io.sparkdistill.pipeline.train.StepListener;
import io.sparkdistill.pipeline.train.StepLoop;
import io.sparkdistill.pipeline.train.StepLoss;
import io.sparkdistill.pipeline.train.StepMetrics;
import io.sparkdistill.pipeline.train.TrainCheckpoints;
import io.sparkdistill.pipeline.train.TrainLoop;
import io.sparkdistill.pipeline.train.TrainResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The masked-language-model training loop: {@link TrainLoop}'s {@link StepLoop} (seeded data
 * order, schedule, checkpoints and resume, one {@link StepMetrics} per step, {@link StepListener}s)
 * over {@link MlmData} and an {@link MlmBlock}, with a sub-manager per step.
 *
 * <pre>{@code
 * try (Model model = spec.newModel("teacher", Device.cpu())) {
 *   MlmTrainResult result =
 *       MlmTrainLoop.builder()
 *           .setModel(model).setSpec(spec).setTrainData(train)
 *           .setBatchSize(32).setTotalSteps(2000)
 *           .setOptimizer(OptimizerSettings.adamW(1e-3, 0.01).withCosine(100))
 *           .optEvaluation(heldOut, 500)
 *           .build().run();
 * }
 * }</pre>
 *
 * <p>The loss is over the N real masked positions of the batch (the block's output rows selected
 * by {@link MlmBatch#atMaskedPositions}): the cross-entropy with the original tokens (part {@code
 * ce}), or, with {@link Builder#optDistillation}, {@link KdLoss} over those rows, the targets looked
 * up by row number ({@code (1 - alpha) CE + alpha T^2 KL}, with its stop step; parts {@code ce} and
 * {@code kd}).
 *
 * <p><b>Determinism.</b> As {@link TrainLoop}: the engine is seeded with the seed before a fresh
 * block is initialised, the data order comes from the seed only; the same seed, spec, data and
 * thread settings give the same loss curve.
 *
 * <p><b>Checkpoints.</b> As {@link TrainLoop}, with {@link TrainCheckpoints}: parameters, optimiser
 * state and step metrics every N steps, the engine reseeded at every checkpoint boundary, and a
 * resumed run makes the same curve as an uninterrupted one. {@link MlmTrainResult#evaluations()}
 * holds the evaluations of this invocation only; those before a resume survive as the steps'
 * {@code testAccuracy} and {@code testPerplexity}.
 */
public final class MlmTrainLoop {
  private final StepLoop.Settings settings;
  private final Model model;
  private final MlmData trainData;
  private final KdLoss distillation;
  private final MlmData heldOut;
  private final int evaluationBatchSize;
  private final Loss crossEntropy = Loss.softmaxCrossEntropyLoss(StepLoss.CE);

  private MlmTrainLoop(
      StepLoop.Settings settings, MlmData trainData, KdLoss distillation, MlmData heldOut, int evaluationBatchSize) {
    this.settings = settings;
    this.model = settings.model();
    this.trainData = trainData;
    this.distillation = distillation;
    this.heldOut = heldOut;
    this.evaluationBatchSize = evaluationBatchSize;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Trains for the configured number of steps.
   *
   * @return per-step metrics and the held-out evaluations
   */
  public MlmTrainResult run() {
    List<MlmEvaluation> evaluations = new ArrayList<>();
    TrainResult training =
        StepLoop.run(
            settings,
            (trainer, indices, step) -> {
              Map<String, Double> losses = trainStep(trainer, indices, step);
              if (!Double.isFinite(losses.get(LossParts.TOTAL))) {
                throw new IllegalStateException(
                    "model '" + model.getName() + "': the loss is " + losses + " at step " + step
                        + "; lower the learning rate");
              }
              return losses;
            },
            heldOut == null
                ? null
                : step -> {
                  MlmEvaluation evaluation = MlmEvaluation.of(model, heldOut, evaluationBatchSize, step);
                  evaluations.add(evaluation);
                  return new StepLoop.Evaluated(
                      OptionalDouble.of(evaluation.accuracy()), OptionalDouble.of(evaluation.perplexity()));
                });
    return new MlmTrainResult(training, evaluations);
  }

  private Map<String, Double> trainStep(Trainer trainer, int[] indices, int step) {
    try (NDManager batchManager = model.getNDManager().newSubManager()) {
      MlmBatch batch = trainData.batch(batchManager, indices);
      LossParts parts;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray output = trainer.forward(batch.inputs()).singletonOrThrow();
        NDArray logProbs = batch.atMaskedPositions(output);
        parts =
            distillation != null
                ? distillation.compute(logProbs, batch.labels(), batch.rows(), step)
                : LossParts.single(
                    StepLoss.CE,
                    crossEntropy.evaluate(new NDList(batch.labels()), new NDList(logProbs)));
        collector.backward(parts.total());
      }
      trainer.step();
      return parts.values();
    }
  }

  /**
   * Builds an {@link MlmTrainLoop}: the shared settings of {@link LoopBuilder} and the masked
   * language model's spec, sequences, distillation and held-out sequences; {@code set*} are
   * required, {@code opt*} have defaults.
   */
  public static final class Builder extends LoopBuilder<Builder> {
    private MlmSpec spec;
    private MlmData trainData;
    private KdLoss distillation;
    private MlmData heldOut;

    private Builder() {
      super(64);
    }

    @Override
    protected Builder self() {
      return this;
    }



    /** The spec the model's block was built from (for the input shapes). */
    public Builder setSpec(MlmSpec spec) {
      this.spec = spec;
      return this;
    }

    /** The training sequences, {@code spec.maxSequenceLength()} tokens each. */
    public Builder setTrainData(MlmData data) {
      this.trainData = data;
      return this;
    }




    /**
     * Distils: the loss becomes {@code kd} over the masked positions, its targets indexed by the
     * training data's row numbers (e.g. {@link MlmSoftLabels#targets}). Default: plain MLM
     * cross-entropy.
     */
    public Builder optDistillation(KdLoss loss) {
      this.distillation = loss;
      return this;
    }


    /**
     * Held-out sequences, evaluated every {@code everySteps} steps and after the last step.
     *
     * @param data held-out sequences of the training length
     * @param everySteps interval; 0 evaluates after the last step only
     * @return this builder
     */
    public Builder optEvaluation(MlmData data, int everySteps) {
      this.heldOut = data;
      this.evaluateEvery = everySteps;
      return this;
    }



    /**
     * Checks the settings and builds the loop.
     *
     * @return the loop
     * @throws IllegalArgumentException naming the first missing or invalid setting
     */
    public MlmTrainLoop build() {
      BuilderChecks.require(spec, "setSpec");
      BuilderChecks.require(trainData, "setTrainData");
      checkShared(trainData.size(), "training sequences", heldOut != null);
      if (!(model.getBlock() instanceof MlmBlock)) {
        throw new IllegalArgumentException(
            "model '" + model.getName() + "' must hold an MlmBlock (MlmSpec.newModel), has "
                + model.getBlock());
      }
      checkLength("training", trainData);
      if (heldOut != null) {
        checkLength("held-out", heldOut);
      }
      return new MlmTrainLoop(
          settings(spec.inputShapes(batchSize, trainData.maxMasked()), trainData.size()), trainData, distillation,
          heldOut, evaluationBatchSize);
    }

    private void checkLength(String what, MlmData data) {
      if (data.maxTokenId() >= spec.vocabularySize()) {
        throw new IllegalArgumentException(
            what + " sequences hold token id " + data.maxTokenId() + "; the spec's vocabulary has "
                + spec.vocabularySize() + " tokens");
      }
      if (data.sequenceLength() != spec.maxSequenceLength()) {
        throw new IllegalArgumentException(
            what + " sequences have " + data.sequenceLength() + " tokens; the spec's"
                + " maxSequenceLength is " + spec.maxSequenceLength()
                + " (DJL's BertBlock needs them equal)");
      }
    }
  }
}
