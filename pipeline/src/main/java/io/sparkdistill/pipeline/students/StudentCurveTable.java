package io.sparkdistill.pipeline.students;

import io.sparkdistill.pipeline.teachers.TrainingCurveTable;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of {@code train-students/steps/}: one row per training step of every student run, the
 * run's key columns ({@link StudentRunTable}) followed by the columns of a training curve
 * ({@link TrainingCurveTable}: step, samples seen, wall seconds, learning rate, loss and its parts,
 * test accuracy and, on the text path, perplexity at evaluation steps).
 *
 * <p>Version 2 added {@code test_perplexity} (version 2 of {@link TrainingCurveTable}).
 */
public final class StudentCurveTable {
  public static final int VERSION = 2;
  public static final String TABLE = "steps";

  public static final StructType SCHEMA = schema();

  private StudentCurveTable() {}

  private static StructType schema() {
    StructType schema =
        new StructType()
            .add(StudentRunTable.SCHEMA.apply(StudentRunTable.RUN_ID))
            .add(StudentRunTable.SCHEMA.apply(StudentRunTable.VARIANT))
            .add(StudentRunTable.SCHEMA.apply(StudentRunTable.BUDGET_FRACTION))
            .add(StudentRunTable.SCHEMA.apply(StudentRunTable.SEED));
    for (StructField field : TrainingCurveTable.SCHEMA.fields()) {
      schema = schema.add(field);
    }
    return schema;
  }
}
