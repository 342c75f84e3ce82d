package io.sparkdistill.pipeline.ensemble;

import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.array_min;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.ingest.IngestStage;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.task.Task;
import io.sparkdistill.pipeline.softlabels.SoftLabelStore;
import io.sparkdistill.pipeline.softlabels.SoftLabelTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Merges several teachers' soft labels into one table, {@code ensemble/teacher=ensemble/}, of the
 * same {@link SoftLabelTable} shape: per (example, view), the mean over the teachers of their
 * probabilities.
 *
 * <p>Each teacher's row becomes a full distribution with {@code
 * SoftLabelDistribution.probabilities(..., T = 1, SPREAD)} (the exact top-k probabilities, the
 * missing mass shared evenly by the other classes); the distributions are averaged; the {@code
 * ensemble.top-k} largest mean probabilities are kept (0: every class) and stored as {@code
 * logit = ln(mean p)} with {@code log_sum_exp = 0}, packed at {@code soft-labels.precision}. A
 * reader's usual {@code exp(logit - log_sum_exp)} therefore gives back the mean probability itself
 * (up to that precision), and the mass the kept classes miss is again {@code 1 - sum}. {@code
 * teacher_top1} is the class of largest mean probability; the view, split and shard columns are
 * copied.
 *
 * <p>Before merging, one Spark aggregation over the key and view columns checks that every
 * (example, view) has exactly one row per teacher, that the teachers saw the same view (crop box,
 * flip; split and shard), and that every class id is below the number of classes in {@code
 * ingest/labels}; any violation fails the stage naming a few offenders, before anything is
 * written. After writing, the row count read back must equal the number of (example, view) pairs.
 *
 * <p>The merge itself is {@code groupByKey(example_id, view_id).mapGroups(...)}: a group holds one
 * row per teacher, so it is small, and the merge (decode, fill, average, top-k, encode) is plain
 * Java on those rows ({@link TeacherMerge}). A {@code groupBy} with {@code collect_list(struct)}
 * would shuffle the same bytes and still need a Java map to do the arithmetic.
 */
