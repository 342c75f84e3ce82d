package io.sparkdistill.pipeline.softlabels;

import io.sparkdistill.pipeline.config.MissingMass;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.DagRunner;
import io.sparkdistill.pipeline.dag.Manifest;
import io.sparkdistill.pipeline.dag.ManifestStore;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.dag.StageRegistry;
import io.sparkdistill.pipeline.eval.EvaluateStage;
import io.sparkdistill.pipeline.eval.TextEvaluationTable;
import io.sparkdistill.pipeline.maskedlm.MaskedSoftLabel;
import io.sparkdistill.pipeline.models.MlmSpec;
import io.sparkdistill.pipeline.maskedlm.TextSoftLabelTable;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.students.StudentRunTable;
import io.sparkdistill.pipeline.teachers.TrainTeachersStage;
import io.sparkdistill.pipeline.ingest.IngestStage;
import io.sparkdistill.pipeline.maskedlm.MaskedLanguageModeling;
import io.sparkdistill.pipeline.task.Task;
import io.sparkdistill.pipeline.maskedlm.CorpusTables;
import io.sparkdistill.pipeline.train.TestEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text path's ingest -> train-teachers -> soft-labels -> evaluate on a generated Brown-format
 * corpus, through the real runner and Spark ({@code local[2,2]}: a failed task is tried twice, for
 * the soft-label fault injection). train-students is a stand-in that writes one untrained student
 * in the students' layout, so that evaluate scores a teacher and a student.
 */
class MaskedLmStagesTest {
  private static final int LENGTH = 16;
  private static final int VOCABULARY_BOUND = 40;
  private static final String STUDENT_RUN = "baseline.b1.0.s1";
  private static SparkSession spark;

  @TempDir static Path dir;

