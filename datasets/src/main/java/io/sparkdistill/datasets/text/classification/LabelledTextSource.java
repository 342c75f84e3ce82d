package io.sparkdistill.datasets.text.classification;

import org.apache.spark.sql.SparkSession;

/**
 * A labelled text corpus read into {@link LabelledTextTable} rows and rejected rows, like {@code
 * TextSource} for unlabelled corpora. Sources cache what they read, so the caller closes them after
 * using both tables.
 */
public interface LabelledTextSource extends AutoCloseable {
  /**
   * Reads the corpus once (into a cache), counts the inputs and checks that inputs = examples +
   * rejected for every split; the returned DataFrames are projections of that cache.
   *
   * @throws io.sparkdistill.datasets.DatasetException when the corpus is missing or not in its
   *     format as a whole (a missing file, a header without a configured column)
   */
  LabelledTextSourceResult read(SparkSession spark);

  /** Releases what {@link #read} cached; safe to call more than once. */
  @Override
  void close();
}
