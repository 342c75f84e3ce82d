package io.sparkdistill.pipeline.softlabels;

import static org.apache.spark.sql.functions.col;

import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.datasets.image.ImageShape;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.config.SoftLabelSettings;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.spark.BatchedRows;
import io.sparkdistill.pipeline.teachers.TrainTeachersStage;
import io.sparkdistill.pipeline.views.ViewSampler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every selected teacher over every example once, in parallel on the executors, and stores
 * its soft labels under {@code soft-labels/teacher=<name>/} ({@link SoftLabelTable}): one row per
 * (example, view); train examples get view 0 and {@code soft-labels.views} sampled views, the
 * other splits view 0 only.
 *
 * <p>After writing each table it reads the count back: rows = train examples x (views + 1) +
 * other examples, and no (example, view) twice, or the stage fails. Throughput and bytes per row
 * go to the manifest.
 */
public final class SoftLabelStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(SoftLabelStage.class);

  /** Spark setting for fault-injection tests: the first attempt of this partition dies. */
  public static final String FAIL_PARTITION_CONF = "spark.distill.faults.fail-partition";

  @Override
  public StageName name() {
    return StageName.SOFT_LABELS;
  }

  @Override
  public List<String> configSections() {
    return List.of("soft-labels");
  }

  /** The teachers soft labels are computed for: the listed ones, or every teacher. */
  public static List<String> teachers(RunConfig config) {
    List<String> listed = config.softLabels().teachers();
    return listed.isEmpty() ? config.teachers().stream().map(TeacherSettings::name).toList() : listed;
  }

  @Override
  public void validate(StageContext context) {
    checkTeachers(context.config());
  }

  /** {@link #teachers}, refused when there are none. */
  static List<String> checkTeachers(RunConfig config) {
    List<String> teachers = teachers(config);
    if (teachers.isEmpty()) {
      throw new ConfigError("soft-labels: no teachers declared (teachers section is empty)");
    }
    return teachers;
  }

  /** The partition {@link #FAIL_PARTITION_CONF} names, or {@link BatchedRows#NO_FAILURE}. */
  static int failPartition(SparkSession spark) {
    return Integer.parseInt(spark.conf().get(FAIL_PARTITION_CONF, String.valueOf(BatchedRows.NO_FAILURE)));
  }

  @Override
  public StageOutcome run(StageContext context) throws IOException {
    SparkSession spark = context.spark();
    RunConfig config = context.config();
    SoftLabelSettings settings = config.softLabels();
    FileSystem fs = context.layout().fs();
    Dataset<Row> examples = IngestTables.examples(spark, context.layout());
    Map<String, Long> bySplit = IngestTables.countsBySplit(examples);
    long exampleCount = bySplit.values().stream().mapToLong(Long::longValue).sum();
    long expected = exampleCount + bySplit.getOrDefault("train", 0L) * settings.views();
    int classes = IngestTables.classNames(spark, context.layout()).size();
    int failPartition = failPartition(spark);
    ViewSampler sampler = new ViewSampler(settings.views(), settings.cropMinScale(), settings.flip(), settings.seed());

    Map<String, Long> rowCounts = new TreeMap<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("schema.soft_labels", SoftLabelTable.VERSION);
    for (String name : teachers(config)) {
      context.describe("teacher " + name);
      Path teacherDir = TrainTeachersStage.teacherDir(context, config.teacher(name));
      ModelInfo teacher = ModelInfo.read(fs, teacherDir);
      checkFits(teacher, config.ingest().image(), classes);
      String path = SoftLabelStore.path(context.layout(), StageName.SOFT_LABELS, name);
      LOG.info("[soft-labels] {}: {} examples, {} rows expected", name, exampleCount, expected);
      // Sorted input, and views emitted in order, give shard-sorted output without sorting it.
      Dataset<Row> rows =
          examples
              .sortWithinPartitions(ExampleTable.SHARD, ExampleTable.EXAMPLE_ID)
              .mapPartitions(
              new SoftLabelPartition(
                  teacherDir.toString(), teacher, sampler, settings.topK(), settings.precision(),
                  settings.batchSize(), failPartition),
              Encoders.row(SoftLabelTable.SCHEMA));
      WrittenLabels written =
          WrittenLabels.write(
              rows, path, settings.rowGroupBytes(), fs, col(SoftLabelTable.EXAMPLE_ID), col(SoftLabelTable.VIEW_ID));
      long count = written.rows();
      long distinct = written.distinctKeys();
      if (count != expected || distinct != count) {
        throw new IllegalStateException(
            String.format(
                "soft labels of teacher '%s' have %d rows (%d distinct example/view pairs), expected %d:"
                    + " rows were lost or written twice", name, count, distinct, expected));
      }
      double seconds = written.seconds();
      long bytes = written.bytes();
      rowCounts.put("rows." + name, count);
      metrics.put("examples_per_second." + name, exampleCount / seconds);
      metrics.put("rows_per_second." + name, count / seconds);
      metrics.put("bytes_per_row." + name, (double) bytes / count);
      metrics.put("bytes_per_example." + name, (double) bytes / exampleCount);
      metrics.put("seconds." + name, seconds);
      LOG.info(
          "[soft-labels] {}: {} rows in {}s ({} examples/s), {} bytes per row",
          name, count, String.format("%.1f", seconds), String.format("%.0f", exampleCount / seconds),
          String.format("%.1f", (double) bytes / count));
    }
    return new StageOutcome(rowCounts, metrics, List.of());
  }

  /** A teacher whose classes or input shape do not match the dataset is refused before any work. */
  private static void checkFits(ModelInfo teacher, ImageShape shape, int classes) {
    if (teacher.classes() != classes) {
      throw new ConfigError(
          "teacher '" + teacher.name() + "' has " + teacher.classes() + " classes, the dataset " + classes);
    }
    if (teacher.inputHeight() != shape.height() || teacher.inputWidth() != shape.width()
        || teacher.inputChannels() != shape.channels()) {
      throw new ConfigError(
          "teacher '" + teacher.name() + "' takes " + teacher.inputHeight() + "x" + teacher.inputWidth() + "x"
              + teacher.inputChannels() + " images, ingest.image is " + shape.height() + "x" + shape.width()
              + "x" + shape.channels());
    }
  }
}
