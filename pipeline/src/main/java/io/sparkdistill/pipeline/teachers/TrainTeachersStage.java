package io.sparkdistill.pipeline.teachers;

import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.datasets.image.ImageShape;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.models.ModelFiles;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.models.ModelSpec;
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
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains each teacher of the {@code teachers} section on the ingested train split (or registers
 * its existing checkpoint), evaluates it on the test split, and writes under
 * {@code train-teachers/<name>/}: {@code model/} (a DJL checkpoint) or {@code model.pt}
 * (TorchScript), {@code model.json} ({@link ModelInfo}) and, for trained teachers, the training
 * curve {@code metrics/} ({@link TrainingCurveTable}).
 *
 * <p>Training runs on the driver, one teacher after another (DJL allows one active gradient
 * collector per JVM); it needs the train split in the driver's memory.
 */
public final class TrainTeachersStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(TrainTeachersStage.class);
  static final String MODEL_DIR = TeacherFiles.MODEL_DIR;
  static final String TORCHSCRIPT_FILE = TeacherFiles.TORCHSCRIPT_FILE;
  private static final int EVALUATIONS = 4;

  @Override
  public StageName name() {
    return StageName.TRAIN_TEACHERS;
  }

  @Override
  public List<String> configSections() {
    return List.of("teachers", "teacher-defaults");
  }

  @Override
  public Map<String, String> externalInputs(StageContext context) {
    return TeacherFiles.registeredInputs(context);
  }

  @Override
  public void validate(StageContext context) {
    TeacherFiles.requireTeachers(context, "teachers { big { width = 32 } }");
    for (TeacherSettings teacher : context.config().teachers()) {
      if (teacher.registered()) {
        TeacherFiles.requireCheckpoint(context, teacher);
        if (!teacher.torchScript()) {
          Path path = new Path(teacher.checkpoint());
          ModelSpec spec = ModelCheckpoint.load(ModelFiles.readable(context.layout().fs(), path)).spec();
          checkShape(teacher, spec.classes(), spec.inputHeight(), spec.inputWidth(), spec.inputChannels(), context);
        }
      }
    }
  }

  @Override
  public StageOutcome run(StageContext context) throws Exception {
    SparkSession spark = context.spark();
    List<String> classNames = IngestTables.classNames(spark, context.layout());
    IngestTables.LoadedSplit test = IngestTables.load(spark, context.layout(), "test", 0);
    Map<String, Long> rowCounts = new TreeMap<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    Map<String, Double> trainSeconds = new TreeMap<>();
    for (TeacherSettings teacher : context.config().teachers()) {
      context.describe("teacher " + teacher.name());
      ModelInfo info =
          teacher.registered()
              ? register(context, teacher, classNames.size(), test.arrays())
              : train(context, teacher, classNames.size(), test.arrays(), trainSeconds);
      LOG.info("[train-teachers] {}: test accuracy {}", teacher.name(), String.format("%.4f", info.testAccuracy()));
      metrics.put("test_accuracy." + teacher.name(), info.testAccuracy());
      // The one-off cost the report charges to students of this teacher (0 when registered).
      metrics.put("train_seconds." + teacher.name(), trainSeconds.getOrDefault(teacher.name(), 0.0));
      rowCounts.put("teachers", rowCounts.getOrDefault("teachers", 0L) + 1);
    }
    metrics.put("schema.metrics", TrainingCurveTable.VERSION);
    return new StageOutcome(rowCounts, metrics, List.of());
  }

  private ModelInfo train(
      StageContext context, TeacherSettings teacher, int classes, ImageArrays test, Map<String, Double> trainSeconds)
      throws IOException {
    SparkSession spark = context.spark();
    ImageShape shape = context.config().ingest().image();
    ImageArrays train = IngestTables.load(spark, context.layout(), "train", teacher.trainExamples()).arrays();
    ModelSpec spec = teacher.spec(classes, shape);
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
      trainSeconds.put(teacher.name(), result.wallSeconds());
      // So that this checkpoint can later be registered as a teacher of another run as it is.
      info.put("normalization_mean", ModelInfo.toList(normalization.mean()));
      info.put("normalization_std", ModelInfo.toList(normalization.std()));
      ModelInfo teacherInfo =
          new ModelInfo(
              ModelInfo.FORMAT_VERSION, teacher.name(), ModelInfo.DJL, MODEL_DIR, classes,
              spec.inputHeight(), spec.inputWidth(), spec.inputChannels(),
              ModelInfo.toList(normalization.mean()), ModelInfo.toList(normalization.std()),
              accuracy, true);
      TeacherFiles.writeTrained(context, teacher, model, spec, info, result.steps(), teacherInfo);
      return teacherInfo;
    }
  }

  /** Copies a given checkpoint into the run, checks it fits the data, and evaluates it. */
  private ModelInfo register(StageContext context, TeacherSettings teacher, int classes, ImageArrays test)
      throws IOException {
    java.nio.file.Path local = TeacherFiles.localCheckpoint(context, teacher);
    ImageShape shape = context.config().ingest().image();
    String kind;
    String modelName;
    Normalization normalization;
    double accuracy;
    if (teacher.torchScript()) {
      kind = ModelInfo.TORCHSCRIPT;
      modelName = TORCHSCRIPT_FILE;
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
      modelName = MODEL_DIR;
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
        new ModelInfo(
            ModelInfo.FORMAT_VERSION, teacher.name(), kind, modelName, classes,
            shape.height(), shape.width(), shape.channels(),
            ModelInfo.toList(normalization.mean()), ModelInfo.toList(normalization.std()),
            accuracy, false);
    TeacherFiles.writeRegistered(context, teacher, local, modelName, info);
    return info;
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
    if (context.config().dataset().format() == io.sparkdistill.pipeline.config.DatasetSettings.Format.IDX
        && classes != names.size()) {
      throw new ConfigError(
          "teachers." + teacher.name() + ".checkpoint: the model has " + classes
              + " classes, dataset.idx.class-names lists " + names.size());
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Number> numbers(Object jsonList) {
    return (List<Number>) jsonList;
  }

  /** The folder of one teacher inside this stage's output. */
  public static Path teacherDir(StageContext context, TeacherSettings teacher) {
    return new Path(context.layout().stageDir(StageName.TRAIN_TEACHERS), teacher.name());
  }
}
