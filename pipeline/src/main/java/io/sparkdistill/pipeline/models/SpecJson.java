package io.sparkdistill.pipeline.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the fields of a network specification's JSON form ({@link ModelSpec}, {@code
 * mlm.MlmSpec}) with one kind of error message: "<what> field '<name>' must be ..., got ...".
 *
 * @param what what the JSON describes, for messages ("model spec", "MLM spec")
 * @param node the JSON object
 */
public record SpecJson(String what, JsonNode node) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Checks that {@code node} is an object.
   *
   * @throws IllegalArgumentException when it is not
   */
  public SpecJson {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object, got " + node);
    }
  }

  /**
   * Parses JSON text.
   *
   * @throws IllegalArgumentException when it is not JSON or not an object
   */
  public static SpecJson parse(String what, String json) {
    try {
      return new SpecJson(what, JSON.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** A new empty object to write a specification into. */
  public static com.fasterxml.jackson.databind.node.ObjectNode newObject() {
    return JSON.createObjectNode();
  }

  /** The field {@code name}; fails when it is missing or null. */
  public JsonNode field(String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException(what + " field '" + name + "' is missing");
    }
    return value;
  }

  /** A string field. */
  public String text(String name) {
    JsonNode value = field(name);
    if (!value.isTextual()) {
      throw invalid(name, "a string", value);
    }
    return value.asText();
  }

  /** An integer field that fits an {@code int}. */
  public int integer(String name) {
    JsonNode value = field(name);
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw invalid(name, "an integer", value);
    }
    return value.intValue();
  }

  /** A numeric field. */
  public double number(String name) {
    JsonNode value = field(name);
    if (!value.isNumber()) {
      throw invalid(name, "a number", value);
    }
    return value.doubleValue();
  }

  private IllegalArgumentException invalid(String name, String kind, JsonNode value) {
    return new IllegalArgumentException(what + " field '" + name + "' must be " + kind + ", got " + value);
  }
}
