package io.sparkdistill.pipeline.eval;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schemas of the text path's evaluate tables: {@code evaluate/text-models/} (one row per evaluated
 * masked-language model) and {@code evaluate/text-predictions/} (one row per model and masked
 * position of the test sequences). Columns shared with {@link EvaluationTable} have its names and
 * meanings, so {@link Calibration} reads the predictions as it reads the image path's.
 */
public final class TextEvaluationTable {
  /** Version of both schemas. */
  public static final int VERSION = 1;
  public static final String MODELS = "text-models";
  public static final String PREDICTIONS = "text-predictions";

  public static final String MODEL = EvaluationTable.MODEL;
  public static final String KIND = EvaluationTable.KIND;
  public static final String VARIANT = EvaluationTable.VARIANT;
  public static final String BUDGET_FRACTION = EvaluationTable.BUDGET_FRACTION;
  public static final String SEED = EvaluationTable.SEED;
  public static final String POSITIONS = "positions";
  public static final String TOP1 = EvaluationTable.TOP1;
  public static final String TOP5 = EvaluationTable.TOP5;
  public static final String PERPLEXITY = "perplexity";
  public static final String ECE = EvaluationTable.ECE;

  /**
   * {@code model}: teacher name or student run id; {@code kind}: teacher or student; {@code
   * variant}, {@code budget_fraction}, {@code seed}: null for teachers; {@code positions}: masked
   * positions scored (those of view 0 of every test sequence); {@code top1}: masked-token
   * accuracy (the arg-max token is the original one); {@code top5}: the original token among the
   * 5 most probable; {@code perplexity}: {@code exp} of the mean negative log-likelihood of the
   * original tokens; {@code ece}: expected calibration error of the arg-max token's probability
   * over {@value Calibration#BINS} equal-width confidence bins.
   */
  public static final StructType MODELS_SCHEMA =
      EvaluationTable.MODEL_COLUMNS
          .add(POSITIONS, DataTypes.LongType, false)
          .add(TOP1, DataTypes.DoubleType, false)
          .add(TOP5, DataTypes.DoubleType, false)
          .add(PERPLEXITY, DataTypes.DoubleType, false)
          .add(ECE, DataTypes.DoubleType, false);

  public static final String SEQUENCE_ID = "sequence_id";
  public static final String VIEW_ID = "view_id";
  public static final String POSITION = "position";
  public static final String LABEL = EvaluationTable.LABEL;
  public static final String PREDICTION = EvaluationTable.PREDICTION;
  public static final String CONFIDENCE = EvaluationTable.CONFIDENCE;
  public static final String TOP5_CORRECT = EvaluationTable.TOP5_CORRECT;
  public static final String NLL = "nll";

  /**
   * {@code position}: index of the masked token in the sequence; {@code label}: the original
   * token id; {@code prediction}: the most probable token id; {@code confidence}: its probability;
   * {@code nll}: {@code -ln p(label)}.
   */
  public static final StructType PREDICTIONS_SCHEMA =
      new StructType()
          .add(MODEL, DataTypes.StringType, false)
          .add(SEQUENCE_ID, DataTypes.StringType, false)
          .add(VIEW_ID, DataTypes.IntegerType, false)
          .add(POSITION, DataTypes.IntegerType, false)
          .add(LABEL, DataTypes.IntegerType, false)
          .add(PREDICTION, DataTypes.IntegerType, false)
          .add(CONFIDENCE, DataTypes.DoubleType, false)
          .add(TOP5_CORRECT, DataTypes.BooleanType, false)
          .add(NLL, DataTypes.DoubleType, false);

  private TextEvaluationTable() {}
}
