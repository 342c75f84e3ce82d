package io.sparkdistill.pipeline.downstream;

import io.sparkdistill.pipeline.config.DownstreamSettings.Pooling;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.sparkdistill.pipeline.models.MlmBlock;
import java.util.List;

/**
 * A sequence classifier on a (pre-trained) masked-language model's encoder: the encoder's hidden
 * state at position 0 ({@code [CLS]}, {@link Pooling#CLS}) or the mean over the real tokens
 * ({@link Pooling#MEAN}), dropout, then a linear layer to the class logits. BERT puts a tanh
 * "pooler" in between; DJL's pooler reads token 1, not 0, so the head reads the hidden state
 * directly. With masked-language-model pre-training alone (no next-sentence task) nothing shapes
 * the {@code [CLS]} state before fine-tuning, which is why the mean is offered: on SpamAssassin it
 * adapted faster from a Brown-pre-trained encoder.
 *
 * <p>Inputs (all INT32, (B, S)): token ids, type ids, input mask, as {@link ClassificationBatch}.
 * Output: (B, classes) logits.
 *
 * <p>The encoder keeps its parameters, so a pre-trained {@link MlmBlock} (loaded from a checkpoint)
 * goes in as it is and initialisation leaves it alone; a fresh one is initialised with the head.
 * The encoder's MLM head has no part in classification: its parameters are frozen here, so the
 * optimiser neither updates nor decays them.
 */
public final class ClassifierBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final MlmBlock encoder;
  private final Linear classifier;
  private final int hiddenSize;
  private final float dropout;
  private final int classes;
  private final Pooling pooling;

  /**
   * @param encoder the encoder, initialised (pre-trained) or not
   * @param hiddenSize its hidden size
   * @param classes number of classes, at least 2
   * @param dropout dropout rate on the pooled state, in [0, 1)
   * @param pooling what the linear layer reads
   */
  public ClassifierBlock(
      MlmBlock encoder, int hiddenSize, int classes, double dropout, Pooling pooling) {
    super(VERSION);
    this.pooling = pooling;
    if (classes < 2) {
      throw new IllegalArgumentException("classes must be at least 2, got " + classes);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    this.encoder = addChildBlock("encoder", encoder);
    this.classifier = addChildBlock("classifier", Linear.builder().setUnits(classes).build());
    this.hiddenSize = hiddenSize;
    this.dropout = (float) dropout;
    this.classes = classes;
    // DJL prefixes child names with their 1-based index: "02mlm".
    encoder.getChildren().stream()
        .filter(child -> child.getKey().endsWith("mlm"))
        .forEach(child -> child.getValue().freezeParameters(true));
  }

  /** The encoder (the pre-trained block, when there is one). */
  public MlmBlock encoder() {
    return encoder;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    inputNames = List.of("tokenIds", "typeIds", "inputMask");
    long batch = inputShapes[0].get(0);
    if (!encoder.isInitialized()) {
      encoder.initialize(
          manager, dataType, inputShapes[0], inputShapes[1], inputShapes[2], new Shape(batch, 1));
    }
    classifier.initialize(manager, dataType, new Shape(batch, hiddenSize));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray hidden = encoder.encode(ps, inputs, training); // (B, S, E)
    NDArray pooled;
    if (pooling == Pooling.CLS) {
      pooled = hidden.get(":, 0, :"); // (B, E)
    } else {
      // The mask holds no gradient; dividing by an array, not a Number, keeps every scalar on
      // the gradient path PyTorch-owned (see MlmBlock#encode).
      NDArray mask = inputs.get(2).toType(DataType.FLOAT32, false).expandDims(2); // (B, S, 1)
      pooled = hidden.mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1})); // (B, E)
    }
    pooled = Dropout.dropout(pooled, dropout, training).head();
    return classifier.forward(ps, new NDList(pooled), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
  }
}
