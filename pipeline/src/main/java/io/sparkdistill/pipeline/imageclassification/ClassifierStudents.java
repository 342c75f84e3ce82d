package io.sparkdistill.pipeline.imageclassification;

import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.pipeline.students.TrainStudentsStage;
import io.sparkdistill.pipeline.students.StudentSet;
import io.sparkdistill.datasets.image.ImageShape;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.task.StudentRun;
import io.sparkdistill.pipeline.task.StudentTraining;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.config.StudentSettings;
import io.sparkdistill.pipeline.config.VariantSettings;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.distill.KdLoss;
import io.sparkdistill.pipeline.distill.OnlineTargets;
import io.sparkdistill.pipeline.distill.SoftTargets;
import io.sparkdistill.pipeline.distill.StoredTargets;
import io.sparkdistill.pipeline.config.TeacherPolicy;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.spark.ModelCache;
import io.sparkdistill.pipeline.models.ModelFiles;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.models.ModelSpec;
import io.sparkdistill.pipeline.softlabels.SoftLabelStage;
import io.sparkdistill.pipeline.softlabels.SoftLabelStore;
import io.sparkdistill.pipeline.teachers.TrainTeachersStage;
import io.sparkdistill.pipeline.train.ImageArrays;
import io.sparkdistill.pipeline.train.Normalization;
import io.sparkdistill.pipeline.train.StepListener;
import io.sparkdistill.pipeline.train.StepLoss;
import io.sparkdistill.pipeline.train.TrainCheckpoints;
import io.sparkdistill.pipeline.train.TrainLoop;
import io.sparkdistill.pipeline.train.TrainResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image students: the stored train views rendered as the teachers saw them ({@link StudentSet}),
 * their targets per teacher (soft-labels, or the ensemble table for the mean policy), the test
 * split for evaluation, {@link TrainLoop} on a {@link ModelSpec} network, and a model folder with
 * the input normalisation fitted on the train views.
 */
final class ClassifierStudents implements StudentTraining {
  private static final Logger LOG = LoggerFactory.getLogger(ClassifierStudents.class);

  private final StageContext context;
  private final StudentSettings settings;
  private final StudentSet set;
  private final ImageArrays test;
  private final long examples;
  private final Normalization normalization;
  private final ModelSpec spec;
  private final int classes;
  private final ImageShape shape;
  /** Teachers of the online policy, loaded once for every run that needs them. */
  private final Map<String, Model> onlineTeachers = new TreeMap<>();

  private ClassifierStudents(
      StageContext context, StudentSet set, ImageArrays test, long examples, int classes) {
    this.context = context;
    this.settings = context.config().students();
    this.set = set;
    this.test = test;
    this.examples = examples;
    this.normalization = Normalization.fit(set.data());
    this.shape = context.config().ingest().image();
    this.classes = classes;
    this.spec = ModelSpec.of(settings.network(), classes, shape);
  }

  /** The checks only the image path makes (the stage makes the shared ones). */
  static void validate(RunConfig config) {
    for (VariantSettings variant : config.students().variants()) {
      if (variant.policy() == TeacherPolicy.MEAN && config.teachers().size() < 2) {
        throw new ConfigError(
            "students.variants." + variant.name() + ": policy mean reads the ensemble, which needs two"
                + " or more teachers");
      }
    }
  }

  /** Loads the test split, then the train views with every target table the variants read. */
  static ClassifierStudents load(StageContext context) {
    SparkSession spark = context.spark();
    RunConfig config = context.config();
    StudentSettings settings = config.students();
    int classes = IngestTables.classNames(spark, context.layout()).size();
    ImageArrays test = IngestTables.load(spark, context.layout(), "test", 0).arrays();
    List<StudentSet.Source> sources = sources(config);
    long t0 = System.nanoTime();
    StudentSet set =
        StudentSet.load(
            spark, context.layout(), sources, settings.trainExamples(), settings.temperature(),
            settings.missingMass());
    long examples = Arrays.stream(set.exampleIds()).distinct().count();
    LOG.info(
        "[train-students] {} train views of {} examples loaded with targets of {} in {}s",
        set.size(), examples, set.teachers(), TrainStudentsStage.secondsSince(t0));
    return new ClassifierStudents(context, set, test, examples, classes);
  }

