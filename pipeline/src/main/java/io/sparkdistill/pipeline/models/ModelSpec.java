package io.sparkdistill.pipeline.models;

import io.sparkdistill.pipeline.config.Architecture;
import ai.djl.Device;
import ai.djl.Model;
import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * Everything needed to rebuild a network: its architecture, size, number of classes and input
 * shape. Immutable and validated on construction; errors name the field.
 *
 * <p>{@link Architecture#CNN}: {@code depth} blocks of [conv 3x3 pad 1, batch norm, ReLU, max pool
 * 2x2 stride 2 while both spatial sides are at least 2], with {@code width}, {@code 2*width},
 * {@code 4*width}, ... channels; then flatten, dropout when {@code dropout > 0}, and a linear layer
 * to {@code classes} logits. Flatten rather than global average pooling keeps the position of
 * features, which small inputs (28x28, 32x32) need; for large inputs use {@link
 * Architecture#RESNET} or more depth.
 *
 * <p>{@link Architecture#RESNET}: DJL's {@code ResNetV1} with {@code depth} layers. DJL fixes its
 * channel counts, so {@code width} must equal the stem width DJL uses (see {@link
 * #resnetWidth(int)}; {@link #resnet} fills it in) and {@code dropout} must be 0. DJL accepts only
 * certain depths: for inputs of height at most 28 (Fashion-MNIST) {@code 6n+2} below 164 (20, 32,
 * 44, 56, 110) or {@code 9n+2} from 164; for taller inputs 18, 34, 50, 101, 152, 200 or 269.
 *
 * <p>The network outputs logits (no softmax) of shape (batch, classes) for input (batch, C, H, W).
 *
 * @param architecture the network family
 * @param width channels of the first conv block (CNN); the stem width (RESNET)
 * @param depth number of conv blocks (CNN); number of layers (RESNET)
 * @param classes number of output classes, at least 2
 * @param inputHeight image height in pixels
 * @param inputWidth image width in pixels
 * @param inputChannels image channels (1 grey, 3 RGB)
 * @param dropout dropout rate before the classifier, in [0, 1); 0 means none (CNN only)
 */
public record ModelSpec(
    Architecture architecture,
    int width,
    int depth,
    int classes,
    int inputHeight,
    int inputWidth,
    int inputChannels,
    double dropout)
    implements CheckpointSpec {

  /** The DJL engine every model of this project runs on. */
  public static final String ENGINE = "PyTorch";

  private static final int MAX_CNN_CHANNELS = 1 << 16;
  private static final Set<Integer> RESNET_IMAGENET_DEPTHS = Set.of(18, 34, 50, 101, 152, 200, 269);

  /** Validates every field; see the class documentation for the rules. */
  public ModelSpec {
    if (architecture == null) {
      throw new IllegalArgumentException("architecture must be set");
    }
    if (architecture.isText()) {
      throw new IllegalArgumentException(
          "bert is the text (masked-language-model) architecture; image datasets take cnn or resnet");
    }
    atLeast("width", width, 1);
    atLeast("depth", depth, 1);
    atLeast("classes", classes, 2);
    atLeast("inputHeight", inputHeight, 1);
    atLeast("inputWidth", inputWidth, 1);
    atLeast("inputChannels", inputChannels, 1);
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    if (architecture == Architecture.CNN) {
      if (depth > 16 || ((long) width << (depth - 1)) > MAX_CNN_CHANNELS) {
        throw new IllegalArgumentException(
            "depth "
                + depth
                + " with width "
                + width
                + " gives more than "
                + MAX_CNN_CHANNELS
                + " channels in the last CNN block (width * 2^(depth-1))");
      }
    } else {
      checkResnetDepth(depth, inputHeight);
      int expected = resnetWidth(inputHeight);
      if (width != expected) {
        throw new IllegalArgumentException(
            "width must be "
                + expected
                + " for a RESNET of depth "
                + depth
                + " on inputs of height "
                + inputHeight
                + " (DJL's ResNetV1 fixes its channels), got "
                + width);
      }
      if (dropout != 0) {
        throw new IllegalArgumentException(
            "dropout must be 0 for RESNET (DJL's ResNetV1 has no dropout), got " + dropout);
      }
    }
  }

  /**
   * A CNN specification.
   *
   * @param width channels of the first block
   * @param depth number of conv blocks
   * @param classes number of classes
   * @param inputHeight image height
   * @param inputWidth image width
   * @param inputChannels image channels
   * @param dropout dropout before the classifier, 0 for none
   * @return the validated specification
   */
  public static ModelSpec cnn(
      int width,
      int depth,
      int classes,
      int inputHeight,
      int inputWidth,
      int inputChannels,
      double dropout) {
    return new ModelSpec(
        Architecture.CNN, width, depth, classes, inputHeight, inputWidth, inputChannels, dropout);
  }

  /**
   * A RESNET specification, with the width DJL uses for that depth and input height.
   *
   * @param depth number of layers, e.g. 20 for inputs of height up to 28, 18 for taller ones
   * @param classes number of classes
   * @param inputHeight image height
   * @param inputWidth image width
   * @param inputChannels image channels
   * @return the validated specification
   */
  public static ModelSpec resnet(
      int depth, int classes, int inputHeight, int inputWidth, int inputChannels) {
    checkResnetDepth(depth, inputHeight);
    return new ModelSpec(
        Architecture.RESNET,
        resnetWidth(inputHeight),
        depth,
        classes,
        inputHeight,
        inputWidth,
        inputChannels,
        0);
  }

  /**
   * The stem width DJL's {@code ResNetV1} uses: 16 for inputs of height at most 28, 64 for taller
   * inputs (whatever the depth).
   *
   * @param inputHeight image height
   * @return the stem width
   */
  public static int resnetWidth(int inputHeight) {
    return inputHeight <= 28 ? 16 : 64;
  }

  /**
   * Builds a fresh, uninitialised block; initialise it with {@code Trainer.initialize(
   * inputShape(1))} or by loading parameters.
   *
   * @return a new block whose output is (batch, classes) logits
   */
  @Override
  public Block newBlock() {
    return architecture == Architecture.CNN ? newCnn() : newResnet();
  }

  /**
   * A new DJL model on the {@link #ENGINE} engine holding {@link #newBlock()}; the caller closes
   * it.
   *
   * @param name model name
   * @param device device to hold the parameters
   * @return the model, parameters not yet initialised
   */
  @Override
  public Model newModel(String name, Device device) {
    Model model = Model.newInstance(name, device, ENGINE);
    model.setBlock(newBlock());
    return model;
  }

  /**
   * The input shape for a batch.
   *
   * @param batch batch size
   * @return (batch, channels, height, width)
   */
  public Shape inputShape(int batch) {
    return new Shape(batch, inputChannels, inputHeight, inputWidth);
  }

  /**
   * The input shape of a batch of one.
   *
   * @return {@code {inputShape(1)}}
   */
  @Override
  public Shape[] initializationShapes() {
    return new Shape[] {inputShape(1)};
  }

  /**
   * The specification as a JSON object with snake_case keys, as stored in checkpoint metadata.
   *
   * @return the JSON tree
   */
  @Override
  public ObjectNode toJsonTree() {
    ObjectNode node = SpecJson.newObject();
    node.put("architecture", architecture.name());
    node.put("width", width);
    node.put("depth", depth);
    node.put("classes", classes);
    node.put("input_height", inputHeight);
    node.put("input_width", inputWidth);
    node.put("input_channels", inputChannels);
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

  /** The specification of a configured network for {@code classes} classes and images of {@code shape}. */
  public static ModelSpec of(
      io.sparkdistill.pipeline.config.NetworkSettings network, int classes,
      io.sparkdistill.datasets.image.ImageShape shape) {
    return of(network.architecture(), network.width(), network.depth(), network.dropout(), classes, shape);
  }

  /**
   * The spec of a network family for a dataset: {@code cnn} with its width, depth and dropout,
   * or {@code resnet} with its depth (width and dropout do not apply).
   */
  public static ModelSpec of(
      Architecture architecture, int width, int depth, double dropout, int classes,
      io.sparkdistill.datasets.image.ImageShape shape) {
    return architecture == Architecture.CNN
        ? cnn(width, depth, classes, shape.height(), shape.width(), shape.channels(), dropout)
        : resnet(depth, classes, shape.height(), shape.width(), shape.channels());
  }

  /**
   * Reads a specification written by {@link #toJsonTree()}.
   *
   * @param node the JSON object
   * @return the validated specification
   * @throws IllegalArgumentException naming the missing or invalid field
   */
  public static ModelSpec fromJsonTree(JsonNode node) {
    SpecJson json = new SpecJson("model spec", node);
    return new ModelSpec(
        Architecture.of(json.text("architecture")),
        json.integer("width"),
        json.integer("depth"),
        json.integer("classes"),
        json.integer("input_height"),
        json.integer("input_width"),
        json.integer("input_channels"),
        json.number("dropout"));
  }

  /**
   * Reads a specification written by {@link #toJson()}.
   *
   * @param json the JSON text
   * @return the validated specification
   * @throws IllegalArgumentException if the text is not JSON or a field is missing or invalid
   */
  public static ModelSpec fromJson(String json) {
    return fromJsonTree(SpecJson.parse("model spec", json).node());
  }

  private Block newCnn() {
    SequentialBlock net = new SequentialBlock();
    int height = inputHeight;
    int side = inputWidth;
    int channels = width;
    for (int i = 0; i < depth; i++) {
      net.add(
          Conv2d.builder()
              .setKernelShape(new Shape(3, 3))
              .optPadding(new Shape(1, 1))
              .setFilters(channels)
              .optBias(false)
              .build());
      net.add(BatchNorm.builder().build());
      net.add(Activation.reluBlock());
      if (height >= 2 && side >= 2) {
        net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        height /= 2;
        side /= 2;
      }
      channels *= 2;
    }
    net.add(Blocks.batchFlattenBlock());
    if (dropout > 0) {
      net.add(Dropout.builder().optRate((float) dropout).build());
    }
    net.add(Linear.builder().setUnits(classes).build());
    return net;
  }

  private Block newResnet() {
    return ResNetV1.builder()
        .setImageShape(new Shape(inputChannels, inputHeight, inputWidth))
        .setNumLayers(depth)
        .setOutSize(classes)
        .build();
  }

  private static void checkResnetDepth(int depth, int inputHeight) {
    boolean ok;
    String allowed;
    if (inputHeight <= 28) {
      ok = depth < 164 ? depth >= 8 && (depth - 2) % 6 == 0 : (depth - 2) % 9 == 0;
      allowed = "6n+2 below 164 (20, 32, 44, 56, 110) or 9n+2 from 164";
    } else {
      ok = RESNET_IMAGENET_DEPTHS.contains(depth);
      allowed = "18, 34, 50, 101, 152, 200 or 269";
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "depth "
              + depth
              + " is not a ResNet depth DJL builds for inputs of height "
              + inputHeight
              + "; use "
              + allowed);
    }
  }

  private static void atLeast(String field, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be at least " + min + ", got " + value);
    }
  }
}
