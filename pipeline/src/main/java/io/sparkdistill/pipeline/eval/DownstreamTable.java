package io.sparkdistill.pipeline.eval;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of {@code evaluate/downstream/} (text path, when {@code downstream.format} is set): one
 * row per model fine-tuned on the downstream classification task, and one row for the same
 * fine-tuning of an untrained network (what pre-training adds is the difference).
 */
public final class DownstreamTable {
  public static final int VERSION = 1;
  public static final String TABLE = "downstream";

  public static final String MODEL = EvaluationTable.MODEL;
  public static final String KIND = EvaluationTable.KIND;
  public static final String TASK = "task";
  public static final String CLASSES = "classes";
  public static final String TRAIN_EXAMPLES = "train_examples";
  public static final String TEST_EXAMPLES = "test_examples";
  public static final String STEPS = "steps";
  public static final String TRAIN_SECONDS = "train_seconds";
  public static final String ACCURACY = "accuracy";

  /** The {@code kind} of the untrained reference row (its {@code model} is the student network's). */
  public static final String KIND_UNTRAINED = "untrained";

  /**
   * {@code model}: teacher name, student run id, or {@value #UNTRAINED_MODEL}; {@code kind}:
   * teacher, student or untrained; {@code task}: {@code downstream.task}; {@code accuracy}: on the
   * task's test split after fine-tuning; {@code train_seconds}: fine-tuning time.
   */
  public static final StructType SCHEMA =
      new StructType()
          .add(MODEL, DataTypes.StringType, false)
          .add(KIND, DataTypes.StringType, false)
          .add(TASK, DataTypes.StringType, false)
          .add(CLASSES, DataTypes.IntegerType, false)
          .add(TRAIN_EXAMPLES, DataTypes.LongType, false)
          .add(TEST_EXAMPLES, DataTypes.LongType, false)
          .add(STEPS, DataTypes.IntegerType, false)
          .add(TRAIN_SECONDS, DataTypes.DoubleType, false)
          .add(ACCURACY, DataTypes.DoubleType, false);

  /** The model name of the untrained reference row. */
  public static final String UNTRAINED_MODEL = "untrained-student";

  private DownstreamTable() {}
}
