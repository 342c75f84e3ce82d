package io.sparkdistill.pipeline.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.transformer.ScaledDotProductAttentionBlock;
import ai.djl.util.Pair;
import ai.djl.nn.transformer.BertBlock;
import ai.djl.nn.transformer.BertMaskedLanguageModelBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * DJL's {@code BertBlock} with DJL's {@code BertMaskedLanguageModelBlock} (GELU) on top: DJL's
 * {@code BertPretrainingBlock} without the next-sentence head. Build it with {@link
 * MlmSpec#newBlock()}.
 *
 * <p>Inputs, in order (all INT32): token ids (B, S), type ids (B, S), input mask (B, S; 1 for a
 * real token, 0 for {@code [PAD]}), masked positions (B, I; positions within each sequence). Output:
 * the (B * I, vocabulary) log-probabilities (the head ends in a log-softmax) at the masked
 * positions, sequence-major. The head's logits are the product of its hidden state with the token
 * embedding table (tied weights), which it receives as a third input from the BERT block.
 *
 * <p>The BERT block also computes a pooled output (a dense layer on token 1) that the MLM loss does
 * not use; its parameters get no gradient. {@link MlmSpec#newBlock()} freezes them.
 */
public final class MlmBlock extends AbstractBlock {
  private static final byte VERSION = 1;
  /** DJL's fixed dropout rate inside each transformer encoder block. */
  private static final float LAYER_DROPOUT = 0.1f;

  private final BertBlock bert;
  private final BertMaskedLanguageModelBlock head;
  private final int heads;

  MlmBlock(BertBlock bert, int heads) {
    super(VERSION);
    this.heads = heads;
    this.bert = addChildBlock("bert", bert);
    this.head =
        addChildBlock("mlm", new BertMaskedLanguageModelBlock(bert, Activation::gelu));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    inputNames = List.of("tokenIds", "typeIds", "inputMask", "maskedPositions");
    bert.initialize(manager, dataType, inputShapes[0], inputShapes[1], inputShapes[2]);
    Shape sequence =
        new Shape(inputShapes[0].get(0), inputShapes[0].get(1), bert.getEmbeddingSize());
    Shape table = new Shape(bert.getTokenDictionarySize(), bert.getEmbeddingSize());
    head.initialize(manager, dataType, sequence, inputShapes[3], table);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray sequence = encode(ps, inputs, training); // (B, S, E)
    NDArray table = bert.getTokenEmbedding().getValue(ps, sequence.getDevice(), training); // (D, E)
    return head.forward(ps, new NDList(sequence, inputs.get(3), table), training);
  }

  /**
   * The encoder's per-token hidden states, the input of the MLM head and of downstream heads (e.g.
   * a classifier on the {@code [CLS]} position). Same computation, parameters and gradients as the
   * MLM forward pass, without the head.
   *
   * @param ps the parameter store of the caller's forward pass
   * @param inputs token ids, type ids and input mask (B, S), INT32, in this order; further inputs
   *     (masked positions) are ignored
   * @param training whether dropout is on
   * @return (B, S, hidden)
   */
  public NDArray encode(ParameterStore ps, NDList inputs, boolean training) {
    return encode(ps, inputs.get(0), inputs.get(1), inputs.get(2), training);
  }

  /**
   * BertBlock's encoder (embeddings, norm, dropout, transformer blocks) run over DJL's own child
   * blocks and parameters, with the self-attention computed here instead of in DJL's {@code
   * ScaledDotProductAttentionBlock}.
   *
   * <p>Why: on the PyTorch engine, DJL creates scalar arrays ({@code manager.create(float)}, and
   * every {@code NDArray.mul(Number)}/{@code div(Number)}) over a Java direct buffer without a
   * copy, and frees the buffer's Java owner when the array is closed. The attention block scales
   * its scores by such a scalar and its scope closes it during the forward pass, while autograd
   * still holds the scalar for the backward pass; a GC between forward and backward frees the
   * memory and the key/query gradients are computed from whatever it then holds (NaN, drift,
   * depending on GC timing: the "2 in 10 JVMs" nondeterminism). Here every scalar on the gradient
   * path is a PyTorch-owned array ({@code NDManager.full}). The pooled output is not computed (its
   * parameters are frozen and unused).
   *
   * <p>DJL's BertBlock also passes its already-converted additive mask (0 / -100000) to the
   * attention block, which converts it again and so adds -100000 to every score (a no-op for the
   * softmax but for rounding); here the additive mask is added once.
   */
  private NDArray encode(
      ParameterStore ps, NDArray tokenIds, NDArray typeIds, NDArray masks, boolean training) {
    NDArray tokens = child(bert, "tokenEmbedding").forward(ps, new NDList(tokenIds), training).head();
    NDArray types = child(bert, "typeEmbedding").forward(ps, new NDList(typeIds), training).head();
    Parameter positionParameter = bert.getDirectParameters().get("positionEmbedding");
    NDArray positions = ps.getValue(positionParameter, tokenIds.getDevice(), training);
    NDArray embedding = tokens.add(types).add(positions);
    NDList x = child(bert, "embeddingNorm").forward(ps, new NDList(embedding), training);
    x = child(bert, "embeddingDropout").forward(ps, x, training);
    long b = tokenIds.getShape().get(0);
    long s = tokenIds.getShape().get(1);
    // (B, 1, 1, S): 0 for a real token, -100000 for [PAD]; no gradient flows through it.
    NDArray offsetMask =
        masks.toType(DataType.FLOAT32, false).sub(1f).mul(100000f).reshape(b, 1, 1, s);
    NDArray hidden = x.head();
    for (Pair<String, Block> layer : bert.getChildren()) {
      if (layer.getKey().contains("transformer_")) {
        hidden = encoderLayer(ps, layer.getValue(), hidden, offsetMask, training);
      }
    }
    return hidden;
  }

  /** DJL's TransformerEncoderBlock.forward with {@link #selfAttention}. */
  private NDArray encoderLayer(
      ParameterStore ps, Block layer, NDArray input, NDArray offsetMask, boolean training) {
    ScaledDotProductAttentionBlock attention =
        (ScaledDotProductAttentionBlock) child(layer, "selfAttention");
    NDArray attended = selfAttention(ps, attention, input, offsetMask, training);
    attended = Dropout.dropout(attended, LAYER_DROPOUT, training).head();
    NDList normed =
        child(layer, "attentionNorm").forward(ps, new NDList(attended.add(input)), training);
    NDArray fed = child(layer, "outputBlock").forward(ps, normed, training).head();
    fed = Dropout.dropout(fed, LAYER_DROPOUT, training).head();
    return child(layer, "outputNorm")
        .forward(ps, new NDList(fed.add(normed.head())), training)
        .head();
  }

  /** DJL's ScaledDotProductAttentionBlock (self-attention with a mask) over its projections. */
  private NDArray selfAttention(
      ParameterStore ps,
      ScaledDotProductAttentionBlock block,
      NDArray input,
      NDArray offsetMask,
      boolean training) {
    Shape shape = input.getShape();
    long b = shape.get(0);
    long s = shape.get(1);
    long e = shape.get(2);
    long n = heads;
    long h = e / n;
    NDList flat = new NDList(input.reshape(b * s, e));
    NDArray keys = heads(block.getKeyProjection().forward(ps, flat, training).head(), b, s, n, h);
    NDArray queries =
        heads(block.getQueryProjection().forward(ps, flat, training).head(), b, s, n, h);
    NDArray values =
        heads(block.getValueProjection().forward(ps, flat, training).head(), b, s, n, h);
    NDArray scores = queries.matMul(keys.transpose(0, 1, 3, 2)); // (B, N, S, S)
    // A PyTorch-owned scalar: autograd keeps it for the backward pass (see encode).
    NDArray scale =
        input.getManager().full(new Shape(), (float) (1 / Math.sqrt(h)), DataType.FLOAT32);
    NDArray probabilities = scores.mul(scale).add(offsetMask).softmax(3);
    probabilities = Dropout.dropout(probabilities, LAYER_DROPOUT, training).head();
    NDArray result = probabilities.matMul(values).transpose(0, 2, 1, 3).reshape(b * s, e);
    return block.getResultProjection()
        .forward(ps, new NDList(result), training)
        .head()
        .reshape(b, s, e);
  }

  private static NDArray heads(NDArray projected, long b, long s, long n, long h) {
    return projected.reshape(b, s, n, h).transpose(0, 2, 1, 3);
  }

  private static Block child(Block parent, String name) {
    for (Pair<String, Block> child : parent.getChildren()) {
      // DJL prefixes child names with their 1-based index: "03embeddingNorm".
      if (child.getKey().endsWith(name)) {
        return child.getValue();
      }
    }
    throw new IllegalStateException(parent + " has no child block " + name);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long rows = inputShapes[3].get(0) * inputShapes[3].get(1);
    return new Shape[] {new Shape(rows, bert.getTokenDictionarySize())};
  }

  /** Stops the unused pooled-output layer from asking for gradients. */
  void freezePooling() {
    // DJL prefixes child names with their 1-based index: "07poolingProjection".
    bert.getChildren().stream()
        .filter(child -> child.getKey().endsWith("poolingProjection"))
        .forEach(child -> child.getValue().freezeParameters(true));
  }
}
