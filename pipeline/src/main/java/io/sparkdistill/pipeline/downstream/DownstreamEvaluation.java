package io.sparkdistill.pipeline.downstream;

import io.sparkdistill.datasets.examples.RejectedTable;
import io.sparkdistill.datasets.text.TextSourceResult;
import io.sparkdistill.datasets.text.Tokenizer;
import io.sparkdistill.datasets.text.classification.LabelledTextSource;
import io.sparkdistill.datasets.text.classification.LabelledTextSourceResult;
import io.sparkdistill.datasets.text.classification.LabelledTextTable;
import io.sparkdistill.pipeline.config.DownstreamSettings;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.eval.DownstreamTable;
import io.sparkdistill.pipeline.eval.EvaluationTable;
import io.sparkdistill.pipeline.models.MlmSpec;
import io.sparkdistill.pipeline.models.ModelFiles;
import io.sparkdistill.datasets.text.Vocabulary;
import io.sparkdistill.pipeline.train.StepListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text evaluate stage's downstream part (GLUE's protocol at our scale): reads the {@code
 * downstream} task's labelled texts once, quarantines what cannot be used, and fine-tunes the
 * pre-trained models it is given (teachers and full-budget students), plus an untrained network of
 * the students' shape as the reference, on the same sample; one {@link DownstreamTable} row each.
 *
 * <p>Writes under the evaluate stage's folder {@code downstream-examples/} (the task's usable rows,
 * {@link LabelledTextTable}) and {@code downstream-rejected/} ({@code RejectedTable}: wrong field
 * counts, unknown labels, empty texts ... with the reason); rows in = examples + rejected is
 * checked per split from the written tables. Fine-tuning runs on the driver, one model after
 * another (one gradient collector per JVM).
 */
public final class DownstreamEvaluation {
  private static final Logger LOG = LoggerFactory.getLogger(DownstreamEvaluation.class);

  public static final String EXAMPLES = "downstream-examples";
  public static final String REJECTED = "downstream-rejected";

  /**
   * A pre-trained model to fine-tune.
   *
   * @param name teacher name or student run id
   * @param kind {@code teacher} or {@code student} ({@link EvaluationTable})
   * @param modelDir the folder of its {@code model.json}; the checkpoint is {@code model/} in it
   */
  public record Candidate(String name, String kind, Path modelDir) {}

  /**
   * What the downstream part produced.
   *
   * @param rows {@link DownstreamTable} rows, the untrained reference last
   * @param rowCounts examples and rejected rows per split, for the manifest
   * @param metrics accuracy per model and the reference's, for the manifest
   */
  public record Outcome(List<Row> rows, Map<String, Long> rowCounts, Map<String, Object> metrics) {}

  private DownstreamEvaluation() {}

