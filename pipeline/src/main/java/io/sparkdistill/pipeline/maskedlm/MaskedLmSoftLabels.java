package io.sparkdistill.pipeline.maskedlm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import io.sparkdistill.datasets.text.SequenceTable;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.SoftLabelSettings;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.task.SoftLabelJob;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A masked-language-model teacher over every masked view of the train sequences: one {@link
 * TextSoftLabelTable} row per masked position of each (sequence, view), the top {@code
 * soft-labels.top-k} ids over the vocabulary with their log-probabilities packed at {@code
 * soft-labels.precision}, sorted by shard, sequence id, view id and position within each file.
 *
 * <p>The views are those of ingest ({@code text.views} masked views per train sequence, drawn from
 * {@code text.mask-seed}), so {@code soft-labels.views}, {@code crop-min-scale}, {@code flip} and
 * {@code seed} (the image views) do not apply here; only train sequences are labelled (the student
 * learns from them; evaluation scores test sequences against their true tokens).
 */
final class MaskedLmSoftLabels implements SoftLabelJob {
  private static final String TRAIN = "train";

  private final SoftLabelSettings settings;
  private final Dataset<Row> train;
  private final int vocabulary;
  private final int length;
  private final long sequences;
  private final long views;
  private final long positions;

  MaskedLmSoftLabels(StageContext context) {
    this.settings = context.config().softLabels();
    this.vocabulary = CorpusTables.vocabulary(context.layout()).size();
    this.length = context.config().text().sequenceLength();
    // A view with no masked position (e.g. every token [UNK]) has nothing to label.
    this.train =
        CorpusTables.sequences(context.spark(), context.layout())
            .filter(col(SequenceTable.SPLIT).equalTo(TRAIN))
            .filter(size(col(SequenceTable.MASK_POSITIONS)).gt(0))
            .select(MlmSequences.columns());
    Row row =
        train
            .agg(
                countDistinct(col(SequenceTable.SEQUENCE_ID)),
                count(lit(1)),
                sum(size(col(SequenceTable.MASK_POSITIONS))))
            .first();
    this.sequences = row.getLong(0);
    this.views = row.getLong(1);
    this.positions = row.isNullAt(2) ? 0 : row.getLong(2);
    if (views == 0) {
      throw new IllegalStateException(
          "ingest/sequences has no train view with a masked position; re-run ingest or check dataset.text");
    }
  }

  @Override
  public Dataset<Row> input() {
    // Sorted input, and rows emitted in input order, give sorted output without sorting it.
    return train.sortWithinPartitions(SequenceTable.SHARD, SequenceTable.SEQUENCE_ID, SequenceTable.VIEW_ID);
  }

  @Override
  public long expectedRows() {
    return positions;
  }

  @Override
  public String expectedRowsName() {
    return "the masked positions of the train views";
  }

  @Override
  public Map<String, Long> units() {
    Map<String, Long> units = new LinkedHashMap<>();
    units.put("sequence", sequences);
    units.put("view", views);
    return units;
  }

  @Override
  public Map<String, Long> rowCounts() {
    return Map.of("sequences.train", sequences, "views.train", views);
  }

  @Override
  public Map<String, Object> schemaVersions() {
    return Map.of("schema.soft_labels", TextSoftLabelTable.VERSION);
  }

  /** A teacher of another vocabulary or sequence length would label the wrong tokens: refused first. */
  @Override
  public void checkFits(ModelInfo teacher, Path teacherDir) {
    String mismatch = teacher.tokenMismatch(vocabulary, length);
    if (mismatch != null) {
      throw new ConfigError(
          "teacher '" + teacher.name() + "' (" + new Path(teacherDir, ModelInfo.FILE) + ") " + mismatch
              + ": re-run train-teachers");
    }
  }


  @Override
  public MapPartitionsFunction<Row, Row> partition(String teacherDir, ModelInfo teacher, int failPartition) {
    int topK = settings.topK() == 0 ? vocabulary : settings.topK();
    return new MaskedPositionLabels(
        teacherDir, teacher, topK, settings.precision(), settings.batchSize(), failPartition);
  }

  @Override
  public StructType schema() {
    return TextSoftLabelTable.SCHEMA;
  }

  @Override
  public List<Column> keys() {
    return List.of(
        col(TextSoftLabelTable.SEQUENCE_ID), col(TextSoftLabelTable.VIEW_ID), col(TextSoftLabelTable.POSITION));
  }

  @Override
  public String keysName() {
    return "sequence/view/position triples";
  }
}
