package io.sparkdistill.pipeline.downstream;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import io.sparkdistill.pipeline.config.DownstreamSettings;
import io.sparkdistill.pipeline.models.MlmBlock;
import io.sparkdistill.pipeline.models.MlmSpec;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.models.ModelSpec;
import io.sparkdistill.pipeline.train.BuilderChecks;
import io.sparkdistill.pipeline.train.EpochOrder;
import io.sparkdistill.pipeline.train.Evaluation;
import io.sparkdistill.pipeline.train.LossParts;
import io.sparkdistill.pipeline.config.OptimizerSettings;
import io.sparkdistill.pipeline.train.Optimizers;
import io.sparkdistill.pipeline.train.StepListener;
import io.sparkdistill.pipeline.train.StepLoop;
import io.sparkdistill.pipeline.train.TrainResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Fine-tunes a masked-language model's encoder with a {@link ClassifierBlock} head on a labelled
 * text set and measures its test accuracy: GLUE's protocol at our scale.
 *
 * <pre>{@code
 * FineTuneResult result =
 *     FineTuner.builder()
 *         .setTask("spam-assassin")
 *         .setPretrained(Path.of("runs/brown/train-students/models/kd-best"))  // or setRandomEncoder(spec)
 *         .setTrainData(train).setTestData(test)
 *         .optEpochs(2).optBatchSize(32).optLearningRate(1e-3).optSeed(7)
 *         .optListener(StepListener.logging("[evaluate] spam-assassin kd-best", 20))
 *         .build().run();
 * }</pre>
 *
 * <p>Training: {@code epochs * train / batch} steps (at least 1) of softmax cross-entropy, AdamW
 * (decoupled weight decay) with linear warm-up over the first tenth of the steps, then cosine decay
 * to 0 ({@link Optimizers}); the data order is {@link EpochOrder}'s. The whole network is trained,
 * encoder included, as BERT's fine-tuning does. The test set is evaluated once, after the last step
 * ({@link Evaluation#forEachBatch}, dropout off).
 *
 * <p><b>Determinism.</b> The engine is seeded with the seed before the head (and a fresh encoder)
 * is initialised, and the data order depends on the seed only, so the same seed, encoder, data and
 * thread settings give the same losses and accuracy.
 *
 * <p><b>Pre-trained encoders.</b> The checkpoint (a {@link ModelCheckpoint} folder holding an
 * {@link MlmSpec}) is checked when the tuner is built, before any parameter is read: its vocabulary
 * size must be the one the data were tokenised with, and its sequence length the data's. Its model
 * is loaded for the run and its block becomes the classifier's encoder; the folder is only read.
 */
public final class FineTuner {
  /** Fraction of the steps spent warming the learning rate up, as in BERT's fine-tuning. */
  public static final double WARMUP_FRACTION = 0.1;

  private final String task;
  private final Path checkpoint;
  private final MlmSpec spec;
  private final ClassificationData train;
  private final ClassificationData test;
  private final int classes;
  private final int epochs;
  private final int batchSize;
  private final double learningRate;
  private final double weightDecay;
  private final double dropout;
  private final long seed;
  private final int evaluationBatchSize;
  private final Device device;
  private final DownstreamSettings.Pooling pooling;
  private final List<StepListener> listeners;
  private final Loss crossEntropy = Loss.softmaxCrossEntropyLoss(LossParts.TOTAL);

  private FineTuner(Builder b, MlmSpec spec, int classes) {
    this.task = b.task;
    this.checkpoint = b.checkpoint;
    this.spec = spec;
    this.train = b.train;
    this.test = b.test;
    this.classes = classes;
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.learningRate = b.learningRate;
    this.weightDecay = b.weightDecay;
    this.dropout = b.dropout;
    this.seed = b.seed;
    this.evaluationBatchSize = b.evaluationBatchSize;
    this.device = b.device;
    this.pooling = b.pooling;
    this.listeners = List.copyOf(b.listeners);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Optimiser steps of a run: {@code epochs * trainExamples / batchSize}, at least 1. */
  public static int steps(int epochs, int trainExamples, int batchSize) {
    return (int) Math.max(1, (long) epochs * trainExamples / batchSize);
  }

  /**
   * Fine-tunes and evaluates.
   *
   * @return the test accuracy and what it cost
   */
  public FineTuneResult run() {
    int totalSteps = steps(epochs, train.size(), batchSize);
    OptimizerSettings settings =
        OptimizerSettings.adamW(learningRate, weightDecay)
            .withCosine((int) (totalSteps * WARMUP_FRACTION));
    try (Model pretrained =
            checkpoint == null ? null : ModelCheckpoint.loadModel(checkpoint, device);
        Model model = Model.newInstance(task + "-classifier", device, ModelSpec.ENGINE)) {
      MlmBlock encoder = pretrained == null ? spec.newBlock() : (MlmBlock) pretrained.getBlock();
      model.setBlock(new ClassifierBlock(encoder, spec.hiddenSize(), classes, dropout, pooling));
      // The head is not initialised yet, so the loop initialises the block after seeding the
      // engine: a pre-trained encoder keeps its arrays, the head and a fresh encoder are drawn.
      Shape sequence = new Shape(batchSize, spec.maxSequenceLength());
      StepLoop.Settings loop =
          new StepLoop.Settings(
              model, new Shape[] {sequence, sequence, sequence}, settings, totalSteps, batchSize, train.size(),
              seed, 0, null, 1, listeners, true);
      TrainResult result =
          StepLoop.run(
              loop,
              (trainer, indices, step) -> {
                double loss = trainStep(trainer, model, indices);
                if (!Double.isFinite(loss)) {
                  throw new IllegalStateException(
                      "fine-tuning '" + task + "': the loss is " + loss + " at step " + step
                          + "; lower the learning rate");
                }
                return Map.of(LossParts.TOTAL, loss);
              },
              step -> new StepLoop.Evaluated(OptionalDouble.of(accuracy(model)), OptionalDouble.empty()));
      return new FineTuneResult(
          task, result.finalTestAccuracy().orElseThrow(), train.size(), test.size(), totalSteps,
          result.wallSeconds());
    }
  }

  private double trainStep(Trainer trainer, Model model, int[] indices) {
    try (NDManager batchManager = model.getNDManager().newSubManager()) {
      ClassificationBatch batch = train.batch(batchManager, indices);
      NDArray loss;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(batch.inputs()).singletonOrThrow();
        loss = crossEntropy.evaluate(new NDList(batch.labels()), new NDList(logits));
        collector.backward(loss);
      }
      trainer.step();
      return loss.getFloat();
    }
  }

  /** Fraction of test examples whose arg-max logit is their label. */
  private double accuracy(Model model) {
    long[] correct = {0};
    Evaluation.forEachBatch(
        model,
        test.size(),
        evaluationBatchSize,
        (batchManager, forward, indices) -> {
          ClassificationBatch batch = test.batch(batchManager, indices);
          long[] predicted =
              forward.apply(batch.inputs()).singletonOrThrow().argMax(1).toLongArray();
          for (int k = 0; k < indices.length; k++) {
            if (predicted[k] == test.label(indices[k])) {
              correct[0]++;
            }
          }
        });
    return (double) correct[0] / test.size();
  }

  /** Builds a {@link FineTuner}: {@code set*} are required, {@code opt*} have defaults. */
  public static final class Builder {
    private String task;
    private Path checkpoint;
    private MlmSpec randomSpec;
    private ClassificationData train;
    private ClassificationData test;
    private int classes;
    private int epochs = 3;
    private int batchSize = 32;
    private double learningRate = 1e-3;
    private double weightDecay = 0.01;
    private double dropout = 0.1;
    private long seed = 42;
    private int evaluationBatchSize = 128;
    private Device device = Device.cpu();
    private DownstreamSettings.Pooling pooling = DownstreamSettings.Pooling.CLS;
    private final List<StepListener> listeners = new ArrayList<>();

    private Builder() {}

    /** The task's name, for the result and messages. */
    public Builder setTask(String task) {
      this.task = task;
      return this;
    }

    /**
     * Starts from a pre-trained masked-language model: a {@link ModelCheckpoint} folder holding an
     * {@link MlmSpec} (a text teacher or student). Exclusive with {@link #setRandomEncoder}.
     */
    public Builder setPretrained(Path checkpoint) {
      this.checkpoint = checkpoint;
      return this;
    }

    /**
     * Starts from a randomly initialised encoder of {@code spec}: the "no pre-training" reference
     * the pre-trained encoders are compared with. Exclusive with {@link #setPretrained}.
     */
    public Builder setRandomEncoder(MlmSpec spec) {
      this.randomSpec = spec;
      return this;
    }

    /** The examples to train on, tokenised with the encoder's vocabulary and sequence length. */
    public Builder setTrainData(ClassificationData data) {
      this.train = data;
      return this;
    }

    /** The examples the accuracy is measured on. */
    public Builder setTestData(ClassificationData data) {
      this.test = data;
      return this;
    }

    /**
     * Takes the task's name, epochs, batch size, learning rate, seed, pooling (and a GLUE label
     * list's number of classes) from the {@code downstream} section; the data and the encoder are
     * still set separately.
     */
    public Builder optSettings(DownstreamSettings settings) {
      this.task = settings.task();
      this.epochs = settings.epochs();
      this.batchSize = settings.batchSize();
      this.learningRate = settings.learningRate();
      this.seed = settings.seed();
      this.pooling = settings.pooling();
      if (settings.glue() != null
          && settings.format() == DownstreamSettings.Format.GLUE_TSV
          && settings.glue().classes() > 0) {
        this.classes = settings.glue().classes();
      }
      return this;
    }

    /** Number of classes. Default: the largest label of both sets plus one, at least 2. */
    public Builder optClasses(int classes) {
      this.classes = classes;
      return this;
    }

    /** Passes over the train set, at least 1. Default 3. */
    public Builder optEpochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /** Examples per step, between 1 and the train set's size. Default 32. */
    public Builder optBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Peak learning rate of AdamW. Default 1e-3. */
    public Builder optLearningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** AdamW's decoupled weight decay. Default 0.01. */
    public Builder optWeightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** Dropout on the {@code [CLS]} state before the linear layer. Default 0.1. */
    public Builder optDropout(double dropout) {
      this.dropout = dropout;
      return this;
    }

    /** Seed of the head's (and a random encoder's) initialisation, dropout and data order. */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Examples per forward pass when evaluating. Default 128. */
    public Builder optEvaluationBatchSize(int size) {
      this.evaluationBatchSize = size;
      return this;
    }

    /** What the head reads of the encoder's hidden states. Default {@code CLS}. */
    public Builder optPooling(DownstreamSettings.Pooling pooling) {
      this.pooling = pooling;
      return this;
    }

    /** Device to train on. Default the CPU. */
    public Builder optDevice(Device device) {
      this.device = device;
      return this;
    }

    /** Adds a listener told about every step (e.g. {@link StepListener#logging}). */
    public Builder optListener(StepListener listener) {
      listeners.add(BuilderChecks.notNull(listener, "listener"));
      return this;
    }

    /**
     * Checks the settings, and a checkpoint's spec against the data, without loading parameters.
     *
     * @return the tuner
     * @throws IllegalArgumentException naming the first missing or invalid setting, or why the
     *     checkpoint does not fit the data
     */
    public FineTuner build() {
      if (task == null || task.isBlank()) {
        throw new IllegalArgumentException("setTask(...) is required");
      }
      if ((checkpoint == null) == (randomSpec == null)) {
        throw new IllegalArgumentException(
            "exactly one of setPretrained(checkpoint) and setRandomEncoder(spec) is required");
      }
      if (train == null || test == null) {
        throw new IllegalArgumentException("setTrainData(...) and setTestData(...) are required");
      }
      MlmSpec spec = randomSpec;
      String what = "the random encoder's spec";
      if (checkpoint != null) {
        try {
          spec = ModelCheckpoint.load(checkpoint).mlmSpec();
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "cannot fine-tune from " + checkpoint + ": " + e.getMessage(), e);
        }
        what = "MLM checkpoint " + checkpoint;
      }
      for (ClassificationData data : List.of(train, test)) {
        if (data.vocabularySize() != spec.vocabularySize()) {
          throw new IllegalArgumentException(
              what
                  + " was built for a vocabulary of "
                  + spec.vocabularySize()
                  + " tokens, but the"
                  + " task's text was tokenised with a vocabulary of "
                  + data.vocabularySize()
                  + ": tokenise with the vocabulary the encoder was pre-trained with (its run's"
                  + " ingest/vocabulary)");
        }
        if (data.sequenceLength() != spec.maxSequenceLength()) {
          throw new IllegalArgumentException(
              what
                  + " takes sequences of "
                  + spec.maxSequenceLength()
                  + " tokens, the task's"
                  + " examples have "
                  + data.sequenceLength()
                  + " (DJL's BertBlock needs them equal)");
        }
      }
      int n = classes > 0 ? classes : Math.max(2, Math.max(train.maxLabel(), test.maxLabel()) + 1);
      if (n < 2 || train.maxLabel() >= n || test.maxLabel() >= n) {
        throw new IllegalArgumentException(
            "classes must be at least 2 and above every label (largest "
                + Math.max(train.maxLabel(), test.maxLabel())
                + "), got "
                + n);
      }
      BuilderChecks.atLeast("epochs", epochs, 1);
      if (batchSize < 1 || batchSize > train.size()) {
        throw new IllegalArgumentException(
            "batchSize must be between 1 and the "
                + train.size()
                + " train examples, got "
                + batchSize);
      }
      BuilderChecks.atLeast("evaluation batch size", evaluationBatchSize, 1);
      // Validates the learning rate, weight decay and the warm-up against the steps.
      int steps = steps(epochs, train.size(), batchSize);
      Optimizers.tracker(
          OptimizerSettings.adamW(learningRate, weightDecay)
              .withCosine((int) (steps * WARMUP_FRACTION)),
          steps);
      if (!(dropout >= 0 && dropout < 1)) {
        throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
      }
      return new FineTuner(this, spec, n);
    }
  }
}
