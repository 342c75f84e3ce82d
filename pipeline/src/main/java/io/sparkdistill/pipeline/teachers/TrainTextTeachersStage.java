package io.sparkdistill.pipeline.teachers;

import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.mlm.MlmEvaluation;
import io.sparkdistill.pipeline.mlm.MlmSequences;
import io.sparkdistill.pipeline.mlm.MlmSpec;
import io.sparkdistill.pipeline.mlm.MlmTrainLoop;
import io.sparkdistill.pipeline.mlm.MlmTrainResult;
import io.sparkdistill.pipeline.models.CheckpointSpec;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.textingest.TextIngestTables;
import io.sparkdistill.pipeline.train.StepListener;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text path's train-teachers: trains each teacher of the {@code teachers} section (architecture
 * {@code bert}, {@link MlmSpec} over the ingested vocabulary and {@code text.sequence-length}) as a
 * masked-language model on the train views of {@code ingest/sequences}, or registers its existing
 * MLM checkpoint, and evaluates it on the test sequences (view 0). It writes what {@link
 * TrainTeachersStage} writes, the same way ({@link TeacherFiles}): {@code train-teachers/<name>/}
 * {@code model/} (a DJL checkpoint), {@code model.json} ({@link ModelInfo#ofMlm}) and, for trained
 * teachers, the training curve {@code metrics/} ({@link TrainingCurveTable}; {@code test_accuracy}
 * is the held-out masked-token accuracy).
 *
 * <p>An "example" of the text path is a train sequence: {@code train-examples} keeps the first n
 * sequences (with all their views), and a run makes {@code max(1, epochs * sequences /
 * batch-size)} steps of {@code batch-size} views each, so an epoch sees as many views as there are
 * sequences (each view about once every {@code text.views} epochs).
 *
 * <p>Training runs on the driver, one teacher after another (DJL allows one active gradient
 * collector per JVM); it needs the train views in the driver's memory. TorchScript teachers are
 * image models only: on the text path a {@code .pt} checkpoint is a configuration error.
 */
public final class TrainTextTeachersStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(TrainTextTeachersStage.class);
  private static final int EVALUATIONS = 4;
  /** Test sequences per forward pass while evaluating. */
  private static final int EVALUATION_BATCH = 64;

  @Override
  public StageName name() {
    return StageName.TRAIN_TEACHERS;
  }

  @Override
  public List<String> configSections() {
    // text: the vocabulary and sequence length decide the teachers' shapes.
    return List.of("teachers", "teacher-defaults", "text");
  }

  @Override
  public Map<String, String> externalInputs(StageContext context) {
    return TeacherFiles.registeredInputs(context);
  }

  /**
   * Checks registered checkpoints before any work: they exist, are MLM DJL checkpoints and take
   * {@code text.sequence-length} ids. Their vocabulary is checked against ingest's in {@link #run}
   * (ingest may not have run yet); here only against the {@code text.vocabulary.size} bound.
   */
  @Override
  public void validate(StageContext context) {
    TeacherFiles.requireTeachers(context, "teachers { mlm { architecture = bert, width = 64 } }");
    for (TeacherSettings teacher : context.config().teachers()) {
      if (teacher.registered()) {
        if (teacher.torchScript()) {
          throw new ConfigError(
              TeacherFiles.key(teacher) + ": " + teacher.checkpoint() + " is a TorchScript file; the"
                  + " text path registers masked-language-model DJL checkpoints only (a folder"
                  + " written by train-teachers: metadata.json + parameters)");
        }
        TeacherFiles.requireCheckpoint(context, teacher);
        MlmSpec spec = registeredSpec(context, teacher);
        int length = context.config().text().sequenceLength();
        if (spec.maxSequenceLength() != length) {
          throw new ConfigError(
              TeacherFiles.key(teacher) + ": the model takes sequences of " + spec.maxSequenceLength()
                  + " ids, but text.sequence-length is " + length);
        }
        int bound = context.config().text().vocabularySize();
        if (spec.vocabularySize() > bound) {
          throw new ConfigError(
              TeacherFiles.key(teacher) + ": the model has a vocabulary of " + spec.vocabularySize()
                  + " tokens, more than text.vocabulary.size = " + bound);
        }
      }
    }
  }

  @Override
  public StageOutcome run(StageContext context) throws IOException {
    int vocabulary = TextIngestTables.vocabulary(context.layout()).size();
    int length = context.config().text().sequenceLength();
    MlmSequences.Loaded test = MlmSequences.load(context.spark(), context.layout(), "test", 0);
    Map<String, Long> rowCounts = new TreeMap<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    rowCounts.put("test_sequences", (long) test.data().size());
    rowCounts.put("test_positions", (long) test.data().rows());
    for (TeacherSettings teacher : context.config().teachers()) {
      context.describe("teacher " + teacher.name());
      Trained result =
          teacher.registered()
              ? register(context, teacher, vocabulary, length, test)
              : train(context, teacher, vocabulary, length, test);
      MlmEvaluation evaluation = result.evaluation();
      LOG.info(
          "[train-teachers] {}: masked-token accuracy {}, perplexity {} on {} test positions",
          teacher.name(), String.format("%.4f", evaluation.accuracy()),
          String.format("%.2f", evaluation.perplexity()), evaluation.positions());
      metrics.put("test_accuracy." + teacher.name(), evaluation.accuracy());
      metrics.put("test_perplexity." + teacher.name(), evaluation.perplexity());
      // The one-off cost the report charges to students of this teacher (0 when registered).
      metrics.put("train_seconds." + teacher.name(), result.trainSeconds());
      rowCounts.merge("teachers", 1L, Long::sum);
    }
    metrics.put("schema.metrics", TrainingCurveTable.VERSION);
    return new StageOutcome(rowCounts, metrics, List.of());
  }

  /** A teacher's held-out evaluation and its training time (0 when registered). */
  private record Trained(MlmEvaluation evaluation, double trainSeconds) {}

  private Trained train(
      StageContext context, TeacherSettings teacher, int vocabulary, int length, MlmSequences.Loaded test) {
    MlmSequences.Loaded train =
        MlmSequences.load(context.spark(), context.layout(), "train", teacher.trainExamples());
    MlmSpec spec = teacher.mlmSpec(vocabulary, length);
    int views = train.data().size();
    if (teacher.batchSize() > views) {
      throw new ConfigError(
          "teachers." + teacher.name() + ".batch-size: " + teacher.batchSize() + " views per step, but"
              + " the train split has " + views + " masked views; lower it");
    }
    long sequences = train.sequences();
    int steps = (int) Math.max(1, teacher.epochs() * sequences / teacher.batchSize());
    LOG.info(
        "[train-teachers] {}: training bert (hidden {}, {} blocks, {} heads) on {} sequences ({} views),"
            + " {} steps of {}",
        teacher.name(), spec.hiddenSize(), spec.layers(), spec.heads(), sequences, views, steps,
        teacher.batchSize());
    try (Model model = spec.newModel(teacher.name(), Device.cpu())) {
      MlmTrainResult result =
          MlmTrainLoop.builder()
              .setModel(model)
              .setSpec(spec)
              .setTrainData(train.data())
              .setBatchSize(teacher.batchSize())
              .setTotalSteps(steps)
              .setOptimizer(TeacherFiles.fitWarmup(teacher, steps))
              .optSeed(teacher.seed())
              .optEvaluation(test.data(), Math.max(1, steps / EVALUATIONS))
              .optEvaluationBatchSize(EVALUATION_BATCH)
              .optListener(
                  StepListener.logging("[train-teachers] " + teacher.name(), Math.max(1, steps / 20)))
              .build()
              .run();
      MlmEvaluation last = result.lastEvaluation();
      double seconds = result.training().wallSeconds();
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("test_accuracy", last.accuracy());
      info.put("test_perplexity", last.perplexity());
      info.put("steps", steps);
      info.put("train_seconds", seconds);
      TeacherFiles.writeTrained(
          context, teacher, model, spec, info, result.training().steps(),
          ModelInfo.ofMlm(teacher.name(), spec, last.accuracy(), true));
      return new Trained(last, seconds);
    }
  }

  /** Copies a given MLM checkpoint into the run, checks it fits the ingested data, and evaluates it. */
  private Trained register(
      StageContext context, TeacherSettings teacher, int vocabulary, int length, MlmSequences.Loaded test)
      throws IOException {
    MlmSpec spec = registeredSpec(context, teacher);
    if (spec.vocabularySize() != vocabulary || spec.maxSequenceLength() != length) {
      throw new ConfigError(
          TeacherFiles.key(teacher) + ": " + teacher.checkpoint() + " has a vocabulary of "
              + spec.vocabularySize() + " tokens and sequences of " + spec.maxSequenceLength()
              + " ids; ingest made a vocabulary of " + vocabulary + " tokens (ingest/vocabulary) and"
              + " text.sequence-length is " + length + ": the token ids would not mean the same");
    }
    java.nio.file.Path local = TeacherFiles.localCheckpoint(context, teacher);
    MlmEvaluation evaluation;
    try (Model model = ModelCheckpoint.loadModel(local, Device.cpu())) {
      evaluation = MlmEvaluation.of(model, test.data(), EVALUATION_BATCH, -1);
    }
    TeacherFiles.writeRegistered(
        context, teacher, local, TeacherFiles.MODEL_DIR,
        ModelInfo.ofMlm(teacher.name(), spec, evaluation.accuracy(), false));
    return new Trained(evaluation, 0);
  }

  /** The spec of a registered checkpoint, which must be a masked-language model. */
  private static MlmSpec registeredSpec(StageContext context, TeacherSettings teacher) {
    CheckpointSpec network;
    try {
      network = ModelCheckpoint.load(TeacherFiles.localCheckpoint(context, teacher)).network();
    } catch (IllegalArgumentException e) {
      throw new ConfigError(TeacherFiles.key(teacher) + ": " + e.getMessage());
    }
    if (network instanceof MlmSpec spec) {
      return spec;
    }
    throw new ConfigError(
        TeacherFiles.key(teacher) + ": " + teacher.checkpoint() + " holds an image model; the text"
            + " path needs a masked-language-model (bert) checkpoint");
  }
}
