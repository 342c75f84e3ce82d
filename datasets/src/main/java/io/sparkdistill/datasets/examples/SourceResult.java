package io.sparkdistill.datasets.examples;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a source produces: examples and rejected rows (both lazy DataFrames), the number of inputs
 * it saw per split, the class names by label index, and warnings worth a line in the manifest.
 *
 * <p>Invariant checked by the ingest stage after writing: for every split, {@code inputs} equals
 * written examples plus written rejected rows.
 *
 * @param examples rows in {@link ExampleTable#SCHEMA}
 * @param rejected rows in {@link RejectedTable#SCHEMA}
 * @param inputsBySplit how many inputs (files, or IDX records) each split had
 * @param classNames class name of each label index, in index order
 * @param warnings things that are not rows but that a person should know (an empty class folder)
 */
public record SourceResult(
    Dataset<Row> examples,
    Dataset<Row> rejected,
    Map<String, Long> inputsBySplit,
    List<String> classNames,
    List<String> warnings) {

  public SourceResult {
    inputsBySplit = Map.copyOf(inputsBySplit);
    classNames = List.copyOf(classNames);
    warnings = List.copyOf(warnings);
  }
}
