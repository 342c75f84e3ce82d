package io.sparkdistill.datasets.examples;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of the {@code rejected} table: one row per input that could not become an example.
 *
 * <p>{@code source} names the file (and, for container formats such as IDX, the record inside
 * it); {@code reason} is a short machine-groupable code, {@code detail} the human explanation.
 */
public final class RejectedTable {
  public static final int VERSION = 1;

  public static final String SPLIT = "split";
  public static final String SOURCE = "source";
  public static final String REASON = "reason";
  public static final String DETAIL = "detail";

  public static final StructType SCHEMA =
      new StructType()
          .add(SPLIT, DataTypes.StringType, false)
          .add(SOURCE, DataTypes.StringType, false)
          .add(REASON, DataTypes.StringType, false)
          .add(DETAIL, DataTypes.StringType, false);

  /** Builds a row in {@link #SCHEMA} order. */
  public static Row row(String split, String source, RejectReason reason, String detail) {
    return RowFactory.create(split, source, reason.code(), detail);
  }

  private RejectedTable() {}
}