public final class EnsembleStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(EnsembleStage.class);

  /** At most this many offending (example, view) pairs are named in a failure. */
  private static final int SHOWN_PROBLEMS = 5;

  private final Task task;

  public EnsembleStage(Task task) {
    this.task = task;
  }

  @Override
  public StageName name() {
    return StageName.ENSEMBLE;
  }

  @Override
  public List<String> configSections() {
    return List.of(
        "ensemble", "soft-labels.teachers", "soft-labels.precision", "soft-labels.row-group-size");
  }

  /**
   * The teachers merged: {@code ensemble.teachers}; if empty, {@code soft-labels.teachers}; if
   * that is empty too, every teacher of the {@code teachers} section.
   */
  public static List<String> teachers(RunConfig config) {
    if (!config.ensemble().teachers().isEmpty()) {
      return config.ensemble().teachers();
    }
    return softLabelled(config);
  }

  private static List<String> softLabelled(RunConfig config) {
    if (!config.softLabels().teachers().isEmpty()) {
      return config.softLabels().teachers();
    }
    return config.teachers().stream().map(TeacherSettings::name).toList();
  }

  /**
   * Checks the configuration: at least two teachers, each of them soft-labelled. (Whether their
   * tables exist is checked when the stage runs: when soft-labels runs in the same invocation, its
   * output does not exist yet at planning time.)
   */
  @Override
  public void validate(StageContext context) {
    RunConfig config = context.config();
    List<String> teachers = teachers(config);
    if (!task.mergesEnsemble()) {
      return; // no merged table for this task (see run)
    }
    if (teachers.size() < 2) {
      if (config.ensemble().teachers().isEmpty()) {
        return; // nothing to merge: the stage completes without a table (see run)
      }
      throw new ConfigError(
          "ensemble.teachers: an ensemble needs at least two teachers, got " + teachers + " ("
              + origin(config, "ensemble.teachers") + ")");
    }
    List<String> labelled = softLabelled(config);
    for (String teacher : teachers) {
      if (!labelled.contains(teacher)) {
        throw new ConfigError(
            "ensemble.teachers names teacher '" + teacher + "', but the soft-labels stage does not"
                + " produce it (soft-labels.teachers = " + labelled + "); add it to"
                + " soft-labels.teachers");
      }
    }
  }

  @Override
  public StageOutcome run(StageContext context) {
    long t0 = System.nanoTime();
    RunConfig config = context.config();
    RunLayout layout = context.layout();
    SparkSession spark = context.spark();
    List<String> teachers = teachers(config);
    if (!task.mergesEnsemble()) {
      return new StageOutcome(
          Map.of("rows", 0L), Map.of("teachers", String.join(",", teachers)),
          List.of("no ensemble table for " + task.name() + ": policy mean averages the stored soft labels"
              + " of its teachers in train-students"));
    }
    if (teachers.size() < 2) {
      // A run with one teacher still goes through the whole DAG; a student variant of policy mean
      // is refused by train-students' own checks.
      return new StageOutcome(
          Map.of("rows", 0L), Map.of("teachers", String.join(",", teachers)),
          List.of("no ensemble written: only " + teachers + " soft-labelled (ensemble.teachers is empty,"
              + " so every soft-labelled teacher; an ensemble needs two or more)"));
    }
    checkInputsExist(layout, teachers);

    int classes = IngestTables.classNames(spark, layout).size();
    if (classes == 0) {
      throw new IllegalStateException(
          layout.table(StageName.INGEST, IngestStage.LABELS) + " is empty: no classes to merge over");
    }
    LOG.info("[ensemble] merging teachers {} over {} classes", teachers, classes);
    context.describe("merge teachers " + String.join(", ", teachers));
    Dataset<Row> union = null;
    for (String teacher : teachers) {
      Dataset<Row> table = teacherRows(spark, layout, teacher);
      union = union == null ? table : union.union(table);
    }
    long pairs = checkAligned(union, teachers, classes);

    Dataset<Row> merged =
        union
            .groupByKey(
                (MapFunction<Row, Tuple2<String, Integer>>) TeacherMerge::key,
                Encoders.tuple(Encoders.STRING(), Encoders.INT()))
            .mapGroups(
                new TeacherMerge(teachers, classes, config.ensemble().topK(), config.softLabels().precision()),
                Encoders.row(SoftLabelTable.SCHEMA));
    String out = SoftLabelStore.path(layout, StageName.ENSEMBLE, SoftLabelStore.ENSEMBLE_TEACHER);
    SoftLabelStore.write(merged, out, config.softLabels().rowGroupBytes());

    Map<String, Long> rowCounts = new TreeMap<>();
    long rows = 0;
    Dataset<Row> written = SoftLabelStore.read(spark, layout, StageName.ENSEMBLE, SoftLabelStore.ENSEMBLE_TEACHER);
    for (Row row : written.groupBy(SoftLabelTable.SPLIT).count().collectAsList()) {
      rowCounts.put("rows." + row.getString(0), row.getLong(1));
      rows += row.getLong(1);
    }
    if (rows != pairs) {
      throw new IllegalStateException(
          "ensemble wrote " + rows + " rows to " + out + " but the teachers have " + pairs
              + " (example, view) pairs");
    }
    rowCounts.put("rows", rows);
    rowCounts.put("teachers", (long) teachers.size());
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("schema.soft_labels", SoftLabelTable.VERSION);
    metrics.put("teachers", String.join(",", teachers));
    metrics.put("classes", classes);
    metrics.put("top_k", config.ensemble().topK());
    metrics.put("bytes_per_row", (double) dataBytes(layout.fs(), new Path(out)) / rows);
    metrics.put("wall_seconds", seconds);
    LOG.info("[ensemble] {} rows of {} teachers in {} s -> {}", rows, teachers.size(), String.format("%.1f", seconds), out);
    return new StageOutcome(rowCounts, metrics, List.of());
  }

  private static void checkInputsExist(RunLayout layout, List<String> teachers) {
    try {
      Path labels = new Path(layout.table(StageName.INGEST, IngestStage.LABELS));
      if (!layout.fs().exists(labels)) {
        throw new IllegalStateException(
            "the class list " + labels + " does not exist; run ingest first");
      }
      for (String teacher : teachers) {
        Path table = new Path(SoftLabelStore.path(layout, StageName.SOFT_LABELS, teacher));
        if (!layout.fs().exists(table)) {
          throw new ConfigError(
              "ensemble.teachers: the soft-labels stage did not produce teacher '" + teacher
                  + "' (no " + table + "); add it to soft-labels.teachers and re-run soft-labels");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the inputs under " + layout.root(), e);
    }
  }

  /** One teacher's rows in {@link SoftLabelTable#SCHEMA} order, after checking the column types. */
  private static Dataset<Row> teacherRows(SparkSession spark, RunLayout layout, String teacher) {
    Dataset<Row> table = SoftLabelStore.read(spark, layout, StageName.SOFT_LABELS, teacher);
    StructType found = table.schema();
    List<Column> columns = new ArrayList<>();
    for (StructField field : SoftLabelTable.SCHEMA.fields()) {
      if (field.name().equals(SoftLabelTable.TEACHER)) {
        columns.add(lit(teacher).as(SoftLabelTable.TEACHER)); // the folder name, whatever its type
        continue;
      }
      DataType type = found.getFieldIndex(field.name()).isDefined() ? found.apply(field.name()).dataType() : null;
      if (type == null || !DataType.equalsIgnoreNullability(type, field.dataType())) {
        throw new IllegalStateException(
            SoftLabelStore.path(layout, StageName.SOFT_LABELS, teacher) + ": column " + field.name()
                + " must be " + field.dataType().simpleString() + " (soft-label table version "
                + SoftLabelTable.VERSION + "), got " + (type == null ? "no such column" : type.simpleString()));
      }
      columns.add(col(field.name()));
    }
    return table.select(columns.toArray(Column[]::new));
  }

  /**
   * Fails unless every (example, view) has exactly one row per teacher, all with the same view,
   * and every class id is in {@code [0, classes)}; returns the number of (example, view) pairs.
   */
  private static long checkAligned(Dataset<Row> union, List<String> teachers, int classes) {
    int n = teachers.size();
    List<Column> view = TeacherMerge.VIEW_COLUMNS.stream().map(c -> col(c)).collect(Collectors.toList());
    List<Column> entry = new ArrayList<>();
    entry.add(col(SoftLabelTable.TEACHER));
    entry.addAll(view);
    Dataset<Row> groups =
        union
            .groupBy(SoftLabelTable.EXAMPLE_ID, SoftLabelTable.VIEW_ID)
            .agg(
                collect_list(struct(entry.toArray(Column[]::new))).as("entries"),
                size(collect_set(struct(view.toArray(Column[]::new)))).as("views"),
                min(array_min(col(SoftLabelTable.TOPK_IDS))).as("min_id"),
                max(array_max(col(SoftLabelTable.TOPK_IDS))).as("max_id"));
    Column bad =
        size(col("entries")).notEqual(n)
            .or(size(array_distinct(col("entries." + SoftLabelTable.TEACHER))).notEqual(n))
            .or(col("views").notEqual(1));
    Row totals =
        groups
            .agg(count(lit(1)), sum(when(bad, 1).otherwise(0)), min("min_id"), max("max_id"))
            .first();
    long pairs = totals.getLong(0);
    if (pairs == 0) {
      throw new IllegalStateException("the soft-label tables of teachers " + teachers + " are empty");
    }
    long misaligned = totals.getLong(1);
    if (misaligned > 0) {
      List<String> shown = new ArrayList<>();
      for (Row group :
          groups.filter(bad).orderBy(SoftLabelTable.EXAMPLE_ID, SoftLabelTable.VIEW_ID).limit(SHOWN_PROBLEMS).collectAsList()) {
        shown.add(describe(group, teachers));
      }
      throw new IllegalStateException(
          "the soft labels of teachers " + teachers + " do not line up: " + misaligned + " of "
              + pairs + " (example, view) pairs lack a teacher's row, have one twice, or the"
              + " teachers' views differ; " + String.join("; ", shown)
              + (misaligned > shown.size() ? "; ..." : "")
              + ". Re-run soft-labels (--force) so that every teacher labels the same views.");
    }
    int minId = totals.isNullAt(2) ? 0 : totals.getInt(2); // null: no ids at all, caught by the merge
    int maxId = totals.isNullAt(3) ? 0 : totals.getInt(3);
    if (minId < 0 || maxId >= classes) {
      throw new IllegalStateException(
          "the soft labels name class id " + (minId < 0 ? minId : maxId) + ", but ingest/labels has "
              + classes + " classes (0.." + (classes - 1) + ")");
    }
    return pairs;
  }

  /** What is wrong with one (example, view) group of {@link #checkAligned}. */
  private static String describe(Row group, List<String> teachers) {
    String where = "example '" + group.getString(0) + "' view " + group.getInt(1);
    List<Row> entries = group.getList(2);
    Map<String, Integer> perTeacher = new TreeMap<>();
    for (Row entry : entries) {
      perTeacher.merge(entry.getString(0), 1, Integer::sum);
    }
    List<String> problems = new ArrayList<>();
    for (String teacher : teachers) {
      int found = perTeacher.getOrDefault(teacher, 0);
      if (found == 0) {
        problems.add("has no row from teacher '" + teacher + "'");
      } else if (found > 1) {
        problems.add("has " + found + " rows from teacher '" + teacher + "'");
      }
    }
    if (group.getInt(3) != 1) {
      String views =
          entries.stream()
              .map(
                  e ->
                      e.getString(0) + ": split=" + e.get(1) + " shard=" + e.get(2) + " crop=("
                          + e.get(3) + "," + e.get(4) + " " + e.get(5) + "x" + e.get(6) + ") flip="
                          + e.get(7))
              .sorted()
              .collect(Collectors.joining(", "));
      problems.add(
          "has different views for its teachers (" + views + "): the soft labels were computed"
              + " with different view seeds or settings");
    }
    return where + " " + String.join(" and ", problems);
  }

  private static long dataBytes(FileSystem fs, Path folder) {
    try {
      long bytes = 0;
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(folder, true);
      while (files.hasNext()) {
        LocatedFileStatus file = files.next();
        String name = file.getPath().getName();
        if (!name.startsWith("_") && !name.startsWith(".")) {
          bytes += file.getLen();
        }
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }

  private static String origin(RunConfig config, String path) {
    return config.resolved().hasPath(path) ? config.resolved().getValue(path).origin().description() : "unset";
  }
}
