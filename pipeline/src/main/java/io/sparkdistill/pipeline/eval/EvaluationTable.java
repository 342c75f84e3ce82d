package io.sparkdistill.pipeline.eval;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schemas of the evaluate stage's tables: {@code evaluate/models/} (one row per evaluated model)
 * and {@code evaluate/predictions/} (one row per model and test example).
 */
public final class EvaluationTable {
  public static final int VERSION = 1;
  public static final String MODELS = "models";
  public static final String PREDICTIONS = "predictions";

  public static final String MODEL = "model";
  public static final String KIND = "kind";
  public static final String VARIANT = "variant";
  public static final String BUDGET_FRACTION = "budget_fraction";
  public static final String SEED = "seed";
  public static final String EXAMPLES = "examples";
  public static final String TOP1 = "top1";
  public static final String TOP5 = "top5";
  public static final String ECE = "ece";
  public static final String PER_CLASS_ACCURACY = "per_class_accuracy";
  public static final String CONFUSION = "confusion";

  public static final String KIND_TEACHER = io.sparkdistill.pipeline.task.EvaluatedModel.TEACHER;
  public static final String KIND_STUDENT = io.sparkdistill.pipeline.task.EvaluatedModel.STUDENT;

  /**
   * The columns that name a model in every task's models table: {@code model} (teacher name or
   * student run id), {@code kind}, and {@code variant}, {@code budget_fraction}, {@code seed} (null
   * for teachers).
   */
  public static final StructType MODEL_COLUMNS =
      new StructType()
          .add(MODEL, DataTypes.StringType, false)
          .add(KIND, DataTypes.StringType, false)
          .add(VARIANT, DataTypes.StringType, true)
          .add(BUDGET_FRACTION, DataTypes.DoubleType, true)
          .add(SEED, DataTypes.LongType, true);

  /**
   * {@code model}: teacher name or student run id; {@code kind}: teacher or student; {@code
   * variant}, {@code budget_fraction}, {@code seed}: null for teachers; {@code top5}: null with 5
   * classes or fewer; {@code ece}: expected calibration error over 15 equal-width confidence bins;
   * {@code per_class_accuracy}: recall of each class, in label order, null for a class with no
   * test example; {@code confusion}: row = true label, column = predicted label, counts, every
   * class 0..classes-1 in both.
   */
  public static final StructType MODELS_SCHEMA =
      MODEL_COLUMNS
          .add(EXAMPLES, DataTypes.LongType, false)
          .add(TOP1, DataTypes.DoubleType, false)
          .add(TOP5, DataTypes.DoubleType, true)
          .add(ECE, DataTypes.DoubleType, false)
          .add(PER_CLASS_ACCURACY, DataTypes.createArrayType(DataTypes.DoubleType, true), false)
          .add(CONFUSION,
              DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.LongType, false), false), false);

  public static final String EXAMPLE_ID = "example_id";
  public static final String LABEL = "label";
  public static final String PREDICTION = "prediction";
  public static final String CONFIDENCE = "confidence";
  public static final String TOP5_CORRECT = "top5_correct";

  /** {@code confidence}: the softmax probability of the predicted class. */
  public static final StructType PREDICTIONS_SCHEMA =
      new StructType()
          .add(MODEL, DataTypes.StringType, false)
          .add(EXAMPLE_ID, DataTypes.StringType, false)
          .add(LABEL, DataTypes.IntegerType, false)
          .add(PREDICTION, DataTypes.IntegerType, false)
          .add(CONFIDENCE, DataTypes.DoubleType, false)
          .add(TOP5_CORRECT, DataTypes.BooleanType, false);

  private EvaluationTable() {}
}
