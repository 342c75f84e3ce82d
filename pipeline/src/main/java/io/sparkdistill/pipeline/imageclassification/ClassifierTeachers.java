package io.sparkdistill.pipeline.imageclassification;

import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.datasets.image.ImageShape;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.DatasetSettings;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.models.ModelFiles;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.models.ModelSpec;
import io.sparkdistill.pipeline.task.TeacherTraining;
import io.sparkdistill.pipeline.teachers.TeacherFiles;
import io.sparkdistill.pipeline.train.Augmenter;
import io.sparkdistill.pipeline.train.Evaluation;
import io.sparkdistill.pipeline.train.ImageArrays;
import io.sparkdistill.pipeline.train.Normalization;
import io.sparkdistill.pipeline.train.StepListener;
import io.sparkdistill.pipeline.train.StepLoss;
import io.sparkdistill.pipeline.train.TrainLoop;
import io.sparkdistill.pipeline.train.TrainResult;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image classifiers as teachers: trained with cross-entropy (optionally on random crops and
 * flips), or registered from a DJL checkpoint or a TorchScript file, evaluated by top-1 on the
 * test split.
 */
final class ClassifierTeachers implements TeacherTraining {
  private static final Logger LOG = LoggerFactory.getLogger(ClassifierTeachers.class);
  private static final int EVALUATIONS = 4;

  private final StageContext context;
  private final int classes;
  private final ImageArrays test;

  ClassifierTeachers(StageContext context) {
    this.context = context;
    this.classes = IngestTables.classNames(context.spark(), context.layout()).size();
    this.test = IngestTables.load(context.spark(), context.layout(), "test", 0).arrays();
  }

  static String example() {
    return "teachers { big { width = 32 } }";
  }

  /** A registered DJL checkpoint must take the ingested image shape (and the IDX class count). */
  static void checkRegistered(StageContext context, TeacherSettings teacher) {
    TeacherFiles.requireCheckpoint(context, teacher);
    if (!teacher.torchScript()) {
      Path path = new Path(teacher.checkpoint());
      ModelSpec spec = ModelCheckpoint.load(ModelFiles.readable(context.layout().fs(), path)).spec();
      checkShape(teacher, spec.classes(), spec.inputHeight(), spec.inputWidth(), spec.inputChannels(), context);
    }
  }

  @Override
  public Map<String, Long> rowCounts() {
    return Map.of();
  }

  @Override
  public Evaluated train(TeacherSettings teacher) throws IOException {
    ImageShape shape = context.config().ingest().image();
    ImageArrays train =
        IngestTables.load(context.spark(), context.layout(), "train", teacher.trainExamples()).arrays();
    ModelSpec spec = ModelSpec.of(teacher.network(), classes, shape);
    Normalization normalization = Normalization.fit(train);
    int steps = Math.max(1, teacher.epochs() * (train.size() / teacher.batchSize()));
    LOG.info(
        "[train-teachers] {}: training {} (width {}, depth {}) on {} examples, {} steps of {}",
        teacher.name(), spec.architecture(), spec.width(), spec.depth(), train.size(), steps, teacher.batchSize());
    try (Model model = spec.newModel(teacher.name(), Device.cpu())) {
      TrainLoop.Builder loop =
          TrainLoop.builder()
              .setModel(model)
              .setTrainData(train)
              .setNormalization(normalization)
              .setBatchSize(teacher.batchSize())
              .setTotalSteps(steps)
              .setOptimizer(TeacherFiles.fitWarmup(teacher, steps))
              .setLoss(StepLoss.crossEntropy())
              .optSeed(teacher.seed())
              .optEvaluation(test, Math.max(1, steps / EVALUATIONS))
              .optListener(StepListener.logging("[train-teachers] " + teacher.name(), Math.max(1, steps / 20)));
      if (teacher.augment()) {
        loop.optAugmentation(Augmenter.randomCropAndFlip(2));
      }
      TrainResult result = loop.build().run();
      double accuracy = result.finalTestAccuracy().orElseThrow();
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("test_accuracy", accuracy);
      info.put("steps", steps);
      info.put("train_seconds", result.wallSeconds());
      // So that this checkpoint can later be registered as a teacher of another run as it is.
      info.put("normalization_mean", ModelInfo.toList(normalization.mean()));
      info.put("normalization_std", ModelInfo.toList(normalization.std()));
      ModelInfo teacherInfo =
          ModelInfo.ofImage(
              teacher.name(), ModelInfo.DJL, TeacherFiles.MODEL_DIR, classes,
              spec.inputHeight(), spec.inputWidth(), spec.inputChannels(),
              ModelInfo.toList(normalization.mean()), ModelInfo.toList(normalization.std()),
              accuracy, true);
      TeacherFiles.writeTrained(context, teacher, model, spec, info, result.steps(), teacherInfo);
      return evaluated(accuracy, result.wallSeconds());
    }
  }

