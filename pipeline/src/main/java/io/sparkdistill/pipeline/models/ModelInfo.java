package io.sparkdistill.pipeline.models;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkdistill.pipeline.mlm.MlmSpec;
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
 * beside the model: in {@code train-teachers/<name>/} and in each student run's folder.
 *
 * @param formatVersion version of this file's layout
 * @param name model name (teacher name, or student run id)
 * @param kind {@code djl} (a {@code ModelCheckpoint} folder) or {@code torchscript} (one file)
 * @param model the model, relative to the folder of this file ({@code model} or {@code model.pt})
 * @param classes number of output classes
 * @param inputHeight input rows
 * @param inputWidth input columns
 * @param inputChannels input channels
 * @param mean per-channel mean of the input normalisation (pixels scaled to [0, 1])
 * @param std per-channel standard deviation of the input normalisation
 * @param testAccuracy top-1 accuracy on the test split
 * @param trained true when this run trained it, false when it was registered
 */
public record ModelInfo(
    int formatVersion,
    String name,
    String kind,
    String model,
    int classes,
    int inputHeight,
    int inputWidth,
    int inputChannels,
    List<Double> mean,
    List<Double> std,
    double testAccuracy,
    boolean trained)
    implements Serializable {

  public static final int FORMAT_VERSION = 1;
  public static final String FILE = "model.json";
  public static final String DJL = "djl";
  public static final String TORCHSCRIPT = "torchscript";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public ModelInfo {
    mean = List.copyOf(mean);
    std = List.copyOf(std);
  }

  /**
   * The record of a masked-language model ({@code mlm.MlmSpec}, a DJL checkpoint in {@code
   * model/}): on the text path {@code classes} is the vocabulary size, {@code inputHeight} the
   * sequence length, {@code inputWidth} and {@code inputChannels} 1, and there is no input
   * normalisation; {@code testAccuracy} is the held-out masked-token accuracy.
   */
  public static ModelInfo ofMlm(String name, MlmSpec spec, double testAccuracy, boolean trained) {
    return new ModelInfo(
        FORMAT_VERSION, name, DJL, "model", spec.vocabularySize(), spec.maxSequenceLength(), 1, 1,
        List.of(), List.of(), testAccuracy, trained);
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
      ModelInfo info = JSON.readValue(in, ModelInfo.class);
      if (info.formatVersion() != FORMAT_VERSION) {
        throw new IllegalStateException(file + ": format version " + info.formatVersion() + ", expected " + FORMAT_VERSION);
      }
      return info;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
