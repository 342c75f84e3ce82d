package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.Stages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.text.SequenceTable;
import io.sparkdistill.datasets.text.Vocabulary;
import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.DagRunner;
import io.sparkdistill.pipeline.dag.Manifest;
import io.sparkdistill.pipeline.dag.ManifestStore;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;
import io.sparkdistill.pipeline.eval.EvaluateStage;
import io.sparkdistill.pipeline.imageclassification.ImageClassification;
import io.sparkdistill.pipeline.ingest.IngestStage;
import io.sparkdistill.pipeline.softlabels.SoftLabelStage;
import io.sparkdistill.pipeline.teachers.TrainTeachersStage;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text ingest through the real DAG runner, on generated C4 and Brown fixtures. */
class CorpusIngestTest extends LocalSparkTest {
  @TempDir Path dir;

  private RunConfig config(String format, String root, String... overrides) throws IOException {
    Path conf = dir.resolve("run.conf");
    Files.writeString(
        conf,
        "run.root = \"" + dir.resolve("run") + "\"\n"
            + "dataset { name = fixture, format = " + format + ", install-hint = \"make-fixture\"\n"
            + "  text { root = \"" + root + "\", test-fraction = 0.3 } }\n"
            + "ingest { shards = 3, partitions = 2, max-rejected-fraction = 1.0 }\n"
            + "text { vocabulary { size = 40, min-count = 1 }, sequence-length = 12, views = 2 }\n");
    return ConfigLoader.load(conf, List.of(overrides));
  }

  private static void run(RunConfig config, StageName... stages) throws Exception {
    new DagRunner(
            Stages.standard(),
            config,
            new RunLayout(config.run().root(), new Configuration()),
            () -> spark)
        .run(List.of(stages), false);
  }

  private static Manifest manifest(RunConfig config) {
    return new ManifestStore(new RunLayout(config.run().root(), new Configuration()))
        .read(StageName.INGEST)
        .orElseThrow();
  }

  private static String record(String text) {
    return "{\"text\":\"" + text + "\",\"url\":\"https://example.com\",\"timestamp\":\"2019-04-25\"}";
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  /**
   * Train: 6 lines (3 documents, invalid JSON, missing text, empty text) and a truncated gzip;
   * validation: 2 documents holding a word ({@code zyzzyva}) that train never uses.
   */
  private Path c4Corpus() throws IOException {
    Path root = dir.resolve("c4");
    write(
        root.resolve("en/c4-train.00000-of-00002.json.gz"),
        gzip(
            record("The cat sat on the mat. The cat was happy.") + "\n"
                + "{\"text\": \"unterminated\n"
                + "{\"url\":\"https://example.com/b\"}\n"
                + record("  ") + "\n"
                + record("A dog sat on the cat, and the dog was not happy at all.") + "\n"
                + record("The mat was red; the dog, the cat and the mat.") + "\n"
                + "{\"text\": 123, \"url\": \"https://example.com/n\"}\n"));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      many.append(record("document " + i + " that is cut short by an interrupted download")).append('\n');
    }
    byte[] whole = gzip(many.toString());
    write(root.resolve("en/c4-train.00001-of-00002.json.gz"), Arrays.copyOf(whole, whole.length / 2));
    write(
        root.resolve("en/c4-validation.00000-of-00001.json.gz"),
        gzip(record("zyzzyva zyzzyva: the cat.") + "\n" + record("The dog and zyzzyva.") + "\n"));
    return root;
  }

