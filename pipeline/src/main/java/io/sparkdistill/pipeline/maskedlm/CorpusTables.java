package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.datasets.text.Vocabulary;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageName;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The masked-language-model task's ingest tables: their names, and reading them back. */
public final class CorpusTables {
  /** The documents ({@code TextExampleTable}). */
  public static final String DOCUMENTS = "documents";
  /** The vocabulary learned from the train documents ({@code vocab.txt}, {@code vocab.properties}). */
  public static final String VOCABULARY = "vocabulary";
  /** The masked sequences ({@code SequenceTable}). */
  public static final String SEQUENCES = "sequences";

  private CorpusTables() {}

  /** The documents ({@code TextExampleTable}), every split. */
  public static Dataset<Row> documents(SparkSession spark, RunLayout layout) {
    return spark.read().parquet(layout.table(StageName.INGEST, DOCUMENTS));
  }

  /** The masked sequences ({@code SequenceTable}), every split and view. */
  public static Dataset<Row> sequences(SparkSession spark, RunLayout layout) {
    return spark.read().parquet(layout.table(StageName.INGEST, SEQUENCES));
  }

  /** The vocabulary learned from the train documents. */
  public static Vocabulary vocabulary(RunLayout layout) {
    return Vocabulary.load(
        layout.table(StageName.INGEST, VOCABULARY), layout.fs().getConf());
  }
}
