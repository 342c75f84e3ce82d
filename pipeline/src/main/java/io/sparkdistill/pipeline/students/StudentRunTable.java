package io.sparkdistill.pipeline.students;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of {@code train-students/runs/}: one row per trained student, that is per (variant,
 * budget, seed).
 */
public final class StudentRunTable {
  public static final int VERSION = 1;
  public static final String TABLE = "runs";

  public static final String RUN_ID = "run_id";
  public static final String VARIANT = "variant";
  public static final String POLICY = "policy";
  public static final String TEACHERS = "teachers";
  public static final String BUDGET_FRACTION = "budget_fraction";
  public static final String SEED = "seed";
  public static final String TOTAL_STEPS = "total_steps";
  public static final String STOP_STEP = "stop_step";
  public static final String BATCH_SIZE = "batch_size";
  public static final String SAMPLES = "samples";
  public static final String WALL_SECONDS = "wall_seconds";
  public static final String FINAL_ACCURACY = "final_accuracy";
  public static final String MODEL_DIR = "model_dir";

  /**
   * {@code run_id}: {@code <variant>.b<budget>.s<seed>}; {@code policy}: none, single, mean,
   * random or online; {@code teachers}: the teachers whose outputs it learned from ({@code
   * ensemble} for the mean policy on the image path; on the text path, which has no ensemble
   * table, the teachers it averaged); {@code stop_step}: first step on the plain loss
   * ({@code total_steps} when it distils throughout, 0 for the baseline); {@code samples}: train
   * views consumed (images, or masked sequences on the text path); {@code wall_seconds}:
   * training time without evaluations; {@code final_accuracy}: test top-1 after the last step, as
   * the training loop measured it (on the text path the held-out masked-token accuracy, view 0 of
   * the test sequences); {@code model_dir}: the student's folder ({@code model.json} and
   * {@code model/}), relative to {@code train-students/}.
   */
  public static final StructType SCHEMA =
      new StructType()
          .add(RUN_ID, DataTypes.StringType, false)
          .add(VARIANT, DataTypes.StringType, false)
          .add(POLICY, DataTypes.StringType, false)
          .add(TEACHERS, DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add(BUDGET_FRACTION, DataTypes.DoubleType, false)
          .add(SEED, DataTypes.LongType, false)
          .add(TOTAL_STEPS, DataTypes.IntegerType, false)
          .add(STOP_STEP, DataTypes.IntegerType, false)
          .add(BATCH_SIZE, DataTypes.IntegerType, false)
          .add(SAMPLES, DataTypes.LongType, false)
          .add(WALL_SECONDS, DataTypes.DoubleType, false)
          .add(FINAL_ACCURACY, DataTypes.DoubleType, false)
          .add(MODEL_DIR, DataTypes.StringType, false);

  private StudentRunTable() {}
}
