package io.sparkdistill.pipeline.textingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.datasets.text.BrownCorpusSource;
import io.sparkdistill.datasets.text.C4JsonSource;
import io.sparkdistill.datasets.text.MaskedViews;
import io.sparkdistill.datasets.text.Masking;
import io.sparkdistill.datasets.text.PlainTextSource;
import io.sparkdistill.datasets.text.SequencePacker;
import io.sparkdistill.datasets.text.SequenceTable;
import io.sparkdistill.datasets.text.TextExampleTable;
import io.sparkdistill.datasets.text.TextSource;
import io.sparkdistill.datasets.text.TextSourceResult;
import io.sparkdistill.datasets.text.Tokenizer;
import io.sparkdistill.datasets.text.Vocabulary;
import io.sparkdistill.datasets.text.VocabularyBuilder;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.DatasetSettings;
import io.sparkdistill.pipeline.config.IngestSettings;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.config.TextSettings;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingest for the text formats ({@code dataset.format} brown, c4 or text): reads the corpus and
 * writes, under {@code <run.root>/ingest/}:
 *
 * <ul>
 *   <li>{@code documents/}: {@link TextExampleTable} rows, partitioned by {@code split}, sorted by
 *       shard and doc id within each file;
 *   <li>{@code rejected/}: {@link RejectedTable} rows, every input that could not be used, with
 *       its reason;
 *   <li>{@code vocabulary/}: the {@link Vocabulary} ({@code vocab.txt}, {@code vocab.properties})
 *       learned from the train documents only;
 *   <li>{@code sequences/}: {@link SequenceTable} rows, the documents packed into {@code
 *       text.sequence-length} ids and masked ({@code text.views} views per train sequence, view 0
 *       for test), partitioned by {@code split}; deterministic for a given corpus and configuration.
 * </ul>
 *
 * <p>As for images, after writing it reads the counts back and checks, per split, that inputs =
 * documents + rejected; a split that rejects more than {@code ingest.max-rejected-fraction} fails
 * the stage with a data error after the rejected rows are written (no vocabulary, no sequences,
 * no manifest).
 */