  /**
   * Reads the task and fine-tunes every candidate and the untrained reference.
   *
   * @param context the evaluate stage's context (its folder receives the task's tables)
   * @param candidates the pre-trained models, in the order to fine-tune them
   * @param untrained the network the reference starts from, randomly initialised (the students')
   * @param vocabulary the ingested vocabulary, which tokenizes the task's texts
   * @return the rows and manifest figures
   */
  public static Outcome run(
      StageContext context, List<Candidate> candidates, MlmSpec untrained, Vocabulary vocabulary)
      throws Exception {
    DownstreamSettings settings = context.config().downstream();
    SparkSession spark = context.spark();
    String examplesPath = context.table(EXAMPLES);
    String rejectedPath = context.table(REJECTED);
    Map<String, Long> rowCounts = new TreeMap<>();
    try (LabelledTextSource source = settings.newSource()) {
      LabelledTextSourceResult read = source.read(spark);
      read.examples().write().mode(SaveMode.Overwrite).parquet(examplesPath);
      read.rejected().coalesce(1).write().mode(SaveMode.Overwrite).parquet(rejectedPath);
      Map<String, TextSourceResult.SplitCounts> counts =
          read.reconcile(spark.read().parquet(examplesPath), spark.read().parquet(rejectedPath));
      counts.forEach(
          (split, c) -> {
            rowCounts.put("downstream.examples." + split, c.examples());
            rowCounts.put("downstream.rejected." + split, c.rejected());
            LOG.info("[evaluate] {} {}: {} inputs = {} examples + {} rejected", settings.task(), split,
                c.inputs(), c.examples(), c.rejected());
          });
      read.warnings().forEach(w -> LOG.warn("[evaluate] {}: {}", settings.task(), w));
    }
    Dataset<Row> examples = spark.read().parquet(examplesPath);
    Tokenizer tokenizer = new Tokenizer(vocabulary);
    int length = context.config().text().sequenceLength();
    ClassificationData train = data(examples, LabelledTextTable.TRAIN, settings.trainExamples(), tokenizer, length);
    ClassificationData test = data(examples, LabelledTextTable.TEST, settings.testExamples(), tokenizer, length);
    LOG.info("[evaluate] {}: fine-tuning {} models and an untrained one on {} train examples, testing on {}",
        settings.task(), candidates.size(), train.size(), test.size());

    List<Row> rows = new ArrayList<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    for (int i = 0; i < candidates.size(); i++) {
      Candidate candidate = candidates.get(i);
      java.nio.file.Path checkpoint =
          ModelFiles.readable(context.layout().fs(), new Path(candidate.modelDir(), "model"));
      FineTuneResult result =
          fineTuner(settings, train, test, label(settings, candidate.name(), i, candidates.size()))
              .setPretrained(checkpoint)
              .build()
              .run();
      rows.add(row(candidate.name(), candidate.kind(), result, classes(train, test)));
      metrics.put("downstream_accuracy." + candidate.name(), result.accuracy());
    }
    FineTuneResult reference =
        fineTuner(settings, train, test, "[evaluate] " + settings.task() + " " + DownstreamTable.UNTRAINED_MODEL)
            .setRandomEncoder(untrained)
            .build()
            .run();
    rows.add(row(DownstreamTable.UNTRAINED_MODEL, DownstreamTable.KIND_UNTRAINED, reference, classes(train, test)));
    metrics.put("downstream_accuracy." + DownstreamTable.UNTRAINED_MODEL, reference.accuracy());
    LOG.info("[evaluate] {}: untrained network {}", settings.task(),
        String.format(Locale.ROOT, "%.4f", reference.accuracy()));
    return new Outcome(rows, rowCounts, metrics);
  }

  private static ClassificationData data(
      Dataset<Row> examples, String split, int limit, Tokenizer tokenizer, int length) {
    List<Row> rows = LabelledTextTable.sample(examples, split, limit).collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException(
          "the downstream task has no " + split + " example; see downstream.root and the rows of "
              + REJECTED);
    }
    return ClassificationData.of(rows, tokenizer, length);
  }

  private static FineTuner.Builder fineTuner(
      DownstreamSettings settings, ClassificationData train, ClassificationData test, String label) {
    return FineTuner.builder()
        .optSettings(settings)
        .setTrainData(train)
        .setTestData(test)
        .optListener(
            StepListener.logging(label, Math.max(1, FineTuner.steps(settings.epochs(), train.size(), settings.batchSize()) / 4)));
  }

  private static String label(DownstreamSettings settings, String model, int index, int count) {
    return String.format(Locale.ROOT, "[evaluate] %s %s (%d/%d)", settings.task(), model, index + 1, count);
  }

  private static int classes(ClassificationData train, ClassificationData test) {
    return Math.max(2, Math.max(train.maxLabel(), test.maxLabel()) + 1); // as FineTuner counts them
  }

  private static Row row(String model, String kind, FineTuneResult result, int classes) {
    return RowFactory.create(
        model, kind, result.task(), classes, (long) result.trainExamples(), (long) result.testExamples(),
        result.steps(), result.trainSeconds(), result.accuracy());
  }
}
