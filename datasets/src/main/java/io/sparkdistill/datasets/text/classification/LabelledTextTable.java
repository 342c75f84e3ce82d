package io.sparkdistill.datasets.text.classification;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of a labelled text table, the one every {@link LabelledTextSource} produces: one row per
 * example of a classification task.
 *
 * <p>{@code example_id} is stable across re-reads: the file's path relative to the source root,
 * with {@code #<line>} for files holding many examples ({@code spam-1/00001.7848dd...json}, {@code
 * train.tsv#17}). {@code source} is the full path (with {@code #<line>} likewise), for people.
 * {@code text_b} is the second text of a sentence-pair task (MRPC, QNLI, RTE) and null otherwise.
 * {@code label} is the class index, {@code 0 .. classes-1}.
 */
public final class LabelledTextTable {
  /** Bumped whenever a column is added, removed or changes meaning. */
  public static final int VERSION = 1;

  public static final String EXAMPLE_ID = "example_id";
  public static final String SPLIT = "split";
  public static final String SOURCE = "source";
  public static final String TEXT = "text";
  public static final String TEXT_B = "text_b";
  public static final String LABEL = "label";

  /** Split names, as for every other table. */
  public static final String TRAIN = "train";

  public static final String TEST = "test";

  /** Column order as produced. */
  public static final StructType SCHEMA =
      new StructType()
          .add(EXAMPLE_ID, DataTypes.StringType, false)
          .add(SPLIT, DataTypes.StringType, false)
          .add(SOURCE, DataTypes.StringType, false)
          .add(TEXT, DataTypes.StringType, false)
          .add(TEXT_B, DataTypes.StringType, true)
          .add(LABEL, DataTypes.IntegerType, false);

  private LabelledTextTable() {}

  /**
   * Builds a row in {@link #SCHEMA} order, carrying the schema (so fields can be read by name, as
   * in collected rows); {@code textB} is null for single-text tasks.
   */
  public static Row row(
      String exampleId, String split, String source, String text, String textB, int label) {
    return new GenericRowWithSchema(
        new Object[] {exampleId, split, source, text, textB, label}, SCHEMA);
  }

  /**
   * The rows of one split in a fixed pseudo-random order (by a hash of the example id), at most
   * {@code max} of them: a deterministic sample that does not depend on how the rows are
   * partitioned, and that mixes the classes even when ids group them (SpamAssassin's ids start with
   * the spam or ham folder, so the first 2,000 by id would all be ham).
   *
   * @param examples rows in {@link #SCHEMA}
   * @param split {@link #TRAIN} or {@link #TEST}
   * @param max most rows to keep; 0 keeps all
   * @return the rows, lazily
   */
  public static Dataset<Row> sample(Dataset<Row> examples, String split, int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must be at least 0 (0 = all), got " + max);
    }
    Dataset<Row> ordered =
        examples
            .filter(col(SPLIT).equalTo(split))
            .orderBy(xxhash64(col(EXAMPLE_ID)), col(EXAMPLE_ID));
    return max == 0 ? ordered : ordered.limit(max);
  }
}
