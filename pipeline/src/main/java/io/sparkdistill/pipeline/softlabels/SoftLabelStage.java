package io.sparkdistill.pipeline.softlabels;

import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.config.SoftLabelSettings;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.spark.BatchedRows;
import io.sparkdistill.pipeline.task.SoftLabelJob;
import io.sparkdistill.pipeline.task.Task;
import io.sparkdistill.pipeline.teachers.TrainTeachersStage;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every selected teacher over what the task labels (images: every example, train examples at
 * view 0 and {@code soft-labels.views} sampled views; text: every masked position of the train
 * views), once, in parallel on the executors, and stores its soft labels under {@code
 * soft-labels/teacher=<name>/} (the task's table: {@link SoftLabelTable}, {@code
 * TextSoftLabelTable}), sorted as the input.
 *
 * <p>After writing each table it reads the count back: the rows the task expects, and no key
 * twice, or the stage fails. Throughput and bytes per row go to the manifest.
 */
public final class SoftLabelStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(SoftLabelStage.class);

  /** Spark setting for fault-injection tests: the first attempt of this partition dies. */
  public static final String FAIL_PARTITION_CONF = "spark.distill.faults.fail-partition";

  private final Task task;

  public SoftLabelStage(Task task) {
    this.task = task;
  }

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

  /** Refuses a run with no teacher, or a listed name that is not a teacher. */
  @Override
  public void validate(StageContext context) {
    List<String> teachers = teachers(context.config());
    if (teachers.isEmpty()) {
      throw new ConfigError("soft-labels: no teachers declared (teachers section is empty)");
    }
    teachers.forEach(context.config()::teacher);
  }

  /** The partition {@link #FAIL_PARTITION_CONF} names, or {@link BatchedRows#NO_FAILURE}. */
  public static int failPartition(SparkSession spark) {
    return Integer.parseInt(spark.conf().get(FAIL_PARTITION_CONF, String.valueOf(BatchedRows.NO_FAILURE)));
  }

  @Override
  public StageOutcome run(StageContext context) throws IOException {
    RunConfig config = context.config();
    SoftLabelSettings settings = config.softLabels();
    FileSystem fs = context.layout().fs();
    SoftLabelJob job = task.softLabelJob(context);
    long expected = job.expectedRows();
    int failPartition = failPartition(context.spark());

    Map<String, Long> rowCounts = new TreeMap<>(job.rowCounts());
    Map<String, Object> metrics = new LinkedHashMap<>(job.schemaVersions());
    for (String name : teachers(config)) {
      context.describe("teacher " + name);
      Path teacherDir = TrainTeachersStage.teacherDir(context, config.teacher(name));
      ModelInfo teacher = ModelInfo.read(fs, teacherDir);
      job.checkFits(teacher, teacherDir);
      String path = SoftLabelStore.path(context.layout(), StageName.SOFT_LABELS, name);
      LOG.info("[soft-labels] {}: {}, {} rows expected", name, describe(job.units()), expected);
      Dataset<Row> rows =
          job.input().mapPartitions(job.partition(teacherDir.toString(), teacher, failPartition),
              Encoders.row(job.schema()));
      WrittenLabels written =
          WrittenLabels.write(rows, path, settings.rowGroupBytes(), fs, job.keys().toArray(Column[]::new));
      long count = written.rows();
      long distinct = written.distinctKeys();
      if (count != expected || distinct != count) {
        throw new IllegalStateException(
            String.format(
                "soft labels of teacher '%s' at %s have %d rows (%d distinct %s), expected %d, %s:"
                    + " rows were lost or written twice",
                name, path, count, distinct, job.keysName(), expected, job.expectedRowsName()));
      }
      double seconds = written.seconds();
      long bytes = written.bytes();
      rowCounts.put("rows." + name, count);
      job.units().forEach((unit, n) -> metrics.put(unit + "s_per_second." + name, n / seconds));
      metrics.put("rows_per_second." + name, count / seconds);
      metrics.put("bytes_per_row." + name, (double) bytes / count);
      String first = job.units().keySet().iterator().next();
      metrics.put("bytes_per_" + first + "." + name, (double) bytes / job.units().get(first));
      metrics.put("seconds." + name, seconds);
      LOG.info(
          "[soft-labels] {}: {} rows in {}s ({} rows/s), {} bytes per row",
          name, count, String.format("%.1f", seconds), String.format("%.0f", count / seconds),
          String.format("%.1f", (double) bytes / count));
    }
    return new StageOutcome(rowCounts, metrics, List.of());
  }

  private static String describe(Map<String, Long> units) {
    StringBuilder text = new StringBuilder();
    units.forEach((unit, n) -> text.append(text.length() == 0 ? "" : ", ").append(n).append(' ').append(unit).append('s'));
    return text.toString();
  }
}
