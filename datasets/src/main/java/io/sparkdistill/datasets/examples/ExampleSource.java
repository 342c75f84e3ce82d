package io.sparkdistill.datasets.examples;

import org.apache.spark.sql.SparkSession;

/**
 * A raw dataset layout read into examples and rejected rows. Sources cache what they decode, so
 * the caller closes them after writing both tables.
 */
public interface ExampleSource extends AutoCloseable {
  /** Lists and reads the dataset; the returned DataFrames are lazy. */
  SourceResult read(SparkSession spark);

  /** Releases what {@link #read} cached; safe to call more than once. */
  @Override
  void close();
}
