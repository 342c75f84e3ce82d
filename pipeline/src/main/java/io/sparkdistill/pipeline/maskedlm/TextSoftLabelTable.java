package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.models.MlmBlock;
import ai.djl.Model;
import io.sparkdistill.datasets.text.SequenceTable;
import io.sparkdistill.pipeline.config.LogitPrecision;
import io.sparkdistill.pipeline.softlabels.SoftLabelTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of the text soft-label tables: one row per masked position of a (sequence, view), with the
 * soft-label columns of {@link SoftLabelTable} (the same field definitions, taken from its schema)
 * in place of the image crop columns.
 *
 * <p>Columns: {@code teacher, sequence_id, split, shard, view_id, position, topk_ids,
 * topk_logits, logit_bits, log_sum_exp, teacher_top1}. {@code topk_logits} is an {@code
 * array<float>} rounded with {@link LogitPrecision#ofBits(int) LogitPrecision.ofBits(logit_bits)};
 * the MLM head ends in a
 * log-softmax, so the logits are log-probabilities and {@code log_sum_exp} is about 0.
 */
public final class TextSoftLabelTable {
  /** Version of this schema; 2: {@code topk_logits} is an {@code array<float>} (1: packed binary). */
  public static final int VERSION = 2;

  public static final String TEACHER = SoftLabelTable.TEACHER;
  public static final String SEQUENCE_ID = "sequence_id";
  public static final String SPLIT = SoftLabelTable.SPLIT;
  public static final String SHARD = SoftLabelTable.SHARD;
  public static final String VIEW_ID = SoftLabelTable.VIEW_ID;
  public static final String POSITION = "position";
  public static final String TOPK_IDS = SoftLabelTable.TOPK_IDS;
  public static final String TOPK_LOGITS = SoftLabelTable.TOPK_LOGITS;
  public static final String LOGIT_BITS = SoftLabelTable.LOGIT_BITS;
  public static final String LOG_SUM_EXP = SoftLabelTable.LOG_SUM_EXP;
  public static final String TEACHER_TOP1 = SoftLabelTable.TEACHER_TOP1;

  /** Column order as written. */
  public static final StructType SCHEMA =
      new StructType(
          new StructField[] {
            shared(TEACHER),
            DataTypes.createStructField(SEQUENCE_ID, DataTypes.StringType, false),
            shared(SPLIT),
            shared(SHARD),
            shared(VIEW_ID),
            DataTypes.createStructField(POSITION, DataTypes.IntegerType, false),
            shared(TOPK_IDS),
            shared(TOPK_LOGITS),
            shared(LOGIT_BITS),
            shared(LOG_SUM_EXP),
            shared(TEACHER_TOP1)
          });

  private TextSoftLabelTable() {}

  /**
   * Identifies one sequence of an {@link MlmData}: the (sequence, view) its masking came from.
   *
   * @param sequenceId the packed sequence's id
   * @param split train, validation or test
   * @param shard the input shard
   * @param viewId the masking view
   */
  public record SequenceKey(String sequenceId, String split, int shard, int viewId) {
    /** Checks the id and split are set. */
    public SequenceKey {
      if (sequenceId == null || split == null) {
        throw new IllegalArgumentException("sequenceId and split must be set");
      }
    }
  }

  /**
   * Runs {@code teacher} over {@code data} ({@link MlmSoftLabels#compute}) and turns its soft
   * labels into rows.
   *
   * @param teacherName the teacher column
   * @param teacher a model holding an initialised {@link MlmBlock}
   * @param data the masked sequences
   * @param keys one per sequence of {@code data}, in order
   * @param k ids to keep per position
   * @param precision what the logits are rounded to
   * @param batchSize sequences per forward pass
   * @return one row per masked position per (sequence, view), in {@link #SCHEMA}
   */
  public static List<Row> compute(
      String teacherName,
      Model teacher,
      MlmData data,
      List<SequenceKey> keys,
      int k,
      LogitPrecision precision,
      int batchSize) {
    if (keys.size() != data.size()) {
      throw new IllegalArgumentException(
          keys.size() + " sequence keys for " + data.size() + " sequences");
    }
    return rows(teacherName, keys, MlmSoftLabels.compute(teacher, data, k, precision, batchSize));
  }

  /**
   * Rows of {@link #SCHEMA} from {@link MlmSoftLabels#compute} output.
   *
   * @param teacherName the teacher column
   * @param keys the sequences' keys, indexed by {@link MaskedSoftLabel#sequence()}
   * @param labels the soft labels
   * @return one row per label, in order
   */
  public static List<Row> rows(
      String teacherName, List<SequenceKey> keys, List<MaskedSoftLabel> labels) {
    if (teacherName == null || teacherName.isEmpty()) {
      throw new IllegalArgumentException("teacher name must be set");
    }
    List<Row> rows = new ArrayList<>(labels.size());
    for (MaskedSoftLabel label : labels) {
      if (label.sequence() < 0 || label.sequence() >= keys.size()) {
        throw new IllegalArgumentException(
            "soft label of sequence " + label.sequence() + " but " + keys.size() + " keys");
      }
      SequenceKey key = keys.get(label.sequence());
      rows.add(
          RowFactory.create(
              teacherName,
              key.sequenceId(),
              key.split(),
              key.shard(),
              key.viewId(),
              label.position(),
              label.topkIds().clone(),
              label.topkLogits().clone(),
              label.logitBits(),
              label.logSumExp(),
              label.teacherTop1()));
    }
    return rows;
  }

  /**
   * Reads a row of {@link #SCHEMA} back (the sequence index is 0: the row names its sequence by
   * id). Columns are read by their position in {@link #SCHEMA}.
   *
   * @param row a row with the columns of this schema in order, from {@link #rows} or a Spark table
   * @return the soft label
   */
  public static MaskedSoftLabel label(Row row) {
    return new MaskedSoftLabel(
        0,
        row.getInt(SCHEMA.fieldIndex(POSITION)),
        // The label owns its ids, as the rows of rows() own theirs.
        SequenceTable.ints(row, SCHEMA.fieldIndex(TOPK_IDS)).clone(),
        SoftLabelTable.logits(row, SCHEMA.fieldIndex(TOPK_LOGITS)).clone(),
        row.getInt(SCHEMA.fieldIndex(LOGIT_BITS)),
        row.getFloat(SCHEMA.fieldIndex(LOG_SUM_EXP)),
        row.getInt(SCHEMA.fieldIndex(TEACHER_TOP1)));
  }

  private static StructField shared(String name) {
    return SoftLabelTable.SCHEMA.apply(name);
  }
}
