package io.sparkdistill.pipeline.teachers;

import io.sparkdistill.pipeline.train.StepMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of a training curve ({@code metrics/}): one row per step. {@code test_accuracy} and
 * {@code test_perplexity} are null except at evaluation steps; {@code test_perplexity} is the
 * held-out perplexity of a masked-language model and always null for image classifiers.
 *
 * <p>Version 2 added {@code test_perplexity}.
 */
public final class TrainingCurveTable {
  public static final int VERSION = 2;

  public static final StructType SCHEMA =
      new StructType()
          .add("step", DataTypes.IntegerType, false)
          .add("samples_seen", DataTypes.LongType, false)
          .add("wall_seconds", DataTypes.DoubleType, false)
          .add("learning_rate", DataTypes.DoubleType, false)
          .add("loss", DataTypes.DoubleType, false)
          .add("losses", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), false)
          .add("test_accuracy", DataTypes.DoubleType, true)
          .add("test_perplexity", DataTypes.DoubleType, true);

  private TrainingCurveTable() {}

  /** One row per step, in step order. */
  public static List<Row> rows(List<StepMetrics> steps) {
    List<Row> rows = new ArrayList<>(steps.size());
    for (StepMetrics m : steps) {
      rows.add(
          RowFactory.create(
              m.step(),
              m.samplesSeen(),
              m.wallSeconds(),
              m.learningRate(),
              m.loss(),
              m.losses(),
              m.testAccuracy().isPresent() ? m.testAccuracy().getAsDouble() : null,
              m.testPerplexity().isPresent() ? m.testPerplexity().getAsDouble() : null));
    }
    return rows;
  }
}
