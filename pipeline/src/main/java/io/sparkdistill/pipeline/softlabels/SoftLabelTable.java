package io.sparkdistill.pipeline.softlabels;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of the soft-label tables: {@code soft-labels/teacher=<name>/} (one per teacher) and
 * {@code ensemble/} (the merged teachers, same shape). One row per (example, view).
 *
 * <p>Documented for readers outside Spark in {@code docs/TABLES.md}.
 */
public final class SoftLabelTable {
  public static final int VERSION = 1;

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
          .add(TOPK_LOGITS, DataTypes.BinaryType, false)
          .add(LOGIT_BITS, DataTypes.IntegerType, false)
          .add(LOG_SUM_EXP, DataTypes.FloatType, false)
          .add(TEACHER_TOP1, DataTypes.IntegerType, false);

  private SoftLabelTable() {}
}
