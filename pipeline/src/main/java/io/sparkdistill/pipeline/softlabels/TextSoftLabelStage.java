package io.sparkdistill.pipeline.softlabels;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import io.sparkdistill.datasets.text.SequenceTable;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.config.SoftLabelSettings;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.mlm.MlmSequences;
import io.sparkdistill.pipeline.mlm.TextSoftLabelTable;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.teachers.TrainTeachersStage;
import io.sparkdistill.pipeline.textingest.TextIngestTables;
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
 * The text path's soft-labels: runs every selected masked-language-model teacher over every masked
 * view of the train sequences once, in parallel on the executors ({@link TextSoftLabelPartition}),
 * and stores its soft labels under {@code soft-labels/teacher=<name>/} ({@link TextSoftLabelTable}):
 * one row per masked position of each (sequence, view), the top {@code soft-labels.top-k} ids over
 * the vocabulary with their log-probabilities packed at {@code soft-labels.precision}, sorted by
 * shard, sequence id, view id and position within each file.
 *
 * <p>The views are those of text ingest ({@code text.views} masked views per train sequence, drawn
 * from {@code text.mask-seed}), so {@code soft-labels.views}, {@code crop-min-scale}, {@code flip}
 * and {@code seed} (the image views) do not apply here; only train sequences are labelled (the
 * student learns from them; evaluation scores test sequences against their true tokens).
 *
 * <p>After writing each table it reads it back: rows = masked positions of the train views, and no
 * (sequence, view, position) twice, or the stage fails. Throughput and bytes per row go to the
 * manifest.
 */
public final class TextSoftLabelStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(TextSoftLabelStage.class);
  private static final String TRAIN = "train";

  @Override
  public StageName name() {
    return StageName.SOFT_LABELS;
  }

  @Override
  public List<String> configSections() {
    return List.of("soft-labels");
  }

  @Override
  public void validate(StageContext context) {
    // A listed name that is not a teacher fails here.
    SoftLabelStage.checkTeachers(context.config()).forEach(context.config()::teacher);
  }

  /** Train views with their masked-position count: what the stage labels and what it checks. */
  private record TrainViews(long sequences, long views, long positions) {}

  @Override
  public StageOutcome run(StageContext context) throws IOException {
    SparkSession spark = context.spark();
    RunConfig config = context.config();
    SoftLabelSettings settings = config.softLabels();
    FileSystem fs = context.layout().fs();
    int vocabulary = TextIngestTables.vocabulary(context.layout()).size();
    int length = config.text().sequenceLength();
    // A view with no masked position (e.g. every token [UNK]) has nothing to label.
    Dataset<Row> train =
        TextIngestTables.sequences(spark, context.layout())
            .filter(col(SequenceTable.SPLIT).equalTo(TRAIN))
            .filter(size(col(SequenceTable.MASK_POSITIONS)).gt(0))
            .select(MlmSequences.columns());
    TrainViews views = trainViews(train);
    if (views.views() == 0) {
      throw new IllegalStateException(
          "ingest/sequences has no train view with a masked position; re-run ingest or check dataset.text");
    }
    int topK = settings.topK() == 0 ? vocabulary : settings.topK();
    int failPartition = SoftLabelStage.failPartition(spark);

    Map<String, Long> rowCounts = new TreeMap<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    rowCounts.put("sequences.train", views.sequences());
    rowCounts.put("views.train", views.views());
    metrics.put("schema.soft_labels", TextSoftLabelTable.VERSION);
    for (String name : SoftLabelStage.teachers(config)) {
      context.describe("teacher " + name);
      Path teacherDir = TrainTeachersStage.teacherDir(context, config.teacher(name));
      ModelInfo teacher = ModelInfo.read(fs, teacherDir);
      checkFits(teacher, teacherDir, vocabulary, length);
      String path = SoftLabelStore.path(context.layout(), StageName.SOFT_LABELS, name);
      LOG.info(
          "[soft-labels] {}: {} train sequences, {} views, {} rows expected",
          name, views.sequences(), views.views(), views.positions());
      // Sorted input, and rows emitted in input order, give sorted output without sorting it.
      Dataset<Row> rows =
          train
              .sortWithinPartitions(SequenceTable.SHARD, SequenceTable.SEQUENCE_ID, SequenceTable.VIEW_ID)
              .mapPartitions(
                  new TextSoftLabelPartition(
                      teacherDir.toString(), teacher, topK, settings.precision(), settings.batchSize(),
                      failPartition),
                  Encoders.row(TextSoftLabelTable.SCHEMA));
      WrittenLabels written =
          WrittenLabels.write(
              rows, path, settings.rowGroupBytes(), fs, col(TextSoftLabelTable.SEQUENCE_ID),
              col(TextSoftLabelTable.VIEW_ID), col(TextSoftLabelTable.POSITION));
      long count = written.rows();
      long distinct = written.distinctKeys();
      if (count != views.positions() || distinct != count) {
        throw new IllegalStateException(
            String.format(
                "soft labels of teacher '%s' at %s have %d rows (%d distinct sequence/view/position"
                    + " triples), expected %d, the masked positions of the train views: rows were lost"
                    + " or written twice", name, path, count, distinct, views.positions()));
      }
      double seconds = written.seconds();
      long bytes = written.bytes();
      rowCounts.put("rows." + name, count);
      metrics.put("sequences_per_second." + name, views.sequences() / seconds);
      metrics.put("views_per_second." + name, views.views() / seconds);
      metrics.put("rows_per_second." + name, count / seconds);
      metrics.put("bytes_per_row." + name, (double) bytes / count);
      metrics.put("seconds." + name, seconds);
      LOG.info(
          "[soft-labels] {}: {} rows in {}s ({} sequences/s, {} rows/s), {} bytes per row",
          name, count, String.format("%.1f", seconds), String.format("%.0f", views.sequences() / seconds),
          String.format("%.0f", count / seconds), String.format("%.1f", (double) bytes / count));
    }
    return new StageOutcome(rowCounts, metrics, List.of());
  }

  /** Distinct sequences, views and masked positions, in one Spark aggregate. */
  private static TrainViews trainViews(Dataset<Row> train) {
    Row row =
        train
            .agg(
                countDistinct(col(SequenceTable.SEQUENCE_ID)),
                count(lit(1)),
                sum(size(col(SequenceTable.MASK_POSITIONS))))
            .first();
    return new TrainViews(row.getLong(0), row.getLong(1), row.isNullAt(2) ? 0 : row.getLong(2));
  }

  /** A teacher of another vocabulary or sequence length would label the wrong tokens: refused first. */
  private static void checkFits(ModelInfo teacher, Path teacherDir, int vocabulary, int length) {
    if (teacher.classes() != vocabulary || teacher.inputHeight() != length) {
      throw new ConfigError(
          "teacher '" + teacher.name() + "' (" + new Path(teacherDir, ModelInfo.FILE) + ") has a vocabulary of "
              + teacher.classes() + " tokens and sequences of " + teacher.inputHeight() + " ids; ingest"
              + " made " + vocabulary + " tokens and text.sequence-length is " + length
              + ": re-run train-teachers");
    }
  }
}
