package io.sparkdistill.pipeline.models;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkdistill.pipeline.models.MlmSpec;

/**
 * What {@link ModelCheckpoint} needs of a network specification: a fresh block, the input shapes
 * that initialise it, and a JSON form whose {@code architecture} field tells the kinds apart.
 * Implemented by {@link ModelSpec} (image classifiers) and {@link MlmSpec} (masked-language
 * models).
 */
public interface CheckpointSpec {

  /**
   * A fresh, uninitialised block built from this specification.
   *
   * @return the block
   */
  Block newBlock();

  /**
   * Input shapes that initialise {@link #newBlock()} (a batch of one); used to check the shapes of
   * loaded parameters.
   *
   * @return the shapes, in the block's input order
   */
  Shape[] initializationShapes();

  /**
   * The specification as a JSON object with an {@code architecture} field, as stored in checkpoint
   * metadata.
   *
   * @return the JSON tree
   */
  ObjectNode toJsonTree();

  /**
   * A new DJL model on the {@link ModelSpec#ENGINE} engine holding {@link #newBlock()}; the caller
   * closes it.
   *
   * @param name model name
   * @param device device to hold the parameters
   * @return the model, parameters not yet initialised
   */
  default Model newModel(String name, Device device) {
    Model model = Model.newInstance(name, device, ModelSpec.ENGINE);
    model.setBlock(newBlock());
    return model;
  }

  /**
   * Reads either kind of specification: {@link MlmSpec} when {@code architecture} is {@value
   * MlmSpec#ARCHITECTURE}, otherwise {@link ModelSpec}.
   *
   * @param node the JSON object
   * @return the validated specification
   * @throws IllegalArgumentException naming the missing or invalid field
   */
  static CheckpointSpec fromJsonTree(JsonNode node) {
    if (node != null
        && node.isObject()
        && MlmSpec.ARCHITECTURE.equals(node.path("architecture").asText(null))) {
      return MlmSpec.fromJsonTree(node);
    }
    return ModelSpec.fromJsonTree(node);
  }
}