  @Test
  void c4WritesDocumentsRejectedVocabularyAndMaskedSequencesWithReconciledCounts() throws Exception {
    RunConfig config = config("c4", c4Corpus().toString());

    run(config, StageName.INGEST);

    Manifest manifest = manifest(config);
    assertThat(manifest.rowCounts())
        .containsEntry("inputs.train", 8L)
        .containsEntry("documents.train", 3L)
        .containsEntry("rejected.train", 5L)
        .containsEntry("inputs.test", 2L)
        .containsEntry("documents.test", 2L)
        .containsEntry("rejected.test", 0L);
    assertThat(manifest.metrics())
        .containsKeys("sequences_per_second", "tokens_per_second", "tokens", "vocabulary_size")
        .containsEntry("schema.sequences", SequenceTable.VERSION)
        .containsEntry("rejected.wrong-field-type", 1)
        .containsEntry("rejected.truncated-gzip", 1);

    Dataset<Row> documents = spark.read().parquet(dir.resolve("run/ingest/documents").toString());
    assertThat(documents.count()).isEqualTo(5);
    assertThat(dir.resolve("run/ingest/documents/split=train")).isDirectory();
    Map<String, String> reasons =
        spark.read().parquet(dir.resolve("run/ingest/rejected").toString()).collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getString(1).replaceAll(".*/", ""), r -> r.getString(2)));
    assertThat(reasons)
        .containsOnly(
            Map.entry("c4-train.00000-of-00002.json.gz#2", "invalid-json"),
            Map.entry("c4-train.00000-of-00002.json.gz#3", "missing-text"),
            Map.entry("c4-train.00000-of-00002.json.gz#4", "empty-text"),
            Map.entry("c4-train.00000-of-00002.json.gz#7", "wrong-field-type"),
            Map.entry("c4-train.00001-of-00002.json.gz", "truncated-gzip"));

    Vocabulary vocabulary =
        Vocabulary.load(dir.resolve("run/ingest/vocabulary").toString(), new Configuration());
    assertThat(vocabulary.tokens().subList(0, 5)).containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    assertThat(vocabulary.token(5)).isEqualTo("the"); // the most frequent train token
    assertThat(vocabulary.contains("cat")).isTrue();
    assertThat(vocabulary.contains("zyzzyva")).as("learned from the train split only").isFalse();
    assertThat(manifest.rowCounts()).containsEntry("vocabulary", (long) vocabulary.size());

    Dataset<Row> sequences = spark.read().parquet(dir.resolve("run/ingest/sequences").toString());
    List<Row> rows = sequences.orderBy("split", "sequence_id", "view_id").collectAsList();
    assertThat(rows)
        .allSatisfy(r -> assertThat(r.<List<Integer>>getList(r.fieldIndex("input_ids"))).hasSize(12));
    assertThat(sequences.filter("split = 'train'").select("view_id").distinct().count()).isEqualTo(2);
    assertThat(sequences.filter("split = 'test'").select("view_id").distinct().count()).isEqualTo(1);
    assertThat(manifest.rowCounts().get("views.train")).isEqualTo(2 * manifest.rowCounts().get("sequences.train"));
    // Both views of a sequence restore to the same packed ids; a test sequence holds [UNK] for zyzzyva.
    Map<String, List<List<Integer>>> restored =
        rows.stream()
            .collect(Collectors.groupingBy(r -> r.getString(0), Collectors.mapping(CorpusIngestTest::unmasked, Collectors.toList())));
    assertThat(restored.values()).allSatisfy(views -> assertThat(views).containsOnly(views.get(0)));
    assertThat(restored.entrySet())
        .filteredOn(e -> e.getKey().startsWith("test-"))
        .anySatisfy(e -> assertThat(e.getValue().get(0)).contains(Vocabulary.UNK_ID));
  }

  /** A view's input ids with the original id put back at every masked position. */
  private static List<Integer> unmasked(Row row) {
    Integer[] ids = row.<Integer>getList(row.fieldIndex(SequenceTable.INPUT_IDS)).toArray(new Integer[0]);
    List<Integer> positions = row.getList(row.fieldIndex(SequenceTable.MASK_POSITIONS));
    List<Integer> labels = row.getList(row.fieldIndex(SequenceTable.MASK_LABELS));
    for (int i = 0; i < positions.size(); i++) {
      ids[positions.get(i)] = labels.get(i);
    }
    return List.of(ids);
  }

  private Path brownCorpus() throws IOException {
    Path root = dir.resolve("brown");
    String[] sentences = {
      "The/at jury/nn said/vbd it/pps did/dod find/vb that/cs many/ap of/in Georgia's/np$ laws/nns ./.",
      "It/pps recommended/vbd that/cs Fulton/np legislators/nns act/vb ``/`` to/to have/hv these/dts"
          + " laws/nns studied/vbn ''/'' ./.",
      "The/at grand/jj jury/nn commented/vbd on/in a/at number/nn of/in other/ap topics/nns ./.",
    };
    for (int i = 0; i < 12; i++) {
      String name = "c" + (char) ('a' + i) + String.format("%02d", i + 1);
      StringBuilder text = new StringBuilder("\n\n");
      for (int s = 0; s < 4; s++) {
        text.append('\t').append(sentences[(i + s) % sentences.length]).append("\n\n");
      }
      write(root.resolve(name), text.toString().getBytes(StandardCharsets.US_ASCII));
    }
    write(root.resolve("cm01"), "\tA/at stray token/nn\n".getBytes(StandardCharsets.US_ASCII));
    write(root.resolve("README"), "BROWN CORPUS\n".getBytes(StandardCharsets.US_ASCII));
    return root;
  }

  @Test
  void brownSequencesAndTheirMaskingAreTheSameOnEveryRun() throws Exception {
    Path corpus = brownCorpus();
    RunConfig first = config("brown", corpus.toString());
    RunConfig second = config("brown", corpus.toString(), "run.root=\"" + dir.resolve("again") + "\"");

    run(first, StageName.INGEST);
    run(second, StageName.INGEST);

    Manifest manifest = manifest(first);
    long inputs = manifest.rowCounts().get("inputs.train") + manifest.rowCounts().get("inputs.test");
    assertThat(inputs).isEqualTo(13);
    assertThat(manifest.rowCounts().get("rejected.train") + manifest.rowCounts().get("rejected.test"))
        .isEqualTo(1);
    Row rejected = spark.read().parquet(dir.resolve("run/ingest/rejected").toString()).first();
    assertThat(rejected.getString(2)).isEqualTo("malformed-tagged-token");
    String text =
        spark.read().parquet(dir.resolve("run/ingest/documents").toString())
            .filter("doc_id = 'ca01'").first().getAs("text");
    assertThat(text).startsWith("The jury said it did find").doesNotContain("/at");

    assertThat(sequenceRows(dir.resolve("again"))).isEqualTo(sequenceRows(dir.resolve("run")));
    assertThat(Files.readString(dir.resolve("again/ingest/vocabulary/vocab.txt")))
        .isEqualTo(Files.readString(dir.resolve("run/ingest/vocabulary/vocab.txt")));
    // The two views of a train sequence are two draws: their positions differ for some sequences.
    Map<String, List<Object>> positions =
        spark.read().parquet(dir.resolve("run/ingest/sequences").toString())
            .filter("split = 'train'").collectAsList().stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.getString(r.fieldIndex("sequence_id")),
                    Collectors.mapping(r -> r.getList(r.fieldIndex("mask_positions")), Collectors.toList())));
    assertThat(positions.values()).allSatisfy(views -> assertThat(views).hasSize(2));
    assertThat(positions.values()).anySatisfy(views -> assertThat(views.get(0)).isNotEqualTo(views.get(1)));
  }

  private static List<String> sequenceRows(Path run) {
    return spark.read().parquet(run.resolve("ingest/sequences").toString())
        .orderBy("sequence_id", "view_id")
        .collectAsList().stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void plainTextReadsOnlyTheFilesThePatternNamesByParagraph() throws Exception {
    Path root = dir.resolve("plain");
    for (int i = 0; i < 6; i++) {
      write(
          root.resolve("book" + i + ".txt"),
          ("First paragraph of book " + i + ",\nover two lines.\n\n\nSecond paragraph.\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    write(root.resolve("notes.md"), "# not read\n".getBytes(StandardCharsets.UTF_8));
    RunConfig config =
        config("text", root.toString(), "dataset.text.file-pattern=\"*.txt\"", "dataset.text.test-fraction=0");

    run(config, StageName.INGEST);

    assertThat(manifest(config).rowCounts())
        .containsEntry("inputs.train", 12L)
        .containsEntry("documents.train", 12L)
        .containsEntry("inputs.test", 0L);
    assertThat(
            spark.read().parquet(dir.resolve("run/ingest/documents").toString())
                .filter("doc_id = 'book3.txt#5'").first().<String>getAs("text"))
        .isEqualTo("Second paragraph.");
  }

  @Test
  void tooManyRejectedInputsFailAsBadInputAfterWritingThem() throws Exception {
    RunConfig config =
        config("c4", c4Corpus().toString(), "ingest.max-rejected-fraction=0.5");

    assertThatThrownBy(() -> run(config, StageName.INGEST))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("split 'train' rejected 5 of 8 inputs (62.50%")
        .hasMessageContaining("run/ingest/rejected");
    assertThat(dir.resolve("run/ingest/_MANIFEST.json")).doesNotExist();
    assertThat(dir.resolve("run/ingest/sequences")).doesNotExist();
    assertThat(spark.read().parquet(dir.resolve("run/ingest/rejected").toString()).count()).isEqualTo(5);
  }

  @Test
  void theRegistryPicksTheTextStagesForTextFormats() throws Exception {
    RunConfig text = config("text", dir.resolve("missing").toString());
    RunConfig image = config("idx", "");
    StageRegistry registry = Stages.standard();

    // One class per stage; the run's task supplies what differs.
    assertThat(Stages.task(text)).isInstanceOf(MaskedLanguageModeling.class);
    assertThat(Stages.task(image)).isInstanceOf(ImageClassification.class);
    assertThat(registry.create(StageName.INGEST, text)).isInstanceOf(IngestStage.class);
    assertThat(registry.create(StageName.INGEST, text).configSections()).contains("dataset.text", "text");
    assertThat(registry.create(StageName.INGEST, image)).isInstanceOf(IngestStage.class);
    assertThat(registry.create(StageName.INGEST, image).configSections()).contains("dataset.idx");
    assertThat(registry.create(StageName.TRAIN_TEACHERS, text).configSections()).contains("text");
    assertThat(registry.create(StageName.TRAIN_TEACHERS, image)).isInstanceOf(TrainTeachersStage.class);
    assertThat(registry.create(StageName.TRAIN_TEACHERS, image).configSections()).doesNotContain("text");
    assertThat(registry.create(StageName.SOFT_LABELS, text)).isInstanceOf(SoftLabelStage.class);
    assertThat(registry.create(StageName.SOFT_LABELS, image)).isInstanceOf(SoftLabelStage.class);
    assertThat(registry.create(StageName.EVALUATE, text).configSections()).contains("downstream");
    assertThat(registry.create(StageName.EVALUATE, image)).isInstanceOf(EvaluateStage.class);
    assertThat(registry.create(StageName.EVALUATE, image).configSections()).isEmpty();
    DagRunner runner =
        new DagRunner(
            registry,
            text,
            new RunLayout(text.run().root(), new Configuration()),
            () -> {
              throw new AssertionError("Spark must not start");
            });
    assertThatThrownBy(() -> runner.run(List.of(StageName.INGEST), false))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("missing does not exist; to install it: make-fixture");
  }
}
