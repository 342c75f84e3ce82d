package io.sparkdistill.datasets.examples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One pass, two tables: sources produce rows of a tagged union ({@link #OK} rows carry an example,
 * the others a rejection), cache them once and project both tables from the cache, so that every
 * input is read and decoded once.
 *
 * <p>Every column is non-null (an unused one holds an empty value), so the two projections have
 * exactly the nullability of {@link ExampleTable#SCHEMA} and {@link RejectedTable#SCHEMA}.
 */
public final class TaggedRows {
  public static final String OK = "ok";

  /** {@code ok}, the example columns, then reason and detail, in row order. */
  public static final StructType SCHEMA =
      new StructType()
          .add(OK, DataTypes.BooleanType, false)
          .add(ExampleTable.EXAMPLE_ID, DataTypes.StringType, false)
          .add(ExampleTable.SPLIT, DataTypes.StringType, false)
          .add(ExampleTable.SHARD, DataTypes.IntegerType, false)
          .add(ExampleTable.LABEL, DataTypes.IntegerType, false)
          .add(ExampleTable.LABEL_NAME, DataTypes.StringType, false)
          .add(ExampleTable.HEIGHT, DataTypes.IntegerType, false)
          .add(ExampleTable.WIDTH, DataTypes.IntegerType, false)
          .add(ExampleTable.CHANNELS, DataTypes.IntegerType, false)
          .add(ExampleTable.PIXELS, DataTypes.BinaryType, false)
          .add(ExampleTable.SOURCE, DataTypes.StringType, false)
          .add(RejectedTable.REASON, DataTypes.StringType, false)
          .add(RejectedTable.DETAIL, DataTypes.StringType, false);

  private static final byte[] NO_PIXELS = new byte[0];

  private TaggedRows() {}

  /** A usable example. */
  public static Row example(
      String id,
      String split,
      int shard,
      int label,
      String labelName,
      int height,
      int width,
      int channels,
      byte[] pixels,
      String source) {
    return RowFactory.create(
        true, id, split, shard, label, labelName, height, width, channels, pixels, source, "", "");
  }

  /** A rejected input with its reason code and explanation. */
  public static Row rejected(
      String id, String split, int shard, String labelName, String source, String reason, String detail) {
    return RowFactory.create(
        false, id, split, shard, -1, labelName, 0, 0, 0, NO_PIXELS, source, reason, detail);
  }

  /** The {@link ExampleTable} projection of tagged rows. */
  public static Dataset<Row> examples(Dataset<Row> tagged) {
    return tagged.filter(col(OK)).select(columns(ExampleTable.SCHEMA));
  }

  /** The {@link RejectedTable} projection of tagged rows. */
  public static Dataset<Row> rejected(Dataset<Row> tagged) {
    return tagged.filter(not(col(OK))).select(columns(RejectedTable.SCHEMA));
  }

  private static Column[] columns(StructType schema) {
    return Arrays.stream(schema.fieldNames()).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
  }
}
