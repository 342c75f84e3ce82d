package io.sparkdistill.pipeline.models;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.transformer.BertBlock;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Everything needed to rebuild a BERT-style masked-language model: DJL's {@code BertBlock} (token,
 * type and position embeddings, a stack of transformer encoder blocks) under DJL's {@code
 * BertMaskedLanguageModelBlock} (dense + GELU + norm, then a product with the token embedding table
 * plus a bias), see {@link MlmBlock}. Immutable and validated on construction; errors name the
 * field.
 *
 * <p>DJL facts this relies on (DJL 0.32): the position embedding is a ({@code
 * maxSequenceLength}, hidden) parameter added by broadcasting, so every input sequence must be
 * exactly {@code maxSequenceLength} long; {@code dropout} is the embedding dropout ({@code
 * optHiddenDropoutProbability}), the encoder blocks use DJL's fixed 0.1; the pooled output reads
 * token 1, so sequences need at least 2 tokens. Weights start from a truncated normal of standard
 * deviation 0.02, as in BERT and DJL's pre-training example.
 *
 * @param vocabularySize tokens in the vocabulary, special tokens included (at least 6)
 * @param hiddenSize embedding and hidden width, a multiple of {@code heads}
 * @param layers transformer encoder blocks, at least 1
 * @param heads attention heads per block, at least 1
 * @param intermediateSize width of each block's feed-forward layer, at least 1
 * @param maxSequenceLength the sequence length, at least 2
 * @param dropout embedding dropout rate, in [0, 1)
 */
public record MlmSpec(
    int vocabularySize,
    int hiddenSize,
    int layers,
    int heads,
    int intermediateSize,
    int maxSequenceLength,
    double dropout)
    implements CheckpointSpec {

  /** The {@code architecture} value in the JSON form, which tells it from a {@link ModelSpec}. */
  public static final String ARCHITECTURE = "BERT_MLM";

  /**
   * The specification of a configured network (architecture {@code bert}) over a vocabulary of
   * {@code vocabularySize} tokens and sequences of {@code sequenceLength} ids.
   */
  public static MlmSpec of(
      io.sparkdistill.pipeline.config.NetworkSettings network, int vocabularySize, int sequenceLength) {
    int width = network.width();
    return new MlmSpec(
        vocabularySize, width, network.depth(), network.heads(),
        network.intermediateSize() == 0 ? 4 * width : network.intermediateSize(), sequenceLength,
        network.dropout());
  }

  /** Validates every field. */
  public MlmSpec {
    atLeast("vocabularySize", vocabularySize, 6);
    atLeast("hiddenSize", hiddenSize, 1);
    atLeast("layers", layers, 1);
    atLeast("heads", heads, 1);
    atLeast("intermediateSize", intermediateSize, 1);
    atLeast("maxSequenceLength", maxSequenceLength, 2);
    if (hiddenSize % heads != 0) {
      throw new IllegalArgumentException(
          "hiddenSize (" + hiddenSize + ") must be a multiple of heads (" + heads + ")");
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
  }

  /**
   * A fresh, uninitialised block; initialise it with {@code Trainer.initialize(inputShapes(b, i))}
   * or by loading parameters.
   *
   * @return the block: inputs (token ids, type ids, input mask, masked positions), output the
   *     (B * I, vocabulary) log-probabilities at the masked positions
   */
  @Override
  public MlmBlock newBlock() {
    BertBlock bert =
        BertBlock.builder()
            .setTokenDictionarySize(vocabularySize)
            .optTypeDictionarySize(2)
            .optEmbeddingSize(hiddenSize)
            .optTransformerBlockCount(layers)
            .optAttentionHeadCount(heads)
            .optHiddenSize(intermediateSize)
            .optHiddenDropoutProbability((float) dropout)
            .optMaxSequenceLength(maxSequenceLength)
            .build();
    MlmBlock block = new MlmBlock(bert, heads);
    block.setInitializer(new TruncatedNormalInitializer(0.02f), Parameter.Type.WEIGHT);
    block.freezePooling();
    return block;
  }

  /**
   * A new DJL model on the project's engine holding {@link #newBlock()}; the caller closes it.
   *
   * @param name model name
   * @param device device to hold the parameters
   * @return the model, parameters not yet initialised
   */
  @Override
  public Model newModel(String name, Device device) {
    Model model = Model.newInstance(name, device, ModelSpec.ENGINE);
    model.setBlock(newBlock());
    return model;
  }

  /**
   * The input shapes of a batch, in the block's input order.
   *
   * @param batch sequences per batch
   * @param maskedPerSequence masked positions per sequence (I)
   * @return token ids, type ids and input mask (B, S); masked positions (B, I)
   */
  public Shape[] inputShapes(int batch, int maskedPerSequence) {
    Shape sequence = new Shape(batch, maxSequenceLength);
    return new Shape[] {sequence, sequence, sequence, new Shape(batch, maskedPerSequence)};
  }

  /**
   * The input shapes of one sequence with one masked position, which initialise the block (no
   * parameter depends on the batch size or the number of masked positions).
   *
   * @return {@code inputShapes(1, 1)}
   */
  @Override
  public Shape[] initializationShapes() {
    return inputShapes(1, 1);
  }

  /**
   * The specification as a JSON object with snake_case keys, for checkpoint metadata.
   *
   * @return the JSON tree
   */
  @Override
  public ObjectNode toJsonTree() {
    ObjectNode node = SpecJson.newObject();
    node.put("architecture", ARCHITECTURE);
    node.put("vocabulary_size", vocabularySize);
    node.put("hidden_size", hiddenSize);
    node.put("layers", layers);
    node.put("heads", heads);
    node.put("intermediate_size", intermediateSize);
    node.put("max_sequence_length", maxSequenceLength);
    node.put("dropout", dropout);
    return node;
  }

  /**
   * The specification as compact JSON.
   *
   * @return the JSON text
   */
  public String toJson() {
    return toJsonTree().toString();
  }

  /**
   * Reads a specification written by {@link #toJsonTree()}.
   *
   * @param node the JSON object
   * @return the validated specification
   * @throws IllegalArgumentException naming the missing or invalid field
   */
  public static MlmSpec fromJsonTree(JsonNode node) {
    SpecJson json = new SpecJson("MLM spec", node);
    String architecture = json.text("architecture");
    if (!ARCHITECTURE.equals(architecture)) {
      throw new IllegalArgumentException(
          "MLM spec field 'architecture' must be " + ARCHITECTURE + ", got \"" + architecture + "\"");
    }
    return new MlmSpec(
        json.integer("vocabulary_size"),
        json.integer("hidden_size"),
        json.integer("layers"),
        json.integer("heads"),
        json.integer("intermediate_size"),
        json.integer("max_sequence_length"),
        json.number("dropout"));
  }

  /**
   * Reads a specification written by {@link #toJson()}.
   *
   * @param json the JSON text
   * @return the validated specification
   * @throws IllegalArgumentException if the text is not JSON or a field is missing or invalid
   */
  public static MlmSpec fromJson(String json) {
    return fromJsonTree(SpecJson.parse("MLM spec", json).node());
  }

  private static void atLeast(String field, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be at least " + min + ", got " + value);
    }
  }
}