  @Override
  public Evaluated register(TeacherSettings teacher) throws IOException {
    java.nio.file.Path local = TeacherFiles.localCheckpoint(context, teacher);
    ImageShape shape = context.config().ingest().image();
    String kind;
    String modelName;
    Normalization normalization;
    double accuracy;
    if (teacher.torchScript()) {
      kind = ModelInfo.TORCHSCRIPT;
      modelName = TeacherFiles.TORCHSCRIPT_FILE;
      normalization = Normalization.of(teacher.inputMean(), teacher.inputStd());
      try (Model model = ModelCheckpoint.loadTorchScript(local, Device.cpu())) {
        float[][] logits = Evaluation.logits(model, test.subset(new int[] {0}), normalization, 1);
        if (logits[0].length != classes) {
          throw new ConfigError(
              "teachers." + teacher.name() + ".checkpoint: " + teacher.checkpoint() + " outputs "
                  + logits[0].length + " logits, but the dataset has " + classes + " classes");
        }
        accuracy = Evaluation.accuracy(model, test, normalization, 256);
      }
    } else {
      kind = ModelInfo.DJL;
      modelName = TeacherFiles.MODEL_DIR;
      ModelCheckpoint.Loaded checkpoint = ModelCheckpoint.load(local);
      ModelSpec spec = checkpoint.spec();
      checkShape(teacher, spec.classes(), spec.inputHeight(), spec.inputWidth(), spec.inputChannels(), context);
      if (spec.classes() != classes) {
        throw new ConfigError(
            "teachers." + teacher.name() + ".checkpoint: the model has " + spec.classes()
                + " classes, the dataset " + classes);
      }
      Map<String, Object> info = checkpoint.info();
      normalization =
          info.containsKey("normalization_mean")
              ? Normalization.of(numbers(info.get("normalization_mean")), numbers(info.get("normalization_std")))
              : Normalization.of(teacher.inputMean(), teacher.inputStd());
      try (Model model = ModelCheckpoint.loadModel(local, Device.cpu())) {
        accuracy = Evaluation.accuracy(model, test, normalization, 256);
      }
    }
    ModelInfo info =
        ModelInfo.ofImage(
              teacher.name(), kind, modelName, classes,
            shape.height(), shape.width(), shape.channels(),
            ModelInfo.toList(normalization.mean()), ModelInfo.toList(normalization.std()),
            accuracy, false);
    TeacherFiles.writeRegistered(context, teacher, local, modelName, info);
    return evaluated(accuracy, 0);
  }

  private static Evaluated evaluated(double accuracy, double trainSeconds) {
    return new Evaluated(accuracy, trainSeconds, Map.of(), "test accuracy " + String.format("%.4f", accuracy));
  }

  private static void checkShape(
      TeacherSettings teacher, int classes, int height, int width, int channels, StageContext context) {
    ImageShape shape = context.config().ingest().image();
    if (height != shape.height() || width != shape.width() || channels != shape.channels()) {
      throw new ConfigError(
          "teachers." + teacher.name() + ".checkpoint: the model takes " + height + "x" + width + "x"
              + channels + " images, but ingest.image is " + shape.height() + "x" + shape.width() + "x"
              + shape.channels());
    }
    List<String> names = context.config().dataset().idx().classNames();
    if (context.config().dataset().format() == DatasetSettings.Format.IDX && classes != names.size()) {
      throw new ConfigError(
          "teachers." + teacher.name() + ".checkpoint: the model has " + classes
              + " classes, dataset.idx.class-names lists " + names.size());
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Number> numbers(Object jsonList) {
    return (List<Number>) jsonList;
  }
}
