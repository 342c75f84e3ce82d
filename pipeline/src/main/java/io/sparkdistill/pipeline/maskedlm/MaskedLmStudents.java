package io.sparkdistill.pipeline.maskedlm;

import static org.apache.spark.sql.functions.col;

import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.pipeline.students.TrainStudentsStage;
import io.sparkdistill.datasets.text.SequenceTable;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.task.StudentRun;
import io.sparkdistill.pipeline.task.StudentTraining;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.config.StudentSettings;
import io.sparkdistill.pipeline.config.VariantSettings;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.distill.KdLoss;
import io.sparkdistill.pipeline.distill.MeanTargets;
import io.sparkdistill.pipeline.distill.RandomTeacherTargets;
import io.sparkdistill.pipeline.distill.SoftTargets;
import io.sparkdistill.pipeline.config.TeacherPolicy;
import io.sparkdistill.pipeline.ensemble.EnsembleStage;
import io.sparkdistill.pipeline.models.MlmSpec;
import io.sparkdistill.pipeline.models.ModelFiles;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.softlabels.SoftLabelStage;
import io.sparkdistill.pipeline.train.StepListener;
import io.sparkdistill.pipeline.train.TrainCheckpoints;
import io.sparkdistill.pipeline.train.TrainResult;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Masked-language-model students (the text path): every stored masked view of the train sequences
 * ({@link MlmSequences}; an "example" of the budgets is a train sequence, each step draws {@code
 * batch-size} views), held out on view 0 of the test sequences, {@link MlmTrainLoop} on an {@link
 * MlmSpec} network ({@code students.architecture = bert}), and a model folder of {@link
 * ModelInfo#ofMlm}.
 *
 * <p>Targets per policy: {@code single} is one teacher's stored rows of {@code soft-labels/}
 * ({@link TextSoftLabelTable}: one row per masked position) in the train data's row order ({@link
 * MaskedLabelRows}), decoded per batch ({@link MlmSoftLabels#targets}); {@code random} draws one of those per step; {@code
 * mean} averages the decoded distributions of the ensemble's teachers ({@link
 * EnsembleStage#teachers}) per batch, as there is no ensemble table on the text path. {@code
 * online} is not built for text.
 */
final class MaskedLmStudents implements StudentTraining {
  private static final Logger LOG = LoggerFactory.getLogger(MaskedLmStudents.class);

  private final StageContext context;
  private final StudentSettings settings;
  private final MlmSequences.Loaded train;
  private final MlmData heldOut;
  private final MlmSpec spec;
  /** Each teacher's soft labels in the row order of {@code train.data()} (decoded when used). */
  private final Map<String, List<MaskedSoftLabel>> labels;

  private MaskedLmStudents(
      StageContext context, MlmSequences.Loaded train, MlmData heldOut, MlmSpec spec,
      Map<String, List<MaskedSoftLabel>> labels) {
    this.context = context;
    this.settings = context.config().students();
    this.train = train;
    this.heldOut = heldOut;
    this.spec = spec;
    this.labels = labels;
  }

  /** The checks only the text path makes (the stage makes the shared ones). */
  static void validate(RunConfig config) {
    List<String> softLabelled = SoftLabelStage.teachers(config);
    for (VariantSettings variant : config.students().variants()) {
      String key = "students.variants." + variant.name();
      if (variant.policy() == TeacherPolicy.ONLINE) {
        throw new ConfigError(
            key + ": policy online is not built for text (masked-language-model) runs; use single,"
                + " random or mean, which read the stored soft labels");
      }
      if (variant.policy() == TeacherPolicy.MEAN) {
        List<String> teachers = EnsembleStage.teachers(config);
        if (teachers.size() < 2) {
          throw new ConfigError(
              key + ": policy mean averages the ensemble's teachers (ensemble.teachers, or every"
                  + " soft-labelled teacher), which needs two or more; got " + teachers);
        }
        for (String teacher : teachers) {
          if (!softLabelled.contains(teacher)) {
            throw new ConfigError(
                key + ": policy mean averages teacher '" + teacher + "' of ensemble.teachers, which"
                    + " has no soft labels (soft-labels.teachers is " + softLabelled + ")");
          }
        }
      }
    }
  }

  /** Loads the train views, view 0 of the test sequences and every teacher's soft labels the variants read. */
  static MaskedLmStudents load(StageContext context) {
    SparkSession spark = context.spark();
    RunConfig config = context.config();
    StudentSettings settings = config.students();
    RunLayout layout = context.layout();
    long t0 = System.nanoTime();
    int vocabulary = CorpusTables.vocabulary(layout).size();
    MlmSpec spec = MlmSpec.of(settings.network(), vocabulary, config.text().sequenceLength());
    MlmSequences.Loaded train = MlmSequences.load(spark, layout, "train", settings.trainExamples());
    MlmData heldOut = heldOut(spark, layout);
    Map<String, List<MaskedSoftLabel>> labels = new LinkedHashMap<>();
    for (String teacher : teachers(config)) {
      labels.put(teacher, MaskedLabelRows.load(spark, layout, teacher, train, settings.trainExamples() > 0));
    }
    LOG.info(
        "[train-students] {} masked train views of {} sequences ({} without a masked position left"
            + " out), {} held-out sequences, soft labels of {} loaded in {}s",
        train.data().size(), train.sequences(), train.skipped(), heldOut.size(), labels.keySet(),
        TrainStudentsStage.secondsSince(t0));
    return new MaskedLmStudents(context, train, heldOut, spec, labels);
  }

