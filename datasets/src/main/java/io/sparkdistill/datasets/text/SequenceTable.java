package io.sparkdistill.datasets.text;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of the masked-language-model input table: one row per (sequence, view), what both the
 * teacher (soft labels at {@code mask_positions}) and the student read, so they see the same input.
 *
 * <p>{@code input_ids} holds the masked sequence ({@code length} ids); {@code mask_positions} the
 * chosen positions, ascending; {@code mask_labels} the original id at each of them. The unmasked
 * sequence is {@code input_ids} with {@code mask_labels} put back. Views are {@link Masking}
 * draws: view {@code v} of a sequence is the same on every run with the same seed.
 */
public final class SequenceTable {
  /** Bumped whenever a column is added, removed or changes meaning. */
  public static final int VERSION = 1;

  public static final String SEQUENCE_ID = PackedTable.SEQUENCE_ID;
  public static final String SPLIT = PackedTable.SPLIT;
  public static final String SHARD = PackedTable.SHARD;
  public static final String VIEW_ID = "view_id";
  public static final String INPUT_IDS = PackedTable.INPUT_IDS;
  public static final String MASK_POSITIONS = "mask_positions";
  public static final String MASK_LABELS = "mask_labels";

  public static final StructType SCHEMA =
      new StructType()
          .add(SEQUENCE_ID, DataTypes.StringType, false)
          .add(SPLIT, DataTypes.StringType, false)
          .add(SHARD, DataTypes.IntegerType, false)
          .add(VIEW_ID, DataTypes.IntegerType, false)
          .add(INPUT_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
          .add(MASK_POSITIONS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
          .add(MASK_LABELS, DataTypes.createArrayType(DataTypes.IntegerType, false), false);

  private SequenceTable() {}

  /**
   * An {@code array<int>} column of a row, such as {@code input_ids}: Spark hands a {@code
   * mapPartitions} an {@code int[]}, a collected row a list.
   *
   * @param row the row
   * @param field the column's index in the row
   * @return the ids, the row's own array when it holds one
   */
  public static int[] ints(Row row, int field) {
    Object value = row.get(field);
    if (value instanceof int[] array) {
      return array;
    }
    List<Integer> list = row.getList(field);
    int[] ids = new int[list.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = list.get(i);
    }
    return ids;
  }
}