public final class TextIngestStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(TextIngestStage.class);

  public static final String DOCUMENTS = "documents";
  public static final String REJECTED = "rejected";
  public static final String VOCABULARY = "vocabulary";
  public static final String SEQUENCES = "sequences";

  @Override
  public StageName name() {
    return StageName.INGEST;
  }

  @Override
  public List<String> configSections() {
    return List.of(
        "dataset.format",
        "dataset.text",
        "ingest.shards",
        "ingest.partitions",
        "ingest.max-rejected-fraction",
        "text");
  }

  @Override
  public void validate(StageContext context) {
    DatasetSettings dataset = context.config().dataset();
    if (!dataset.isText()) {
      throw new ConfigError(
          "text ingest reads dataset.format brown, c4 or text, not " + dataset.format());
    }
    String root = dataset.text().root();
    if (!context.exists(root)) {
      String hint = dataset.installHint().isBlank() ? "" : "; to install it: " + dataset.installHint();
      throw new DatasetException(
          "dataset '" + dataset.name() + "' not found: " + root + " does not exist" + hint);
    }
  }

  @Override
  public Map<String, String> externalInputs(StageContext context) {
    String root = context.config().dataset().text().root();
    return Map.of(root, context.fingerprint(root));
  }

  @Override
  public StageOutcome run(StageContext context) {
    RunConfig config = context.config();
    SparkSession spark = context.spark();
    LOG.info(
        "[ingest] reading {} corpus '{}' from {}",
        config.dataset().format().name().toLowerCase(java.util.Locale.ROOT),
        config.dataset().name(),
        config.dataset().text().root());
    context.describe("read corpus " + config.dataset().name());
    long t0 = System.nanoTime();
    try (TextSource source = source(config)) {
      return write(context, source.read(spark), t0);
    }
  }

  /** The source that reads {@code dataset.format}. */
  static TextSource source(RunConfig config) {
    DatasetSettings.TextFiles files = config.dataset().text();
    IngestSettings ingest = config.ingest();
    return switch (config.dataset().format()) {
      case BROWN -> new BrownCorpusSource(
          files.root(), files.testPercent(), ingest.shards(), ingest.partitions(),
          files.filePattern());
      case C4 -> new C4JsonSource(
          files.root(), ingest.shards(), ingest.partitions(), files.filePattern());
      case TEXT -> new PlainTextSource(
          files.root(), files.granularity(), files.testPercent(), ingest.shards(),
          ingest.partitions(), files.filePattern());
      case IDX, IMAGE_FOLDER -> throw new ConfigError(
          "text ingest reads dataset.format brown, c4 or text, not " + config.dataset().format());
    };
  }

  /**
   * @param t0 when reading started ({@link TextSource#read} reads and caches the whole corpus)
   */
  private StageOutcome write(StageContext context, TextSourceResult source, long t0) {
    SparkSession spark = context.spark();
    RunConfig config = context.config();
    TextSettings text = config.text();

    String documentsPath = context.table(DOCUMENTS);
    String rejectedPath = context.table(REJECTED);
    source.rejected().coalesce(1).write().mode(SaveMode.Overwrite).parquet(rejectedPath);
    source
        .examples()
        .sortWithinPartitions(
            TextExampleTable.SPLIT, TextExampleTable.SHARD, TextExampleTable.DOC_ID)
        .write()
        .mode(SaveMode.Overwrite)
        .partitionBy(TextExampleTable.SPLIT)
        .parquet(documentsPath);
    double readSeconds = seconds(t0);

    Dataset<Row> documents = spark.read().parquet(documentsPath);
    Dataset<Row> rejected = spark.read().parquet(rejectedPath);
    Map<String, TextSourceResult.SplitCounts> counts = source.reconcile(documents, rejected);
    Map<String, Long> rowCounts = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    long totalDocuments = 0;
    for (Map.Entry<String, TextSourceResult.SplitCounts> entry : counts.entrySet()) {
      String split = entry.getKey();
      TextSourceResult.SplitCounts c = entry.getValue();
      totalDocuments += c.examples();
      rowCounts.put("inputs." + split, c.inputs());
      rowCounts.put("documents." + split, c.examples());
      rowCounts.put("rejected." + split, c.rejected());
      LOG.info(
          "[ingest] split {}: {} inputs = {} documents + {} rejected",
          split, c.inputs(), c.examples(), c.rejected());
      double fraction = c.inputs() == 0 ? 0 : (double) c.rejected() / c.inputs();
      if (fraction > config.ingest().maxRejectedFraction()) {
        problems.add(
            String.format(
                "split '%s' rejected %d of %d inputs (%.2f%%, more than ingest.max-rejected-fraction"
                    + " = %s); see %s",
                split, c.rejected(), c.inputs(), 100.0 * fraction,
                config.ingest().maxRejectedFraction(), rejectedPath));
      }
    }
    if (counts.getOrDefault(TextExampleTable.TRAIN, new TextSourceResult.SplitCounts(0, 0, 0))
            .examples()
        == 0) {
      problems.add("no train documents were produced; see " + rejectedPath);
    }
    if (!problems.isEmpty()) {
      throw new DatasetException(String.join("; ", problems));
    }

    long t1 = System.nanoTime();
    Vocabulary vocabulary =
        new VocabularyBuilder()
            .setMaxSize(text.vocabularySize())
            .setMinCount(text.minCount())
            .fit(documents);
    vocabulary.save(context.table(VOCABULARY), context.layout().fs().getConf(), true);
    double vocabularySeconds = seconds(t1);
    LOG.info("[ingest] vocabulary: {} tokens in {} s", vocabulary.size(), round(vocabularySeconds));

    long t2 = System.nanoTime();
    String sequencesPath = context.table(SEQUENCES);
    Dataset<Row> packed =
        new SequencePacker(text.sequenceLength()).pack(documents, new Tokenizer(vocabulary));
    Masking masking = new Masking(Masking.Options.bert(text.maskSeed()), vocabulary.size());
    MaskedViews.of(packed, masking, text.views(), 1)
        .sortWithinPartitions(SequenceTable.SHARD, SequenceTable.SEQUENCE_ID, SequenceTable.VIEW_ID)
        .write()
        .mode(SaveMode.Overwrite)
        .partitionBy(SequenceTable.SPLIT)
        .parquet(sequencesPath);
    double sequenceSeconds = seconds(t2);

    // Padding and [UNK] are never masked (nor drawn as random tokens), so view 0 of every sequence
    // gives the packed token counts.
    Dataset<Row> sequences = spark.read().parquet(sequencesPath);
    long totalSequences = 0;
    long totalViews = 0;
    long tokens = 0;
    long unknown = 0;
    for (Row row :
        sequences
            .groupBy(col(SequenceTable.SPLIT))
            .agg(
                count(when(col(SequenceTable.VIEW_ID).equalTo(0), 1)).as("sequences"),
                count(expr("1")).as("views"),
                sum(when(col(SequenceTable.VIEW_ID).equalTo(0), expr(nonPad()))).as("tokens"),
                sum(when(col(SequenceTable.VIEW_ID).equalTo(0), expr(unknown()))).as("unknown"))
            .collectAsList()) {
      String split = row.getString(0);
      rowCounts.put("sequences." + split, row.getLong(1));
      rowCounts.put("views." + split, row.getLong(2));
      totalSequences += row.getLong(1);
      totalViews += row.getLong(2);
      tokens += row.isNullAt(3) ? 0 : row.getLong(3);
      unknown += row.isNullAt(4) ? 0 : row.getLong(4);
    }
    rowCounts.put("vocabulary", (long) vocabulary.size());
    if (totalSequences == 0) {
      throw new DatasetException(
          "the train documents hold no token, so no sequence was packed; see " + documentsPath);
    }

    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("schema.documents", TextExampleTable.VERSION);
    metrics.put("schema.rejected", RejectedTable.VERSION);
    metrics.put("schema.sequences", SequenceTable.VERSION);
    metrics.put("vocabulary.format", Vocabulary.FORMAT_VERSION);
    metrics.put("vocabulary_size", vocabulary.size());
    metrics.put("sequence_length", text.sequenceLength());
    metrics.put("tokens", tokens);
    metrics.put("unknown_fraction", tokens == 0 ? 0.0 : (double) unknown / tokens);
    metrics.put("read_seconds", readSeconds);
    metrics.put("vocabulary_seconds", vocabularySeconds);
    metrics.put("sequence_seconds", sequenceSeconds);
    metrics.put("documents_per_second", totalDocuments / readSeconds);
    metrics.put("sequences_per_second", totalSequences / sequenceSeconds);
    metrics.put("views_per_second", totalViews / sequenceSeconds);
    metrics.put("tokens_per_second", tokens / sequenceSeconds);
    LOG.info(
        "[ingest] {} sequences ({} masked views, {} tokens) in {} s: {} sequences/s, {} tokens/s",
        totalSequences, totalViews, tokens, round(sequenceSeconds),
        Math.round(totalSequences / sequenceSeconds), Math.round(tokens / sequenceSeconds));
    return new StageOutcome(rowCounts, metrics, source.warnings());
  }

  /** Ids of view 0 that are not [PAD]: the packed tokens, [CLS] and [SEP] included. */
  private static String nonPad() {
    return "size(filter(" + SequenceTable.INPUT_IDS + ", x -> x != " + Vocabulary.PAD_ID + "))";
  }

  /** [UNK] ids of view 0. */
  private static String unknown() {
    return "size(filter(" + SequenceTable.INPUT_IDS + ", x -> x = " + Vocabulary.UNK_ID + "))";
  }

  private static double seconds(long since) {
    return Math.max(1e-3, (System.nanoTime() - since) / 1e9);
  }

  private static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }
}
