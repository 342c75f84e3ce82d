package io.sparkdistill.pipeline.ingest;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.datasets.examples.ExampleSource;
import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.datasets.examples.SourceResult;
import io.sparkdistill.datasets.idx.IdxSource;
import io.sparkdistill.datasets.idx.IdxSplit;
import io.sparkdistill.datasets.image.ImageDecoder;
import io.sparkdistill.datasets.imagefolder.ImageFolderSource;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.DatasetSettings;
import io.sparkdistill.pipeline.config.IngestSettings;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the raw dataset and writes, under {@code <run.root>/ingest/}:
 *
 * <ul>
 *   <li>{@code examples/}: {@link ExampleTable} rows, partitioned by {@code split}, sorted by
 *       shard within each file;
 *   <li>{@code rejected/}: {@link RejectedTable} rows, every input that could not be used;
 *   <li>{@code labels/}: {@link LabelTable}, class name of each label index.
 * </ul>
 *
 * <p>After writing it reads the counts back and checks, per split, that inputs = examples +
 * rejected; a split that rejects more than {@code ingest.max-rejected-fraction} fails the stage
 * with a data error (its rejected rows stay on disk to be inspected; no manifest is written).
 */
public final class IngestStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);

  public static final String EXAMPLES = "examples";
  public static final String REJECTED = "rejected";
  public static final String LABELS = "labels";

  @Override
  public StageName name() {
    return StageName.INGEST;
  }

  @Override
  public List<String> configSections() {
    return List.of("dataset.format", "dataset.idx", "dataset.image-folder", "ingest");
  }

  @Override
  public void validate(StageContext context) {
    DatasetSettings dataset = context.config().dataset();
    for (String path : requiredPaths(dataset)) {
      if (!context.exists(path)) {
        String hint = dataset.installHint().isBlank() ? "" : "; to install it: " + dataset.installHint();
        throw new DatasetException(
            "dataset '" + dataset.name() + "' not found: " + path + " does not exist" + hint);
      }
    }
  }

  @Override
  public Map<String, String> externalInputs(StageContext context) {
    Map<String, String> inputs = new TreeMap<>();
    for (String path : requiredPaths(context.config().dataset())) {
      inputs.put(path, context.fingerprint(path));
    }
    return inputs;
  }

  @Override
  public StageOutcome run(StageContext context) {
    RunConfig config = context.config();
    IngestSettings settings = config.ingest();
    SparkSession spark = context.spark();
    long t0 = System.nanoTime();
    LOG.info("[ingest] reading {} dataset '{}'", config.dataset().format(), config.dataset().name());
    context.describe("read dataset " + config.dataset().name());
    try (ExampleSource source = source(config)) {
      return write(context, source.read(spark), t0);
    }
  }

  private static ExampleSource source(RunConfig config) {
    IngestSettings settings = config.ingest();
    return switch (config.dataset().format()) {
      case IDX -> idxSource(config);
      case IMAGE_FOLDER -> new ImageFolderSource(
          config.dataset().imageFolderRoot(), decoder(settings), settings.shards(), settings.partitions());
      case BROWN, C4, TEXT -> throw notImages(config.dataset());
    };
  }

  private StageOutcome write(StageContext context, SourceResult source, long t0) {
    SparkSession spark = context.spark();
    IngestSettings settings = context.config().ingest();
    if (source.classNames().isEmpty()) {
      throw new DatasetException("dataset '" + context.config().dataset().name() + "' has no classes");
    }
    String examplesPath = context.table(EXAMPLES);
    String rejectedPath = context.table(REJECTED);
    source
        .rejected()
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(rejectedPath);
    source
        .examples()
        .sortWithinPartitions(ExampleTable.SPLIT, ExampleTable.SHARD, ExampleTable.EXAMPLE_ID)
        .write()
        .mode(SaveMode.Overwrite)
        .partitionBy(ExampleTable.SPLIT)
        .parquet(examplesPath);
    context.writeTable(LABELS, LabelTable.rows(source.classNames()), LabelTable.SCHEMA);
    double seconds = (System.nanoTime() - t0) / 1e9;

    Map<String, Long> examples = IngestTables.countsBySplit(spark.read().parquet(examplesPath));
    Map<String, Long> rejected = IngestTables.countsBySplit(spark.read().parquet(rejectedPath));
    Map<String, Long> rowCounts = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    TreeSet<String> splits = new TreeSet<>(source.inputsBySplit().keySet());
    splits.addAll(examples.keySet());
    splits.addAll(rejected.keySet());
    long totalExamples = 0;
    for (String split : splits) {
      long in = source.inputsBySplit().getOrDefault(split, 0L);
      long ok = examples.getOrDefault(split, 0L);
      long bad = rejected.getOrDefault(split, 0L);
      totalExamples += ok;
      rowCounts.put("inputs." + split, in);
      rowCounts.put("examples." + split, ok);
      rowCounts.put("rejected." + split, bad);
      LOG.info("[ingest] split {}: {} inputs = {} examples + {} rejected", split, in, ok, bad);
      if (in != ok + bad) {
        throw new IllegalStateException(
            "ingest lost rows in split '" + split + "': " + in + " inputs but " + ok
                + " examples + " + bad + " rejected were written");
      }
      if (in > 0 && (double) bad / in > settings.maxRejectedFraction()) {
        problems.add(
            String.format(
                "split '%s' rejected %d of %d inputs (%.2f%%, more than ingest.max-rejected-fraction"
                    + " = %s); see %s",
                split, bad, in, 100.0 * bad / in, settings.maxRejectedFraction(), rejectedPath));
      }
    }
    if (examples.getOrDefault("train", 0L) == 0) {
      problems.add("no train examples were produced; see " + rejectedPath);
    }
    if (!problems.isEmpty()) {
      throw new DatasetException(String.join("; ", problems));
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("schema.examples", ExampleTable.VERSION);
    metrics.put("schema.rejected", RejectedTable.VERSION);
    metrics.put("schema.labels", LabelTable.VERSION);
    metrics.put("classes", source.classNames().size());
    metrics.put("write_seconds", seconds);
    metrics.put("examples_per_second", totalExamples / seconds);
    metrics.put("image", settings.image().height() + "x" + settings.image().width() + "x" + settings.image().channels());
    return new StageOutcome(rowCounts, metrics, source.warnings());
  }

  private static IdxSource idxSource(RunConfig config) {
    DatasetSettings.IdxFiles files = config.dataset().idx();
    IngestSettings settings = config.ingest();
    return new IdxSource(
        List.of(
            new IdxSplit("train", files.trainImages(), files.trainLabels()),
            new IdxSplit("test", files.testImages(), files.testLabels())),
        decoder(settings),
        files.classNames(),
        settings.shards(),
        settings.partitions());
  }

  private static ImageDecoder decoder(IngestSettings settings) {
    return new ImageDecoder(settings.image(), settings.alpha());
  }

  private static List<String> requiredPaths(DatasetSettings dataset) {
    return switch (dataset.format()) {
      case IDX -> List.of(
          dataset.idx().trainImages(),
          dataset.idx().trainLabels(),
          dataset.idx().testImages(),
          dataset.idx().testLabels());
      case IMAGE_FOLDER -> List.of(dataset.imageFolderRoot());
      case BROWN, C4, TEXT -> throw notImages(dataset);
    };
  }

  /** Text formats are ingested by {@code TextIngestStage}; StageRegistry never sends them here. */
  private static ConfigError notImages(DatasetSettings dataset) {
    return new ConfigError(
        "dataset.format = " + dataset.format() + " is a text format; the image ingest stage reads"
            + " idx and image-folder (text formats are read by TextIngestStage)");
  }
}