  @BeforeAll
  static void setUp() throws IOException {
    TestEngine.configure();
    spark =
        SparkSession.builder()
            .master("local[2,2]")
            .appName("MaskedLmStagesTest")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .getOrCreate();
    brownCorpus(dir.resolve("brown"));
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  /**
   * 24 documents of 10 sentences drawn (seeded) from a few templates: a small vocabulary whose
   * frequent words ("the", ".") make a masked token guessable well above chance.
   */
  private static void brownCorpus(Path root) throws IOException {
    String[] sentences = {
      "The/at jury/nn said/vbd it/pps did/dod find/vb that/cs many/ap of/in the/at laws/nns ./.",
      "It/pps recommended/vbd that/cs the/at legislators/nns act/vb to/to have/hv the/at laws/nns studied/vbn ./.",
      "The/at grand/jj jury/nn commented/vbd on/in a/at number/nn of/in other/ap topics/nns ./.",
      "The/at city/nn said/vbd the/at election/nn was/bedz conducted/vbn well/rb ./.",
      "A/at dog/nn sat/vbd on/in the/at mat/nn and/cc the/at cat/nn sat/vbd on/in the/at dog/nn ./.",
    };
    Random random = new Random(5);
    Files.createDirectories(root);
    for (int i = 0; i < 24; i++) {
      StringBuilder text = new StringBuilder("\n\n");
      for (int s = 0; s < 10; s++) {
        text.append('\t').append(sentences[random.nextInt(sentences.length)]).append("\n\n");
      }
      String name = "c" + (char) ('a' + i % 16) + String.format("%02d", i + 1);
      Files.writeString(root.resolve(name), text, StandardCharsets.US_ASCII);
    }
  }

  private static RunConfig config(String root, String teachers) throws IOException {
    Path conf = dir.resolve(root + ".conf");
    Files.writeString(
        conf,
        "run.root = \"" + dir.resolve(root) + "\"\n"
            + "dataset { name = fixture, format = brown, install-hint = \"make-fixture\"\n"
            + "  text { root = \"" + dir.resolve("brown") + "\", test-fraction = 0.3 } }\n"
            + "ingest { shards = 2, partitions = 2, max-rejected-fraction = 1.0 }\n"
            + "text { vocabulary { size = " + VOCABULARY_BOUND + ", min-count = 1 }, sequence-length = "
            + LENGTH + ", views = 2 }\n"
            + "teacher-defaults { architecture = bert, width = 16, depth = 1, heads = 2, intermediate-size = 32,"
            + "  dropout = 0.0, epochs = 4, batch-size = 16,"
            + "  optimizer { type = adamw, learning-rate = 0.01, warmup-steps = 5, weight-decay = 0.01 } }\n"
            + "teachers { " + teachers + " }\n"
            + "soft-labels { top-k = 4, precision = fp16, batch-size = 8 }\n");
    return ConfigLoader.load(conf, List.of());
  }

  /** The stages with the text task, a stand-in train-students and an empty ensemble. */
  private static final Task TASK = new MaskedLanguageModeling();

  private static StageRegistry registry() {
    Map<StageName, Function<RunConfig, Stage>> stages = new EnumMap<>(StageName.class);
    stages.put(StageName.INGEST, c -> new IngestStage(TASK));
    stages.put(StageName.TRAIN_TEACHERS, c -> new TrainTeachersStage(TASK));
    stages.put(StageName.SOFT_LABELS, c -> new SoftLabelStage(TASK));
    stages.put(StageName.ENSEMBLE, c -> new NoEnsemble());
    stages.put(StageName.TRAIN_STUDENTS, c -> new UntrainedStudent());
    stages.put(StageName.EVALUATE, c -> new EvaluateStage(TASK));
    return StageRegistry.configured(stages);
  }

  private static DagRunner runner(RunConfig config) {
    return new DagRunner(registry(), config, layout(config), () -> spark);
  }

  private static RunLayout layout(RunConfig config) {
    return new RunLayout(config.run().root(), new Configuration());
  }

  private static Manifest manifest(RunConfig config, StageName stage) {
    return new ManifestStore(layout(config)).read(stage).orElseThrow();
  }

  @Test
  void aTeacherTrainsItsSoftLabelsCoverEveryMaskedPositionAndItBeatsChance() throws Exception {
    RunConfig config = config("run", "mlm { seed = 3 }");
    spark.conf().set(SoftLabelStage.FAIL_PARTITION_CONF, "0");
    try {
      runner(config)
          .run(
              List.of(StageName.INGEST, StageName.TRAIN_TEACHERS, StageName.SOFT_LABELS,
                  StageName.ENSEMBLE, StageName.TRAIN_STUDENTS, StageName.EVALUATE),
              false);
    } finally {
      spark.conf().unset(SoftLabelStage.FAIL_PARTITION_CONF);
    }
    RunLayout layout = layout(config);
    int vocabulary = CorpusTables.vocabulary(layout).size();
    double chance = 1.0 / vocabulary;
    Dataset<Row> sequences = CorpusTables.sequences(spark, layout);

    // train-teachers: model.json of a text model, the curve, the costs the report reads.
    Manifest teachers = manifest(config, StageName.TRAIN_TEACHERS);
    assertThat(teachers.metrics())
        .containsKeys("test_accuracy.mlm", "test_perplexity.mlm", "train_seconds.mlm");
    assertThat((Double) teachers.metrics().get("train_seconds.mlm")).isPositive();
    ModelInfo info = ModelInfo.read(layout.fs(), new org.apache.hadoop.fs.Path(layout.root(), "train-teachers/mlm"));
    assertThat(info.tokenModel().vocabularySize()).isEqualTo(vocabulary);
    assertThat(info.tokenModel().sequenceLength()).isEqualTo(LENGTH);
    assertThat(info.trained()).isTrue();
    long trainSequences =
        sequences.filter("split = 'train' AND size(mask_positions) > 0").select("sequence_id").distinct().count();
    List<Row> curve =
        spark.read().parquet(dir.resolve("run/train-teachers/mlm/metrics").toString()).collectAsList();
    assertThat(curve).hasSize((int) Math.max(1, 4 * trainSequences / 16));

    // soft-labels: one row per masked position of every train view, none twice, each a distribution.
    long trainPositions = maskedPositions(sequences.filter("split = 'train'"));
    Manifest softLabels = manifest(config, StageName.SOFT_LABELS);
    assertThat(softLabels.rowCounts()).containsEntry("rows.mlm", trainPositions);
    assertThat(softLabels.metrics())
        .containsKeys("seconds.mlm", "sequences_per_second.mlm", "rows_per_second.mlm", "bytes_per_row.mlm")
        .containsEntry("schema.soft_labels", TextSoftLabelTable.VERSION);
    Dataset<Row> labels = SoftLabelStore.read(spark, layout, StageName.SOFT_LABELS, "mlm")
        .select(TextSoftLabelTable.SCHEMA.fieldNames()[0],
            java.util.Arrays.copyOfRange(TextSoftLabelTable.SCHEMA.fieldNames(), 1, TextSoftLabelTable.SCHEMA.size()));
    assertThat(labels.count()).isEqualTo(trainPositions);
    assertThat(labels.select("sequence_id", "view_id", "position").distinct().count()).isEqualTo(trainPositions);
    assertThat(labels.filter("split <> 'train'").count()).isZero();
    Row first = labels.first();
    MaskedSoftLabel label = TextSoftLabelTable.label(first);
    assertThat(label.topkIds()).hasSize(4);
    float[] p = label.probabilities(vocabulary, 1.0, MissingMass.SPREAD);
    double total = 0;
    for (float v : p) {
      total += v;
    }
    assertThat(total).isCloseTo(1.0, within(1e-4));
    assertThat(label.teacherTop1()).isEqualTo(label.topkIds()[0]);

    // evaluate: the teacher and the student, every masked test position, the teacher above chance.
    long testPositions = maskedPositions(sequences.filter("split = 'test' AND view_id = 0"));
    Map<String, Row> models = new java.util.TreeMap<>();
    spark.read().parquet(dir.resolve("run/evaluate/" + TextEvaluationTable.MODELS).toString())
        .collectAsList().forEach(r -> models.put(r.getString(0), r));
    assertThat(models).containsOnlyKeys("mlm", STUDENT_RUN);
    Row teacher = models.get("mlm");
    assertThat(teacher.<String>getAs(TextEvaluationTable.KIND)).isEqualTo("teacher");
    assertThat(teacher.isNullAt(teacher.fieldIndex(TextEvaluationTable.SEED))).isTrue();
    assertThat(teacher.<Long>getAs(TextEvaluationTable.POSITIONS)).isEqualTo(testPositions);
    double top1 = teacher.getAs(TextEvaluationTable.TOP1);
    System.out.printf(
        "text teacher: top-1 %.3f (chance %.3f), perplexity %.2f (vocabulary %d)%n",
        top1, chance, teacher.<Double>getAs(TextEvaluationTable.PERPLEXITY), vocabulary);
    assertThat(top1).isGreaterThan(2 * chance);
    assertThat(teacher.<Double>getAs(TextEvaluationTable.TOP5)).isGreaterThanOrEqualTo(top1);
    assertThat(teacher.<Double>getAs(TextEvaluationTable.PERPLEXITY)).isBetween(1.0, (double) vocabulary);
    assertThat(teacher.<Double>getAs(TextEvaluationTable.ECE)).isBetween(0.0, 1.0);
    // The stage's figure agrees with the teacher stage's held-out evaluation of the same views (up to
    // arg-max ties: the batches, and so the padding of masked positions, differ).
    assertThat(top1).isCloseTo((Double) teachers.metrics().get("test_accuracy.mlm"), within(0.02));
    Row student = models.get(STUDENT_RUN);
    assertThat(student.<String>getAs(TextEvaluationTable.KIND)).isEqualTo("student");
    assertThat(student.<String>getAs(TextEvaluationTable.VARIANT)).isEqualTo("baseline");
    assertThat(student.<Long>getAs(TextEvaluationTable.SEED)).isEqualTo(1L);
    assertThat(student.<Double>getAs(TextEvaluationTable.PERPLEXITY))
        .as("an untrained model is about uniform")
        .isGreaterThan(teacher.<Double>getAs(TextEvaluationTable.PERPLEXITY));
    Manifest evaluate = manifest(config, StageName.EVALUATE);
    assertThat(evaluate.metrics()).containsKeys("top1.mlm", "perplexity.mlm", "top1." + STUDENT_RUN);
    assertThat(evaluate.rowCounts()).containsEntry(TextEvaluationTable.PREDICTIONS, 2 * testPositions);
  }

  private static long maskedPositions(Dataset<Row> sequences) {
    return sequences.agg(sum(size(col("mask_positions")))).first().getLong(0);
  }

  @Test
  void aRegisteredCheckpointOfAnotherVocabularyOrLengthIsRefusedNamingTheKey() throws Exception {
    Path wrongVocabulary = checkpoint("vocab6", new MlmSpec(6, 16, 1, 2, 32, LENGTH, 0.0));
    Path wrongLength = checkpoint("length8", new MlmSpec(VOCABULARY_BOUND, 16, 1, 2, 32, 8, 0.0));

    RunConfig shortSequences = config("short", "reg { checkpoint = \"" + wrongLength + "\" }");
    assertThatThrownBy(
            () -> runner(shortSequences).run(List.of(StageName.INGEST, StageName.TRAIN_TEACHERS), false))
        .as("refused while planning, before Spark")
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("teachers.reg.checkpoint")
        .hasMessageContaining("sequences of 8 ids, but text.sequence-length is 16");

    RunConfig config = config("registered", "reg { checkpoint = \"" + wrongVocabulary + "\" }");
    assertThatThrownBy(
            () -> runner(config).run(List.of(StageName.INGEST, StageName.TRAIN_TEACHERS), false))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("teachers.reg.checkpoint")
        .hasMessageContaining("a vocabulary of 6 tokens");
    assertThat(dir.resolve("registered/train-teachers/reg/model.json")).doesNotExist();
    assertThat(dir.resolve("short/ingest")).as("nothing ran").doesNotExist();

    RunConfig torchScript = config("ts", "reg { checkpoint = \"" + wrongVocabulary.resolve("x.pt") + "\" }");
    assertThatThrownBy(
            () -> runner(torchScript).run(List.of(StageName.INGEST, StageName.TRAIN_TEACHERS), false))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("teachers.reg.checkpoint")
        .hasMessageContaining("TorchScript");
  }

  /** An untrained MLM checkpoint of {@code spec} (initialised, never trained). */
  private static Path checkpoint(String name, MlmSpec spec) {
    Path folder = dir.resolve("checkpoints").resolve(name);
    try (Model model = spec.newModel(name, Device.cpu())) {
      model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, spec.initializationShapes());
      ModelCheckpoint.save(model, spec, folder, Map.of());
    }
    return folder;
  }

