package io.sparkdistill.datasets.text.classification;

import io.sparkdistill.datasets.text.TextSourceResult;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a labelled text source produces: examples and rejected rows (lazy DataFrames over the
 * source's cache), the number of inputs of each split, and warnings worth a line in a manifest.
 * Invariant, checked by the source before it returns: for every split, inputs = examples +
 * rejected.
 *
 * @param examples rows in {@link LabelledTextTable#SCHEMA}
 * @param rejected rows in {@code RejectedTable.SCHEMA}
 * @param inputsBySplit inputs per split; {@code train} and {@code test} are always present
 * @param warnings things that are not rows but that a person should know (an empty split)
 */
public record LabelledTextSourceResult(
    Dataset<Row> examples,
    Dataset<Row> rejected,
    Map<String, Long> inputsBySplit,
    List<String> warnings) {

  public LabelledTextSourceResult {
    inputsBySplit = Map.copyOf(inputsBySplit);
    warnings = List.copyOf(warnings);
  }

  /**
   * Counts {@code examples} and {@code rejected} (for instance the tables as written) per split
   * against {@link #inputsBySplit()}, with the same rule and message as unlabelled text sources.
   *
   * @return the counts of every split, in name order
   * @throws IllegalStateException naming the first split where inputs != examples + rejected
   */
  public Map<String, TextSourceResult.SplitCounts> reconcile(
      Dataset<Row> examples, Dataset<Row> rejected) {
    return new TextSourceResult(examples, rejected, inputsBySplit, warnings)
        .reconcile(examples, rejected);
  }
}