  /** The teachers whose soft labels some variant reads, each once. */
  private static List<String> teachers(RunConfig config) {
    Set<String> teachers = new LinkedHashSet<>();
    for (VariantSettings variant : config.students().variants()) {
      switch (variant.policy()) {
        case SINGLE, RANDOM -> teachers.addAll(variant.teachers());
        case MEAN -> teachers.addAll(EnsembleStage.teachers(config));
        case NONE, ONLINE -> { }
      }
    }
    return List.copyOf(teachers);
  }

  /** View 0 of every test sequence: ingest writes no other view for the test split. */
  private static MlmData heldOut(SparkSession spark, RunLayout layout) {
    List<Row> rows =
        CorpusTables.sequences(spark, layout)
            .filter(col(SequenceTable.SPLIT).equalTo("test").and(col(SequenceTable.VIEW_ID).equalTo(0)))
            .select(MlmSequences.columns())
            .collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException(
          "ingest/sequences has no test sequence to evaluate the students on; re-run ingest with a"
              + " positive dataset.text.test-fraction");
    }
    return MlmSequences.of(rows).data();
  }

  @Override
  public long examples() {
    return train.sequences();
  }

  @Override
  public int trainViews() {
    return train.data().size();
  }

  @Override
  public List<String> teachers(VariantSettings variant) {
    return variant.policy() == TeacherPolicy.MEAN ? EnsembleStage.teachers(context.config()) : variant.teachers();
  }

  @Override
  public void warmUp(int steps) {
    try (Model model = spec.newModel("warm-up", Device.cpu())) {
      MlmTrainLoop.builder()
          .setModel(model)
          .setSpec(spec)
          .setTrainData(train.data())
          .setBatchSize(Math.min(settings.batchSize(), train.data().size()))
          .setTotalSteps(steps)
          .setOptimizer(settings.optimizer().fittedTo(steps))
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
      MlmTrainLoop.Builder loop =
          MlmTrainLoop.builder()
              .setModel(model)
              .setSpec(spec)
              .setTrainData(train.data())
              .setBatchSize(settings.batchSize())
              .setTotalSteps(plan.steps())
              .setOptimizer(settings.optimizer().fittedTo(plan.steps()))
              .optSeed(plan.seed())
              .optEvaluation(heldOut, settings.evaluateEvery())
              .optCheckpoints(checkpoints, settings.checkpointEvery());
      if (kd != null) {
        loop.optDistillation(kd);
      }
      listeners.forEach(loop::optListener);
      MlmTrainResult result = loop.build().run();
      writeModel(plan, model, result.training(), runDir);
      return result.training();
    }
  }

  @Override
  public void close() {
    // Nothing to release: the soft labels are plain Java objects, every model is closed per run.
  }

  private SoftTargets targets(VariantSettings variant, long seed) {
    double temperature = settings.temperature();
    return switch (variant.policy()) {
      case NONE -> null;
      case SINGLE -> stored(variant.teachers().get(0), temperature);
      case RANDOM ->
          RandomTeacherTargets.of(variant.teachers().stream().map(t -> stored(t, temperature)).toList(), seed);
      // The mean of the teachers' probabilities, softened afterwards, as the image path's ensemble.
      case MEAN ->
          new MeanTargets(
              EnsembleStage.teachers(context.config()).stream().map(t -> stored(t, 1.0)).toList(), temperature);
      case ONLINE -> throw new IllegalStateException(
          "students.variants." + variant.name() + ": policy online is not built for text (validate refuses it)");
    };
  }

  /** {@code teacher}'s stored soft labels at {@code temperature}, decoded per batch. */
  private SoftTargets stored(String teacher, double temperature) {
    return MlmSoftLabels.targets(labels.get(teacher), spec.vocabularySize(), temperature, settings.missingMass());
  }

  private void writeModel(StudentRun plan, Model model, TrainResult result, Path runDir)
      throws IOException {
    ModelFiles.saveCheckpoint(
        model, spec, plan.checkpointInfo(result), context.layout().fs(), new Path(runDir, "model"));
    ModelInfo.ofMlm(plan.runId(), spec, result.finalTestAccuracy().orElseThrow(), true)
        .write(context.layout().fs(), runDir);
  }
}
