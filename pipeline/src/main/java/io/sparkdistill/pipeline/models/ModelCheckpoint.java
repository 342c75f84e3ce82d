package io.sparkdistill.pipeline.models;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.initializer.Initializer;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkdistill.pipeline.models.MlmSpec;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A trained model on disk, in the shape of an MLlib saved model: a folder holding {@value
 * #METADATA_FILE} (format version, the {@link CheckpointSpec}, free-form info such as test
 * accuracy) and the DJL parameter file {@code model-0000.params} written by {@link Model#save}. The
 * spec is a {@link ModelSpec} (image classifier) or an {@link MlmSpec} (masked-language model,
 * {@code "architecture" : "BERT_MLM"}); {@link Loaded#network()} gives either.
 *
 * <p>{@link #save} writes everything into a hidden temporary sibling folder and renames it into
 * place, so a reader sees either no checkpoint or a whole one; it refuses to replace an existing
 * checkpoint unless asked. The parameter file is plain DJL: {@code Model.load(dir, "model")} on a
 * model holding {@code spec.newBlock()} reads it without this class. {@link #loadModel} also checks
 * every parameter shape against the spec, because DJL itself loads mismatched shapes silently.
 *
 * <p>{@code metadata.json}:
 *
 * <pre>{@code
 * {
 *   "format_version" : 1,
 *   "spec" : { "architecture" : "CNN", "width" : 32, "depth" : 3, "classes" : 10,
 *              "input_height" : 28, "input_width" : 28, "input_channels" : 1, "dropout" : 0.0 },
 *   "parameters" : "model-0000.params",
 *   "engine" : "PyTorch",
 *   "djl_version" : "0.32.0",
 *   "info" : { "test_accuracy" : 0.913 }
 * }
 * }</pre>
 */
public final class ModelCheckpoint {
  /** The version of the folder layout and metadata this class writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** Name of the metadata file inside a checkpoint folder. */
  public static final String METADATA_FILE = "metadata.json";

  /** Prefix of the DJL parameter file ({@code model-NNNN.params}). */
  public static final String PARAMETERS_PREFIX = "model";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private ModelCheckpoint() {}

  /**
   * The metadata of a checkpoint.
   *
   * @param network the specification to rebuild: a {@link ModelSpec} or an {@link MlmSpec}
   * @param info free-form information saved with it (numbers come back as Integer, Long or Double;
   *     nested objects as maps)
   */
  public record Loaded(CheckpointSpec network, Map<String, Object> info) {
    /** Copies {@code info} into an unmodifiable map. */
    public Loaded {
      if (network == null) {
        throw new IllegalArgumentException("spec must be set");
      }
      info = Collections.unmodifiableMap(new LinkedHashMap<>(info == null ? Map.of() : info));
    }

    /**
     * The image-model specification.
     *
     * @return the spec
     * @throws IllegalArgumentException if the checkpoint holds another kind of model
     */
    public ModelSpec spec() {
      if (network instanceof ModelSpec spec) {
        return spec;
      }
      throw new IllegalArgumentException(
          "the checkpoint holds a " + architecture(network) + " model, not an image model");
    }

    /**
     * The masked-language-model specification.
     *
     * @return the spec
     * @throws IllegalArgumentException if the checkpoint holds another kind of model
     */
    public MlmSpec mlmSpec() {
      if (network instanceof MlmSpec spec) {
        return spec;
      }
      throw new IllegalArgumentException(
          "the checkpoint holds a " + architecture(network) + " model, not a masked-language model");
    }

    private static String architecture(CheckpointSpec spec) {
      return spec.toJsonTree().path("architecture").asText();
    }
  }

  /**
   * Saves {@code model} to {@code dir}, refusing to replace an existing checkpoint.
   *
   * @param model a model whose block is initialised (trained or loaded)
   * @param spec the specification its block was built from
   * @param dir the checkpoint folder to create
   * @param info free-form information (JSON-serialisable values), e.g. test accuracy
   * @throws IllegalStateException if {@code dir} already exists and is not empty
   * @throws UncheckedIOException if writing fails
   */
  public static void save(Model model, CheckpointSpec spec, Path dir, Map<String, Object> info) {
    save(model, spec, dir, info, false);
  }

  /**
   * Saves {@code model} to {@code dir}: writes a temporary sibling folder, then renames it into
   * place.
   *
   * @param model a model whose block is initialised (trained or loaded)
   * @param spec the specification its block was built from
   * @param dir the checkpoint folder to create
   * @param info free-form information (JSON-serialisable values), e.g. test accuracy
   * @param overwrite replace an existing folder at {@code dir}
   * @throws IllegalStateException if {@code dir} exists, is not empty and {@code overwrite} is
   *     false, or the model is not initialised
   * @throws UncheckedIOException if writing fails
   */
  public static void save(
      Model model, CheckpointSpec spec, Path dir, Map<String, Object> info, boolean overwrite) {
    if (model.getBlock() == null || !model.getBlock().isInitialized()) {
      throw new IllegalStateException(
          "model '" + model.getName() + "' has no initialised block; train or load it first");
    }
    Path target = dir.toAbsolutePath().normalize();
    if (!overwrite && isNonEmpty(target)) {
      throw new IllegalStateException(
          "checkpoint folder " + target + " already exists; pass overwrite=true to replace it");
    }
    Path parent = target.getParent();
    Path temp = parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      Files.createDirectories(parent);
      Files.createDirectories(temp);
      model.save(temp, PARAMETERS_PREFIX);
      String parameters = parameterFile(temp);
      ObjectNode root = JSON.createObjectNode();
      root.put("format_version", FORMAT_VERSION);
      root.set("spec", spec.toJsonTree());
      root.put("parameters", parameters);
      root.put("engine", model.getNDManager().getEngine().getEngineName());
      root.put("djl_version", Engine.getDjlVersion());
      root.set("info", JSON.valueToTree(info == null ? Map.of() : info));
      JSON.writeValue(temp.resolve(METADATA_FILE).toFile(), root);
      commit(temp, target);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new UncheckedIOException("cannot save checkpoint " + target, e);
    } catch (RuntimeException e) {
      deleteQuietly(temp);
      throw e;
    }
  }

  /**
   * Whether {@code dir} holds a checkpoint (its metadata file exists).
   *
   * @param dir a folder
   * @return true if {@code dir/metadata.json} exists
   */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(METADATA_FILE));
  }

  /**
   * Reads a checkpoint's metadata without touching the engine.
   *
   * @param dir the checkpoint folder
   * @return the specification and info
   * @throws IllegalArgumentException if the folder is not a checkpoint, has another format version
   *     or a malformed spec
   */
  public static Loaded load(Path dir) {
    JsonNode root = metadata(dir);
    Map<String, Object> info =
        JSON.convertValue(
            root.path("info").isObject() ? root.get("info") : JSON.createObjectNode(),
            new TypeReference<LinkedHashMap<String, Object>>() {});
    return new Loaded(spec(root, dir), info);
  }

  /**
   * Builds the block from the checkpoint's spec and loads its parameters. The caller closes the
   * returned model.
   *
   * @param dir the checkpoint folder
   * @param device device to hold the parameters
   * @return the loaded model, named after the folder
   * @throws IllegalArgumentException if the folder is not a readable checkpoint
   */
  public static Model loadModel(Path dir, Device device) {
    JsonNode root = metadata(dir);
    CheckpointSpec spec = spec(root, dir);
    Model model = spec.newModel(dir.toAbsolutePath().normalize().getFileName().toString(), device);
    try {
      model.load(dir, PARAMETERS_PREFIX);
      checkShapes(model, spec);
      return model;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new IllegalArgumentException(
          "cannot load the parameters of checkpoint " + dir + " into " + spec + ": " + e, e);
    }
  }

  /**
   * DJL loads parameters of any shape into an uninitialised block without complaint, and the layers
   * then follow the loaded arrays: a spec that disagrees with the file would go unnoticed. Compares
   * every loaded shape with those of a fresh block of the spec, initialised with zeros (so the
   * engine's random generator is not touched).
   */
  private static void checkShapes(Model model, CheckpointSpec spec) {
    Block expected = spec.newBlock();
    expected.setInitializer(Initializer.ZEROS, p -> true);
    try (NDManager manager = model.getNDManager().newSubManager()) {
      expected.initialize(manager, DataType.FLOAT32, spec.initializationShapes());
      ParameterList want = expected.getParameters();
      ParameterList got = model.getBlock().getParameters();
      if (want.size() != got.size()) {
        throw new IllegalStateException(
            "the file holds " + got.size() + " parameters, the spec has " + want.size());
      }
      for (int i = 0; i < want.size(); i++) {
        Shape w = want.get(i).getValue().getArray().getShape();
        Shape g = got.get(i).getValue().getArray().getShape();
        if (!w.equals(g)) {
          throw new IllegalStateException(
              "parameter "
                  + want.get(i).getKey()
                  + " has shape "
                  + g
                  + " in the file, "
                  + w
                  + " in the spec");
        }
      }
    } finally {
      expected.getParameters().values().forEach(Parameter::close);
    }
  }

  /**
   * Loads a TorchScript model exported from PyTorch ({@code torch.jit.trace(...).save("x.pt")} or
   * {@code torch.jit.script}) as a frozen, inference-only model. The DJL model has no block until
   * it is loaded; DJL then wraps the script module in a {@code PtSymbolBlock}, whose {@code
   * forward(parameterStore, inputs, false)} runs it in eval mode, so {@code
   * io.sparkdistill.pipeline.train.Evaluation} works on it unchanged. The module must take one
   * (batch, C, H, W) float tensor and return (batch, classes) logits. Parameters are mapped to
   * {@code device} ({@code mapLocation=true}). The caller closes the returned model.
   *
   * @param file the {@code .pt} file
   * @param device device to run on
   * @return the loaded model
   * @throws IllegalArgumentException if {@code file} does not exist or is not a TorchScript file
   */
  public static Model loadTorchScript(Path file, Device device) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("TorchScript file " + file + " does not exist");
    }
    String name = file.getFileName().toString().replaceFirst("\\.pt$", "");
    Model model = Model.newInstance(name, device, ModelSpec.ENGINE);
    try {
      model.load(file, name, Map.of("mapLocation", "true"));
      return model;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new IllegalArgumentException("cannot load TorchScript model " + file + ": " + e, e);
    }
  }

  private static JsonNode metadata(Path dir) {
    Path file = dir.resolve(METADATA_FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "no checkpoint at " + dir + ": " + METADATA_FILE + " not found");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    JsonNode version = root.get("format_version");
    if (version == null || !version.isInt()) {
      throw new IllegalArgumentException(file + " has no integer format_version");
    }
    if (version.intValue() != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          file
              + " has format_version "
              + version.intValue()
              + "; this build reads version "
              + FORMAT_VERSION);
    }
    return root;
  }

  private static CheckpointSpec spec(JsonNode root, Path dir) {
    try {
      return CheckpointSpec.fromJsonTree(root.get("spec"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "checkpoint " + dir + " has an invalid spec: " + e.getMessage(), e);
    }
  }

  private static String parameterFile(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PARAMETERS_PREFIX + "-*")) {
      files.forEach(f -> names.add(f.getFileName().toString()));
    }
    if (names.size() != 1) {
      throw new FileNotFoundException(
          "expected one parameter file " + PARAMETERS_PREFIX + "-NNNN.params, found " + names);
    }
    return names.get(0);
  }

  private static boolean isNonEmpty(Path dir) {
    if (!Files.exists(dir)) {
      return false;
    }
    if (!Files.isDirectory(dir)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** Moves {@code temp} to {@code target}, first moving any old target aside, then deleting it. */
  private static void commit(Path temp, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
      move(target, old);
    }
    try {
      move(temp, target);
    } catch (IOException e) {
      if (old != null) {
        move(old, target);
      }
      throw e;
    }
    if (old != null) {
      deleteQuietly(old);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a leftover hidden temporary folder is harmless
    }
  }
}
