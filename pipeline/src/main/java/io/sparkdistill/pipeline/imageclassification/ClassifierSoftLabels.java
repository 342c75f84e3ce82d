package io.sparkdistill.pipeline.imageclassification;

import static org.apache.spark.sql.functions.col;

import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.SoftLabelSettings;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.softlabels.SoftLabelPartition;
import io.sparkdistill.pipeline.softlabels.SoftLabelTable;
import io.sparkdistill.pipeline.task.SoftLabelJob;
import io.sparkdistill.pipeline.views.ViewSampler;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A classifier teacher over every example: one {@link SoftLabelTable} row per (example, view);
 * train examples get view 0 and {@code soft-labels.views} sampled views, the other splits view 0
 * only, so rows = train examples x (views + 1) + other examples.
 */
final class ClassifierSoftLabels implements SoftLabelJob {
  private final StageContext context;
  private final SoftLabelSettings settings;
  private final Dataset<Row> examples;
  private final long exampleCount;
  private final long expected;
  private final int classes;

  ClassifierSoftLabels(StageContext context) {
    this.context = context;
    this.settings = context.config().softLabels();
    this.examples = IngestTables.examples(context.spark(), context.layout());
    Map<String, Long> bySplit = IngestTables.countsBySplit(examples);
    this.exampleCount = bySplit.values().stream().mapToLong(Long::longValue).sum();
    this.expected = exampleCount + bySplit.getOrDefault("train", 0L) * settings.views();
    this.classes = IngestTables.classNames(context.spark(), context.layout()).size();
  }

  @Override
  public Dataset<Row> input() {
    // Sorted input, and views emitted in order, give shard-sorted output without sorting it.
    return examples.sortWithinPartitions(ExampleTable.SHARD, ExampleTable.EXAMPLE_ID);
  }

  @Override
  public long expectedRows() {
    return expected;
  }

  @Override
  public String expectedRowsName() {
    return "train examples x (soft-labels.views + 1) + other examples";
  }

  @Override
  public Map<String, Long> units() {
    return Map.of("example", exampleCount);
  }

  @Override
  public Map<String, Long> rowCounts() {
    return Map.of();
  }

  @Override
  public Map<String, Object> schemaVersions() {
    return Map.of("schema.soft_labels", SoftLabelTable.VERSION);
  }

  /** A teacher whose classes or input shape do not match the dataset is refused before any work. */
  @Override
  public void checkFits(ModelInfo teacher, Path teacherDir) {
    String mismatch = teacher.imageMismatch(classes, context.config().ingest().image());
    if (mismatch != null) {
      throw new ConfigError("teacher '" + teacher.name() + "' " + mismatch);
    }
  }


  @Override
  public MapPartitionsFunction<Row, Row> partition(String teacherDir, ModelInfo teacher, int failPartition) {
    ViewSampler sampler =
        new ViewSampler(settings.views(), settings.cropMinScale(), settings.flip(), settings.seed());
    return new SoftLabelPartition(
        teacherDir, teacher, sampler, settings.topK(), settings.precision(), settings.batchSize(), failPartition);
  }

  @Override
  public StructType schema() {
    return SoftLabelTable.SCHEMA;
  }

  @Override
  public List<Column> keys() {
    return List.of(col(SoftLabelTable.EXAMPLE_ID), col(SoftLabelTable.VIEW_ID));
  }

  @Override
  public String keysName() {
    return "example/view pairs";
  }
}
