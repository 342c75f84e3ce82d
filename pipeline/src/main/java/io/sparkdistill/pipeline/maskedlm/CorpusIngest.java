package io.sparkdistill.pipeline.maskedlm;

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
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.ingest.IngestStage;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.task.IngestedSplits;
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
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The masked-language-model task's ingest: a text corpus ({@code dataset.format} brown, c4 or
 * text) read into {@link TextExampleTable} documents; from the train documents the {@link
 * Vocabulary}, then the {@link SequenceTable}: documents packed into {@code text.sequence-length}
 * ids and masked ({@code text.views} views per train sequence, view 0 for test), deterministic for a
 * given corpus and configuration.
 */
final class CorpusIngest {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CorpusIngest.class);

  private CorpusIngest() {}

  static List<String> config() {
    return List.of(
        "dataset.format",
        "dataset.text",
        "ingest.shards",
        "ingest.partitions",
        "ingest.max-rejected-fraction",
        "text");
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
          "the masked-language-model task reads dataset.format brown, c4 or text, not " + config.dataset().format());
    };
  }

  /** Writes rejected and documents, then reconciles the counts with what the source read. */
  static IngestedSplits ingest(StageContext context) {
    RunConfig config = context.config();
    SparkSession spark = context.spark();
    long t0 = System.nanoTime();
    try (TextSource opened = source(config)) {
      TextSourceResult source = opened.read(spark);
      String documentsPath = context.table(CorpusTables.DOCUMENTS);
      String rejectedPath = context.table(IngestStage.REJECTED);
      IngestTables.writeRejected(source.rejected(), rejectedPath);
      source
          .examples()
          .sortWithinPartitions(
              TextExampleTable.SPLIT, TextExampleTable.SHARD, TextExampleTable.DOC_ID)
          .write()
          .mode(SaveMode.Overwrite)
          .partitionBy(TextExampleTable.SPLIT)
          .parquet(documentsPath);
      double readSeconds = seconds(t0);
      Map<String, TextSourceResult.SplitCounts> counts =
          source.reconcile(spark.read().parquet(documentsPath), spark.read().parquet(rejectedPath));
      Map<String, IngestedSplits.SplitCounts> splits = new TreeMap<>();
      long totalDocuments = 0;
      for (Map.Entry<String, TextSourceResult.SplitCounts> entry : counts.entrySet()) {
        TextSourceResult.SplitCounts c = entry.getValue();
        totalDocuments += c.examples();
        splits.put(entry.getKey(), new IngestedSplits.SplitCounts(c.inputs(), c.examples(), c.rejected()));
      }
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("schema.documents", TextExampleTable.VERSION);
      metrics.put("schema.rejected", RejectedTable.VERSION);
      metrics.put("read_seconds", readSeconds);
      metrics.put("documents_per_second", totalDocuments / readSeconds);
      metrics.putAll(IngestTables.reasonMetrics(spark.read().parquet(rejectedPath)));
      return new IngestedSplits(
          "documents", rejectedPath, splits, metrics, source.warnings());
    }
  }

  /** Learns the vocabulary from the train documents, then packs and masks the sequences. */
  static StageOutcome derive(StageContext context) {
    SparkSession spark = context.spark();
    TextSettings text = context.config().text();
    String documentsPath = context.table(CorpusTables.DOCUMENTS);
    Dataset<Row> documents = spark.read().parquet(documentsPath);
    Map<String, Long> rowCounts = new TreeMap<>();
    long t1 = System.nanoTime();
    Vocabulary vocabulary =
        new VocabularyBuilder()
            .setMaxSize(text.vocabularySize())
            .setMinCount(text.minCount())
            .fit(documents);
    vocabulary.save(context.table(CorpusTables.VOCABULARY), context.layout().fs().getConf(), true);
    double vocabularySeconds = seconds(t1);
    LOG.info("[ingest] vocabulary: {} tokens in {} s", vocabulary.size(), round(vocabularySeconds));

    long t2 = System.nanoTime();
    String sequencesPath = context.table(CorpusTables.SEQUENCES);
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
    metrics.put("schema.sequences", SequenceTable.VERSION);
    metrics.put("vocabulary.format", Vocabulary.FORMAT_VERSION);
    metrics.put("vocabulary_size", vocabulary.size());
    metrics.put("sequence_length", text.sequenceLength());
    metrics.put("tokens", tokens);
    metrics.put("unknown_fraction", tokens == 0 ? 0.0 : (double) unknown / tokens);
    metrics.put("vocabulary_seconds", vocabularySeconds);
    metrics.put("sequence_seconds", sequenceSeconds);
    metrics.put("sequences_per_second", totalSequences / sequenceSeconds);
    metrics.put("views_per_second", totalViews / sequenceSeconds);
    metrics.put("tokens_per_second", tokens / sequenceSeconds);
    LOG.info(
        "[ingest] {} sequences ({} masked views, {} tokens) in {} s: {} sequences/s, {} tokens/s",
        totalSequences, totalViews, tokens, round(sequenceSeconds),
        Math.round(totalSequences / sequenceSeconds), Math.round(tokens / sequenceSeconds));
    return new StageOutcome(rowCounts, metrics, List.of());
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
