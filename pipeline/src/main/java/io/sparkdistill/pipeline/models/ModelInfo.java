package io.sparkdistill.pipeline.models;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkdistill.pipeline.train.Normalization;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What inference needs to run a trained model, teacher or student, written as {@code model.json}
 * beside the model: in {@code train-teachers/<name>/} and in each student run's folder. Exactly one
 * of {@code image} (an image classifier) and {@code tokens} (a masked-language model) is set.
 *
 * @param formatVersion version of this file's layout ({@value #FORMAT_VERSION}; format 1, which
 *     stored a vocabulary as {@code classes} and a sequence length as {@code input_height}, is
 *     refused with a message saying which stage to re-run)
 * @param name model name (teacher name, or student run id)
 * @param kind {@code djl} (a {@code ModelCheckpoint} folder) or {@code torchscript} (one file)
 * @param model the model, relative to the folder of this file ({@code model} or {@code model.pt})
 * @param image an image classifier's classes and input shape; null for a masked-language model
 * @param tokens a masked-language model's vocabulary and sequence length; null for an image model
 * @param mean per-channel mean of the input normalisation (pixels scaled to [0, 1]; empty for text)
 * @param std per-channel standard deviation of the input normalisation
 * @param testAccuracy top-1 accuracy on the test split (masked-token accuracy for text)
 * @param trained true when this run trained it, false when it was registered
 */
public record ModelInfo(
    int formatVersion,
    String name,
    String kind,
    String model,
    ImageModel image,
    TokenModel tokens,
    List<Double> mean,
    List<Double> std,
    double testAccuracy,
    boolean trained)
    implements Serializable {

  public static final int FORMAT_VERSION = 2;
  public static final String FILE = "model.json";
  public static final String DJL = "djl";
  public static final String TORCHSCRIPT = "torchscript";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** An image classifier: its classes and the shape of the images it takes. */
  public record ImageModel(int classes, int height, int width, int channels) implements Serializable {}

  /** A masked-language model: the token ids of a vocabulary, in sequences of a fixed length. */
  public record TokenModel(int vocabularySize, int sequenceLength) implements Serializable {}

  public ModelInfo {
    if ((image == null) == (tokens == null)) {
      throw new IllegalArgumentException(
          "model '" + name + "': exactly one of image and tokens must be set, got " + image + " and " + tokens);
    }
    mean = List.copyOf(mean);
    std = List.copyOf(std);
  }

  /** The record of an image classifier. */
  public static ModelInfo ofImage(
      String name, String kind, String model, int classes, int height, int width, int channels,
      List<Double> mean, List<Double> std, double testAccuracy, boolean trained) {
    return new ModelInfo(
        FORMAT_VERSION, name, kind, model, new ImageModel(classes, height, width, channels), null, mean, std,
        testAccuracy, trained);
  }

  /**
   * The record of a masked-language model ({@code MlmSpec}, a DJL checkpoint in {@code model/}),
   * without input normalisation; {@code testAccuracy} is the held-out masked-token accuracy.
   */
  public static ModelInfo ofMlm(String name, MlmSpec spec, double testAccuracy, boolean trained) {
    return new ModelInfo(
        FORMAT_VERSION, name, DJL, "model", null,
        new TokenModel(spec.vocabularySize(), spec.maxSequenceLength()), List.of(), List.of(), testAccuracy,
        trained);
  }

  /** The image classifier's classes; fails for a masked-language model. */
  public int classes() {
    return imageModel().classes();
  }

  public int inputHeight() {
    return imageModel().height();
  }

  public int inputWidth() {
    return imageModel().width();
  }

  public int inputChannels() {
    return imageModel().channels();
  }

  /** The masked-language model's vocabulary and sequence length; fails for an image classifier. */
  public TokenModel tokenModel() {
    if (tokens == null) {
      throw new IllegalStateException("model '" + name + "' is an image classifier, not a masked-language model");
    }
    return tokens;
  }

  /**
   * Why this model cannot take the images of a dataset of {@code classes} classes stored at {@code
   * shape} ("has 5 classes, the dataset 10", "takes 28x28x1 images, ingest.image is ..."); null
   * when it can. The caller names the model and chooses the error.
   */
  public String imageMismatch(int classes, io.sparkdistill.datasets.image.ImageShape shape) {
    if (classes() != classes) {
      return "has " + classes() + " classes, the dataset " + classes;
    }
    if (inputHeight() != shape.height() || inputWidth() != shape.width() || inputChannels() != shape.channels()) {
      return "takes " + inputHeight() + "x" + inputWidth() + "x" + inputChannels() + " images, ingest.image is "
          + shape.height() + "x" + shape.width() + "x" + shape.channels();
    }
    return null;
  }

  /** Why this model cannot read the ingested token ids; null when it can (as {@link #imageMismatch}). */
  public String tokenMismatch(int vocabularySize, int sequenceLength) {
    TokenModel t = tokenModel();
    if (t.vocabularySize() != vocabularySize || t.sequenceLength() != sequenceLength) {
      return "has a vocabulary of " + t.vocabularySize() + " tokens and sequences of " + t.sequenceLength()
          + " ids; ingest made " + vocabularySize + " tokens and text.sequence-length is " + sequenceLength;
    }
    return null;
  }

  private ImageModel imageModel() {
    if (image == null) {
      throw new IllegalStateException("model '" + name + "' is a masked-language model, not an image classifier");
    }
    return image;
  }

  /** The input normalisation as the training code takes it. */
  public Normalization normalization() {
    return Normalization.of(mean, std);
  }

  public static List<Double> toList(float[] values) {
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = (double) values[i];
    }
    return List.of(boxed);
  }

  /** Writes {@code model.json} into {@code teacherDir} (any Hadoop file system). */
  public void write(FileSystem fs, Path teacherDir) {
    try (OutputStream out = fs.create(new Path(teacherDir, FILE), true)) {
      JSON.writeValue(out, this);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + new Path(teacherDir, FILE), e);
    }
  }

  /** Reads {@code model.json} from {@code teacherDir}. */
  public static ModelInfo read(FileSystem fs, Path teacherDir) {
    Path file = new Path(teacherDir, FILE);
    try (InputStream in = fs.open(file)) {
      JsonNode tree = JSON.readTree(in);
      int version = tree.path("format_version").asInt(-1);
      if (version != FORMAT_VERSION) {
        throw new IllegalStateException(
            file + ": model.json format version " + version + ", this build reads format " + FORMAT_VERSION
                + " (format 1 stored a vocabulary as classes); re-run the stage that wrote it"
                + " (train-teachers or train-students: bin/distill run CONF --from <stage>)");
      }
      return JSON.treeToValue(tree, ModelInfo.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