  /**
   * The soft-label tables the variants read, each once: single and random teachers from
   * soft-labels, the ensemble for mean. With none (only baselines and online variants), the first
   * soft-labelled teacher's table, for its views.
   */
  static List<StudentSet.Source> sources(RunConfig config) {
    Set<StudentSet.Source> sources = new LinkedHashSet<>();
    for (VariantSettings variant : config.students().variants()) {
      switch (variant.policy()) {
        case SINGLE, RANDOM -> variant.teachers().forEach(t -> sources.add(new StudentSet.Source(StageName.SOFT_LABELS, t)));
        case MEAN -> sources.add(new StudentSet.Source(StageName.ENSEMBLE, SoftLabelStore.ENSEMBLE_TEACHER));
        case NONE, ONLINE -> { }
      }
    }
    if (sources.isEmpty()) {
      sources.add(new StudentSet.Source(StageName.SOFT_LABELS, SoftLabelStage.teachers(config).get(0)));
    }
    return List.copyOf(sources);
  }

  @Override
  public long examples() {
    return examples;
  }

  @Override
  public int trainViews() {
    return set.size();
  }

  @Override
  public List<String> teachers(VariantSettings variant) {
    return variant.policy() == TeacherPolicy.MEAN ? List.of(SoftLabelStore.ENSEMBLE_TEACHER) : variant.teachers();
  }

  @Override
  public void warmUp(int steps) {
    try (Model model = spec.newModel("warm-up", Device.cpu())) {
      TrainLoop.builder()
          .setModel(model)
          .setTrainData(set.data())
          .setNormalization(normalization)
          .setBatchSize(Math.min(settings.batchSize(), set.size()))
          .setTotalSteps(steps)
          .setOptimizer(settings.optimizer().fittedTo(steps))
          .setLoss(StepLoss.crossEntropy())
          .build()
          .run();
    }
  }

  @Override
  public TrainResult train(
      StudentRun plan, TrainCheckpoints checkpoints, List<StepListener> listeners, Path runDir)
      throws IOException {
    KdLoss kd = plan.distillation(settings, targets(plan.variant(), plan.seed()));
    try (Model model = spec.newModel(plan.runId(), Device.cpu())) {
      TrainLoop.Builder loop =
          TrainLoop.builder()
              .setModel(model)
              .setTrainData(set.data())
              .setNormalization(normalization)
              .setBatchSize(settings.batchSize())
              .setTotalSteps(plan.steps())
              .setOptimizer(settings.optimizer().fittedTo(plan.steps()))
              .setLoss(kd == null ? StepLoss.crossEntropy() : kd)
              .optSeed(plan.seed())
              .optEvaluation(test, settings.evaluateEvery())
              .optCheckpoints(checkpoints, settings.checkpointEvery());
      listeners.forEach(loop::optListener);
      TrainResult result = loop.build().run();
      writeModel(plan, model, result, runDir);
      return result;
    }
  }

  @Override
  public void close() {
    onlineTeachers.values().forEach(Model::close);
    onlineTeachers.clear();
  }

  private SoftTargets targets(VariantSettings variant, long seed) {
    return switch (variant.policy()) {
      case NONE -> null;
      case SINGLE -> StoredTargets.of(set.targets().get(variant.teachers().get(0)));
      case MEAN -> StoredTargets.of(set.targets().get(SoftLabelStore.ENSEMBLE_TEACHER));
      case RANDOM -> StoredTargets.randomPerStep(variant.teachers().stream().map(set.targets()::get).toList(), seed);
      case ONLINE -> {
        List<OnlineTargets.Teacher> teachers = new ArrayList<>();
        for (String name : variant.teachers()) {
          Path dir = TrainTeachersStage.teacherDir(context, context.config().teacher(name));
          ModelInfo info = ModelInfo.read(context.layout().fs(), dir);
          Model model = onlineTeachers.computeIfAbsent(name, n -> ModelCache.load(dir.toString(), info, Device.cpu()));
          teachers.add(new OnlineTargets.Teacher(model, info.normalization()));
        }
        yield new OnlineTargets(teachers, set.data(), settings.temperature());
      }
    };
  }

  private void writeModel(StudentRun plan, Model model, TrainResult result, Path runDir)
      throws IOException {
    double accuracy = result.finalTestAccuracy().orElseThrow();
    Map<String, Object> info = plan.checkpointInfo(result);
    info.put("normalization_mean", ModelInfo.toList(normalization.mean()));
    info.put("normalization_std", ModelInfo.toList(normalization.std()));
    ModelFiles.saveCheckpoint(model, spec, info, context.layout().fs(), new Path(runDir, "model"));
    ModelInfo.ofImage(
              plan.runId(), ModelInfo.DJL, "model", classes,
            shape.height(), shape.width(), shape.channels(),
            ModelInfo.toList(normalization.mean()), ModelInfo.toList(normalization.std()), accuracy, true)
        .write(context.layout().fs(), runDir);
  }
}
