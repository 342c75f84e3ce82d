package io.sparkdistill.pipeline.maskedlm;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import io.sparkdistill.datasets.text.SequenceTable;
import io.sparkdistill.datasets.text.Vocabulary;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.downstream.DownstreamEvaluation;
import io.sparkdistill.pipeline.eval.DownstreamTable;
import io.sparkdistill.pipeline.eval.TextEvaluationTable;
import io.sparkdistill.pipeline.models.MlmSpec;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.task.EvaluatedModel;
import io.sparkdistill.pipeline.task.TestScoring;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Masked-language models scored on every masked position of view 0 of the test sequences ({@link
 * MaskedPositionPredictions}): top-1 and top-5 masked-token accuracy and perplexity ({@code exp} of
 * the mean NLL), with Spark SQL over the predictions. With a downstream task ({@code
 * downstream.format} not {@code none}) it then fine-tunes the teachers and the students of each
 * variant's largest budget, and an untrained network of the students' shape as the reference, on
 * the task ({@link DownstreamEvaluation}) and writes {@code evaluate/downstream/} ({@link
 * DownstreamTable}).
 */
final class MaskedLmScoring implements TestScoring {
  private static final Logger LOG = LoggerFactory.getLogger(MaskedLmScoring.class);

  /** Test views per forward pass. */
  static final int BATCH_SIZE = 64;

  private static final String TEST = "test";

  private final StageContext context;
  private final Vocabulary vocabulary;
  private final int length;
  private final Dataset<Row> test;
  private final long sequences;
  private final long positions;

  MaskedLmScoring(StageContext context) {
    this.context = context;
    RunLayout layout = context.layout();
    this.vocabulary = CorpusTables.vocabulary(layout);
    this.length = context.config().text().sequenceLength();
    // View 0 is the only view of a test sequence; a view with no masked position has nothing to score.
    this.test =
        CorpusTables.sequences(context.spark(), layout)
            .filter(col(SequenceTable.SPLIT).equalTo(TEST))
            .filter(col(SequenceTable.VIEW_ID).equalTo(0))
            .filter(size(col(SequenceTable.MASK_POSITIONS)).gt(0))
            .select(MlmSequences.columns());
    Row sizes = test.agg(count(lit(1)), sum(size(col(SequenceTable.MASK_POSITIONS)))).first();
    this.sequences = sizes.getLong(0);
    this.positions = sizes.isNullAt(1) ? 0 : sizes.getLong(1);
    if (positions == 0) {
      throw new IllegalStateException(
          "nothing to evaluate on: no test sequence with a masked position under "
              + layout.table(StageName.INGEST, CorpusTables.SEQUENCES) + " (dataset.text.test-fraction 0?)");
    }
  }

  /** The untrained reference of the downstream task has the students' network. */
  static List<String> config() {
    return List.of("downstream", "students.architecture", "students.width", "students.depth",
        "students.heads", "students.intermediate-size", "students.dropout");
  }

  @Override
  public Dataset<Row> test() {
    return test;
  }

  @Override
  public long items() {
    return positions;
  }

  @Override
  public String itemsName() {
    return "masked test positions";
  }

  @Override
  public Map<String, Long> rowCounts() {
    return Map.of("test_sequences", sequences, "test_positions", positions);
  }

  /** A model of another vocabulary or sequence length cannot be scored on these ids. */
  @Override
  public void checkFits(EvaluatedModel model) {
    String mismatch = model.info().tokenMismatch(vocabulary.size(), length);
    if (mismatch != null) {
      throw new IllegalStateException(model.kind() + " '" + model.name() + "' (" + model.dir() + ") " + mismatch);
    }
  }


  @Override
  public MapPartitionsFunction<Row, Row> partition(EvaluatedModel model) {
    return new MaskedPositionPredictions(model.name(), model.dir(), model.info(), BATCH_SIZE);
  }

  @Override
  public String predictionsTable() {
    return TextEvaluationTable.PREDICTIONS;
  }

  @Override
  public StructType predictionsSchema() {
    return TextEvaluationTable.PREDICTIONS_SCHEMA;
  }

  @Override
  public List<Column> keys() {
    return List.of(
        col(TextEvaluationTable.SEQUENCE_ID), col(TextEvaluationTable.VIEW_ID), col(TextEvaluationTable.POSITION));
  }

  @Override
  public List<Column> aggregates() {
    return List.of(
        avg(col(TextEvaluationTable.PREDICTION).equalTo(col(TextEvaluationTable.LABEL)).cast("double")),
        avg(col(TextEvaluationTable.TOP5_CORRECT).cast("double")),
        avg(col(TextEvaluationTable.NLL)));
  }

  @Override
  public Map<String, Object> schemaVersions() {
    return Map.of("schema.text_evaluation", TextEvaluationTable.VERSION);
  }

  @Override
  public Row modelRow(
      EvaluatedModel model, Row aggregates, int first, double ece, Dataset<Row> predictions,
      Map<String, Object> metrics) {
    double top1 = aggregates.getDouble(first);
    double top5 = aggregates.getDouble(first + 1);
    double perplexity = Math.exp(aggregates.getDouble(first + 2));
    metrics.put("top1." + model.name(), top1);
    metrics.put("top5." + model.name(), top5);
    metrics.put("perplexity." + model.name(), perplexity);
    metrics.put("ece." + model.name(), ece);
    LOG.info(
        "[evaluate] {}: top-1 {}  top-5 {}  perplexity {}  ece {}", model.name(),
        String.format("%.4f", top1), String.format("%.4f", top5), String.format("%.2f", perplexity),
        String.format("%.4f", ece));
    return RowFactory.create(
        model.name(), model.kind(), model.variant(), model.budgetFraction(), model.seed(), positions,
        top1, top5, perplexity, ece);
  }

  /**
   * Fine-tunes the teachers and each variant's students at its largest budget (the report's
   * final figures; the smaller budgets would multiply the cost for no figure) on the downstream
   * task; writes and checks its table.
   */
  @Override
  public StageOutcome beyondTest(List<EvaluatedModel> models) throws Exception {
    if (!context.config().downstream().enabled()) {
      return new StageOutcome(Map.of(), Map.of(), List.of());
    }
    Map<String, Double> largest = new HashMap<>();
    models.stream()
        .filter(m -> m.budgetFraction() != null)
        .forEach(m -> largest.merge(m.variant(), m.budgetFraction(), Math::max));
    List<DownstreamEvaluation.Candidate> candidates =
        models.stream()
            .filter(m -> m.budgetFraction() == null || m.budgetFraction().equals(largest.get(m.variant())))
            .map(m -> new DownstreamEvaluation.Candidate(m.name(), m.kind(), new Path(m.dir())))
            .toList();
    DownstreamEvaluation.Outcome outcome =
        DownstreamEvaluation.run(
            context, candidates, MlmSpec.of(context.config().students().network(), vocabulary.size(), length), vocabulary);
    String path = context.writeTable(DownstreamTable.TABLE, outcome.rows(), DownstreamTable.SCHEMA);
    long written = context.spark().read().parquet(path).count();
    if (written != candidates.size() + 1) {
      throw new IllegalStateException(
          path + " has " + written + " rows, expected " + (candidates.size() + 1)
              + " (every model and the untrained reference)");
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("schema.downstream", DownstreamTable.VERSION);
    metrics.putAll(outcome.metrics());
    Map<String, Long> counts = new TreeMap<>(outcome.rowCounts());
    counts.put(DownstreamTable.TABLE, written);
    return new StageOutcome(counts, metrics, List.of());
  }
}
