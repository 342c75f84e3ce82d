package io.sparkdistill.pipeline.imageclassification;

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
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.ingest.IngestStage;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.ingest.LabelTable;
import io.sparkdistill.pipeline.task.IngestedSplits;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The image task's ingest: IDX files or an image-folder tree decoded to {@code ingest.image}
 * pixels ({@link ExampleTable}), with the class names ({@link LabelTable}).
 */
final class ImageIngest {
  private ImageIngest() {}

  static List<String> config() {
    return List.of("dataset.format", "dataset.idx", "dataset.image-folder", "ingest");
  }

  static List<String> rawInputs(DatasetSettings dataset) {
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

  /** Writes rejected, examples and labels, then reads the counts back. */
  static IngestedSplits ingest(StageContext context) {
    RunConfig config = context.config();
    IngestSettings settings = config.ingest();
    SparkSession spark = context.spark();
    long t0 = System.nanoTime();
    try (ExampleSource opened = source(config)) {
      SourceResult source = opened.read(spark);
      if (source.classNames().isEmpty()) {
        throw new DatasetException("dataset '" + config.dataset().name() + "' has no classes");
      }
      String examplesPath = context.table(IngestStage.EXAMPLES);
      String rejectedPath = context.table(IngestStage.REJECTED);
      IngestTables.writeRejected(source.rejected(), rejectedPath);
      source
          .examples()
          .sortWithinPartitions(ExampleTable.SPLIT, ExampleTable.SHARD, ExampleTable.EXAMPLE_ID)
          .write()
          .mode(SaveMode.Overwrite)
          .partitionBy(ExampleTable.SPLIT)
          .parquet(examplesPath);
      context.writeTable(IngestStage.LABELS, LabelTable.rows(source.classNames()), LabelTable.SCHEMA);
      double seconds = (System.nanoTime() - t0) / 1e9;

      Map<String, Long> examples = IngestTables.countsBySplit(spark.read().parquet(examplesPath));
      Dataset<Row> rejectedTable = spark.read().parquet(rejectedPath);
      Map<String, Long> rejected = IngestTables.countsBySplit(rejectedTable);
      TreeSet<String> names = new TreeSet<>(source.inputsBySplit().keySet());
      names.addAll(examples.keySet());
      names.addAll(rejected.keySet());
      Map<String, IngestedSplits.SplitCounts> splits = new TreeMap<>();
      long total = 0;
      for (String split : names) {
        long ok = examples.getOrDefault(split, 0L);
        total += ok;
        splits.put(
            split,
            new IngestedSplits.SplitCounts(
                source.inputsBySplit().getOrDefault(split, 0L), ok, rejected.getOrDefault(split, 0L)));
      }
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("schema.examples", ExampleTable.VERSION);
      metrics.put("schema.rejected", RejectedTable.VERSION);
      metrics.put("schema.labels", LabelTable.VERSION);
      metrics.put("classes", source.classNames().size());
      metrics.putAll(IngestTables.reasonMetrics(rejectedTable));
      metrics.put("write_seconds", seconds);
      metrics.put("examples_per_second", total / seconds);
      metrics.put(
          "image", settings.image().height() + "x" + settings.image().width() + "x" + settings.image().channels());
      return new IngestedSplits(
          "examples", rejectedPath, splits, metrics, source.warnings());
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

  /**
   * The decoder of {@code ingest.image}, {@code ingest.alpha} and {@code ingest.max-pixels}, for
   * every image format.
   */
  private static ImageDecoder decoder(IngestSettings settings) {
    return new ImageDecoder(settings.image(), settings.alpha(), settings.maxPixels());
  }

  /** Text formats belong to the masked-language-model task; Stages never sends them here. */
  private static ConfigError notImages(DatasetSettings dataset) {
    return new ConfigError(
        "dataset.format = " + dataset.format() + " is a text format; the image classification task"
            + " reads idx and image-folder");
  }
}
