package io.sparkdistill.datasets.examples;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of the {@code examples} table, the one every image source writes.
 *
 * <p>Images are stored decoded and already resized: {@code pixels} holds {@code height * width *
 * channels} unsigned bytes in row-major HWC order. Training readers then replay crops and flips
 * without a JPEG decoder in the step, and the teacher and the student see the same bytes.
 */
public final class ExampleTable {
  /** Bumped whenever a column is added, removed or changes meaning. */
  public static final int VERSION = 1;

  public static final String EXAMPLE_ID = "example_id";
  public static final String SPLIT = "split";
  public static final String SHARD = "shard";
  public static final String LABEL = "label";
  public static final String LABEL_NAME = "label_name";
  public static final String HEIGHT = "height";
  public static final String WIDTH = "width";
  public static final String CHANNELS = "channels";
  public static final String PIXELS = "pixels";
  public static final String SOURCE = "source";

  /** Column order as written; {@code split} is also the partition column on disk. */
  public static final StructType SCHEMA =
      new StructType()
          .add(EXAMPLE_ID, DataTypes.StringType, false)
          .add(SPLIT, DataTypes.StringType, false)
          .add(SHARD, DataTypes.IntegerType, false)
          .add(LABEL, DataTypes.IntegerType, false)
          .add(LABEL_NAME, DataTypes.StringType, false)
          .add(HEIGHT, DataTypes.IntegerType, false)
          .add(WIDTH, DataTypes.IntegerType, false)
          .add(CHANNELS, DataTypes.IntegerType, false)
          .add(PIXELS, DataTypes.BinaryType, false)
          .add(SOURCE, DataTypes.StringType, false);

  private ExampleTable() {}
}
