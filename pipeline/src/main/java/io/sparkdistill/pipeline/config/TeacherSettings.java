package io.sparkdistill.pipeline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * One entry of the {@code teachers} section (its keys over {@code teacher-defaults}): a model to
 * train, or an existing checkpoint to register.
 *
 * @param name the teacher's name (its key under {@code teachers})
 * @param architecture network family
 * @param width channels of the first conv block (cnn); hidden size (bert)
 * @param depth conv blocks (cnn), layers (resnet) or transformer blocks (bert)
 * @param dropout dropout before the classifier (cnn); embedding dropout (bert)
 * @param heads attention heads per transformer block (bert)
 * @param intermediateSize feed-forward width of each transformer block (bert; 0 = 4 * width)
 * @param epochs passes over the train split
 * @param batchSize examples per step
 * @param seed initial parameters and batch order
 * @param augment random translation and flip while training
 * @param trainExamples use only the first n train examples (0 = all)
 * @param optimizer optimiser and schedule
 * @param checkpoint empty to train; else a DJL checkpoint folder or a TorchScript {@code .pt} file
 * @param inputMean TorchScript only: per-channel mean the model expects (pixels scaled to [0,1])
 * @param inputStd TorchScript only: per-channel standard deviation
 */
public record TeacherSettings(
    String name,
    Architecture architecture,
    int width,
    int depth,
    double dropout,
    int heads,
    int intermediateSize,
    int epochs,
    int batchSize,
    long seed,
    boolean augment,
    int trainExamples,
    OptimizerSettings optimizer,
    String checkpoint,
    List<Double> inputMean,
    List<Double> inputStd) {

  public TeacherSettings {
    inputMean = List.copyOf(inputMean);
    inputStd = List.copyOf(inputStd);
  }

  /** True when this teacher is registered from a file instead of trained. */
  public boolean registered() {
    return !checkpoint.isBlank();
  }

  /** True when the registered checkpoint is a TorchScript file. */
  public boolean torchScript() {
    return checkpoint.endsWith(".pt") || checkpoint.endsWith(".pth") || checkpoint.endsWith(".torchscript");
  }

  /** The configured network, from which {@code models} makes the specification for a dataset. */
  public NetworkSettings network() {
    return new NetworkSettings("teachers." + name, architecture, width, depth, dropout, heads, intermediateSize);
  }

  /** The optimiser section at {@code p} (teachers' and students' {@code optimizer}). */
  static OptimizerSettings optimizer(ConfigReader r, String p) {
    return r.build(
        p,
        () ->
            new OptimizerSettings(
                r.enumValue(p + ".type", OptimizerSettings.Type.class),
                r.doubleValue(p + ".learning-rate"),
                r.doubleValue(p + ".momentum"),
                r.doubleValue(p + ".weight-decay"),
                r.enumValue(p + ".schedule", OptimizerSettings.Schedule.class),
                r.intAtLeast(p + ".warmup-steps", 0),
                r.intAtLeast(p + ".step-every", 1),
                r.doubleValue(p + ".step-factor")));
  }

  /** Every teacher under {@code teachers}, in name order, each over {@code teacher-defaults}. */
  static List<TeacherSettings> allFrom(Config resolved) {
    List<TeacherSettings> teachers = new ArrayList<>();
    Config defaults = resolved.getConfig("teacher-defaults");
    for (String name : new TreeSet<>(resolved.getObject("teachers").keySet())) {
      String prefix = "teachers." + ConfigUtil.joinPath(name);
      Config merged = resolved.getConfig(prefix).withFallback(defaults).atPath(prefix);
      teachers.add(from(new ConfigReader(merged), prefix, name));
    }
    return teachers;
  }

  private static TeacherSettings from(ConfigReader r, String p, String name) {
    OptimizerSettings optimizer = optimizer(r, p + ".optimizer");
    TeacherSettings teacher =
        new TeacherSettings(
            name,
            r.enumValue(p + ".architecture", Architecture.class),
            r.intAtLeast(p + ".width", 1),
            r.intAtLeast(p + ".depth", 1),
            r.doubleValue(p + ".dropout"),
            r.intAtLeast(p + ".heads", 1),
            r.intAtLeast(p + ".intermediate-size", 0),
            r.intAtLeast(p + ".epochs", 1),
            r.intAtLeast(p + ".batch-size", 1),
            r.longValue(p + ".seed"),
            r.bool(p + ".augment"),
            r.intAtLeast(p + ".train-examples", 0),
            optimizer,
            r.string(p + ".checkpoint"),
            r.doubleList(p + ".input-mean"),
            r.doubleList(p + ".input-std"));
    if (teacher.inputMean().size() != teacher.inputStd().size()) {
      throw r.invalid(p + ".input-std", "must have as many values as input-mean");
    }
    return teacher;
  }
}
