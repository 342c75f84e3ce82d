package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.models.MlmSpec;
import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.models.CheckpointSpec;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.task.TeacherTraining;
import io.sparkdistill.pipeline.teachers.TeacherFiles;
import io.sparkdistill.pipeline.train.StepListener;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Masked-language models as teachers (architecture {@code bert}, {@link MlmSpec} over the ingested
 * vocabulary and {@code text.sequence-length}), trained on the train views of {@code
 * ingest/sequences} or registered from an MLM DJL checkpoint, evaluated on the test sequences
 * (view 0): {@code test_accuracy} is the held-out masked-token accuracy.
 *
 * <p>An "example" of this task is a train sequence: {@code train-examples} keeps the first n
 * sequences (with all their views), and a run makes {@code max(1, epochs * sequences /
 * batch-size)} steps of {@code batch-size} views each, so an epoch sees as many views as there are
 * sequences (each view about once every {@code text.views} epochs). TorchScript teachers are image
 * models only: here a {@code .pt} checkpoint is a configuration error.
 */
final class MaskedLmTeachers implements TeacherTraining {
  private static final Logger LOG = LoggerFactory.getLogger(MaskedLmTeachers.class);
  private static final int EVALUATIONS = 4;
  /** Test sequences per forward pass while evaluating. */
  private static final int EVALUATION_BATCH = 64;

  private final StageContext context;
  private final int vocabulary;
  private final int length;
  private final MlmSequences.Loaded test;

  MaskedLmTeachers(StageContext context) {
    this.context = context;
    this.vocabulary = CorpusTables.vocabulary(context.layout()).size();
    this.length = context.config().text().sequenceLength();
    this.test = MlmSequences.load(context.spark(), context.layout(), "test", 0);
  }

  static String example() {
    return "teachers { mlm { architecture = bert, width = 64 } }";
  }

  /**
   * Checks a registered checkpoint before any work: it exists, is an MLM DJL checkpoint and takes
   * {@code text.sequence-length} ids. Its vocabulary is checked against ingest's in {@link
   * #register} (ingest may not have run yet); here only against the {@code text.vocabulary.size}
   * bound.
   */
  static void checkRegistered(StageContext context, TeacherSettings teacher) {
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

  @Override
  public Map<String, Long> rowCounts() {
    return Map.of("test_sequences", (long) test.data().size(), "test_positions", (long) test.data().rows());
  }

  @Override
  public Evaluated train(TeacherSettings teacher) {
    MlmSequences.Loaded train =
        MlmSequences.load(context.spark(), context.layout(), "train", teacher.trainExamples());
    MlmSpec spec = MlmSpec.of(teacher.network(), vocabulary, length);
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
      return evaluated(last, seconds);
    }
  }

  @Override
  public Evaluated register(TeacherSettings teacher) throws IOException {
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
    return evaluated(evaluation, 0);
  }

  private static Evaluated evaluated(MlmEvaluation evaluation, double trainSeconds) {
    return new Evaluated(
        evaluation.accuracy(), trainSeconds, Map.of("test_perplexity", evaluation.perplexity()),
        String.format(
            "masked-token accuracy %.4f, perplexity %.2f on %d test positions",
            evaluation.accuracy(), evaluation.perplexity(), evaluation.positions()));
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
