package io.sparkdistill.pipeline.softlabels;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of the soft-label tables: {@code soft-labels/teacher=<name>/} (one per teacher) and
 * {@code ensemble/} (the merged teachers, same shape). One row per (example, view).
 *
 * <p>Documented for readers outside Spark in {@code docs/TABLES.md}.
 */
public final class SoftLabelTable {
  /**
   * Version 2: {@code topk_logits} is an {@code array<float>} (version 1: a binary of packed
   * little-endian halves or singles).
   */
  public static final int VERSION = 2;

  public static final String TEACHER = "teacher";
  public static final String EXAMPLE_ID = "example_id";
  public static final String SPLIT = "split";
  public static final String SHARD = "shard";
  public static final String VIEW_ID = "view_id";
  public static final String CROP_TOP = "crop_top";
  public static final String CROP_LEFT = "crop_left";
  public static final String CROP_HEIGHT = "crop_height";
  public static final String CROP_WIDTH = "crop_width";
  public static final String FLIP = "flip";
  public static final String TOPK_IDS = "topk_ids";
  public static final String TOPK_LOGITS = "topk_logits";
  public static final String LOGIT_BITS = "logit_bits";
  public static final String LOG_SUM_EXP = "log_sum_exp";
  public static final String TEACHER_TOP1 = "teacher_top1";

  /** Column order as written (the teacher column is the partition folder on disk). */
  public static final StructType SCHEMA =
      new StructType()
          .add(TEACHER, DataTypes.StringType, false)
          .add(EXAMPLE_ID, DataTypes.StringType, false)
          .add(SPLIT, DataTypes.StringType, false)
          .add(SHARD, DataTypes.IntegerType, false)
          .add(VIEW_ID, DataTypes.IntegerType, false)
          .add(CROP_TOP, DataTypes.IntegerType, false)
          .add(CROP_LEFT, DataTypes.IntegerType, false)
          .add(CROP_HEIGHT, DataTypes.IntegerType, false)
          .add(CROP_WIDTH, DataTypes.IntegerType, false)
          .add(FLIP, DataTypes.BooleanType, false)
          .add(TOPK_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
          .add(TOPK_LOGITS, DataTypes.createArrayType(DataTypes.FloatType, false), false)
          .add(LOGIT_BITS, DataTypes.IntegerType, false)
          .add(LOG_SUM_EXP, DataTypes.FloatType, false)
          .add(TEACHER_TOP1, DataTypes.IntegerType, false);

  private SoftLabelTable() {}

  /**
   * The {@code topk_logits} of a row: a {@code float[]} as built before writing, or the list a
   * Spark read returns.
   */
  public static float[] logits(Row row, int field) {
    Object value = row.get(field);
    if (value instanceof float[] array) {
      return array;
    }
    List<Float> list = row.getList(field);
    float[] logits = new float[list.size()];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = list.get(i);
    }
    return logits;
  }
}