  /** train-students reads ensemble's output; the text path has no ensemble stage yet. */
  private static final class NoEnsemble implements Stage {
    @Override
    public StageName name() {
      return StageName.ENSEMBLE;
    }

    @Override
    public List<String> configSections() {
      return List.of();
    }

    @Override
    public StageOutcome run(StageContext context) {
      return new StageOutcome(Map.of(), Map.of(), List.of());
    }
  }

  /**
   * Stands in for train-students: one untrained student in the students' layout ({@code
   * models/<run id>/model.json} + {@code model/}, a {@code runs/} row pointing at it).
   */
  private static final class UntrainedStudent implements Stage {
    @Override
    public StageName name() {
      return StageName.TRAIN_STUDENTS;
    }

    @Override
    public List<String> configSections() {
      return List.of();
    }

    @Override
    public StageOutcome run(StageContext context) throws IOException {
      RunLayout layout = context.layout();
      int vocabulary = CorpusTables.vocabulary(layout).size();
      MlmSpec spec = new MlmSpec(vocabulary, 16, 1, 2, 32, LENGTH, 0.0);
      String modelDir = "models/" + STUDENT_RUN;
      org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(context.stageDir(), modelDir);
      FileSystem fs = layout.fs();
      try (Model model = spec.newModel(STUDENT_RUN, Device.cpu())) {
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, spec.initializationShapes());
        ModelCheckpoint.save(
            model, spec, java.nio.file.Path.of(new org.apache.hadoop.fs.Path(folder, "model").toUri()), Map.of());
      }
      ModelInfo.ofMlm(STUDENT_RUN, spec, 0, true).write(fs, folder);
      Row run =
          RowFactory.create(
              STUDENT_RUN, "baseline", "none", List.of(), 1.0, 1L, 1, 0, 16, 16L, 0.1, 0.0, modelDir);
      spark.createDataFrame(List.of(run), StudentRunTable.SCHEMA)
          .write().mode(SaveMode.Overwrite).parquet(context.table(StudentRunTable.TABLE));
      return new StageOutcome(Map.of(), Map.of(), List.of());
    }
  }
}
