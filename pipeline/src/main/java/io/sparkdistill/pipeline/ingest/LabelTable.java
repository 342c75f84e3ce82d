package io.sparkdistill.pipeline.ingest;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Schema of the {@code labels} table written beside the examples: label index to class name. */
public final class LabelTable {
  public static final int VERSION = 1;
  public static final String LABEL = "label";
  public static final String LABEL_NAME = "label_name";

  public static final StructType SCHEMA =
      new StructType()
          .add(LABEL, DataTypes.IntegerType, false)
          .add(LABEL_NAME, DataTypes.StringType, false);

  private LabelTable() {}

  /** One row per class, in index order. */
  public static List<Row> rows(List<String> classNames) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < classNames.size(); i++) {
      rows.add(RowFactory.create(i, classNames.get(i)));
    }
    return rows;
  }
}
