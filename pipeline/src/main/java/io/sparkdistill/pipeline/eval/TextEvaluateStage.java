package io.sparkdistill.pipeline.eval;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import io.sparkdistill.datasets.text.SequenceTable;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.downstream.DownstreamEvaluation;
import io.sparkdistill.pipeline.mlm.MlmSequences;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.textingest.TextIngestTables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text path's evaluate: every masked-language model, the teachers ({@code
 * train-teachers/<name>/}) and the students (rows of {@code train-students/runs/}), scored on
 * every masked position of view 0 of the test sequences.
 *
 * <p>Scoring runs on the executors, one pass over the test views per model ({@link
 * TextPredictionPartition}, the model loaded once per JVM), all passes written in one job to
 * {@code evaluate/text-predictions/}. One pass per model rather than all models per partition:
 * a task then holds one model's batch of activations instead of every model's, models of any
 * number and size spread over the tasks, and re-reading the test views (a small table) per model
 * costs little next to inference. The table is read back and the stage fails unless every model
 * has exactly one row per masked test position. Per model it then computes, with Spark SQL over
 * that table, top-1 and top-5 masked-token accuracy, perplexity ({@code exp} of the mean NLL) and
 * the expected calibration error over {@value Calibration#BINS} bins ({@link Calibration}), and
 * writes one {@link TextEvaluationTable#MODELS_SCHEMA} row per model to {@code
 * evaluate/text-models/}.
 *
 * <p>With a downstream task ({@code downstream.format} not {@code none}) it then fine-tunes the
 * teachers and the students of each variant's largest budget, and an untrained network of the students' shape as the reference, on the task ({@link
 * DownstreamEvaluation}) and writes {@code evaluate/downstream/} ({@link DownstreamTable}).
 */
public final class TextEvaluateStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(TextEvaluateStage.class);

  /** Test views per forward pass. */
  static final int BATCH_SIZE = 64;

  private static final String TEST = "test";

  @Override
  public StageName name() {
    return StageName.EVALUATE;
  }

  @Override
  public List<String> configSections() {
    // The untrained reference of the downstream task has the students' network.
    return List.of("downstream", "students.architecture", "students.width", "students.depth",
        "students.heads", "students.intermediate-size", "students.dropout");
  }

  @Override
  public StageOutcome run(StageContext context) throws Exception {
    long t0 = System.nanoTime();
    SparkSession spark = context.spark();
    RunLayout layout = context.layout();
    int vocabulary = TextIngestTables.vocabulary(layout).size();
    int length = context.config().text().sequenceLength();
    // View 0 is the only view of a test sequence; a view with no masked position has nothing to score.
    Dataset<Row> test =
        TextIngestTables.sequences(spark, layout)
            .filter(col(SequenceTable.SPLIT).equalTo(TEST))
            .filter(col(SequenceTable.VIEW_ID).equalTo(0))
            .filter(size(col(SequenceTable.MASK_POSITIONS)).gt(0))
            .select(MlmSequences.columns());
    Row sizes = test.agg(count(lit(1)), sum(size(col(SequenceTable.MASK_POSITIONS)))).first();
    long sequences = sizes.getLong(0);
    long positions = sizes.isNullAt(1) ? 0 : sizes.getLong(1);
    if (positions == 0) {
      throw new IllegalStateException(
          "nothing to evaluate on: no test sequence with a masked position under "
              + layout.table(StageName.INGEST, "sequences") + " (dataset.text.test-fraction 0?)");
    }
    List<EvaluatedModel> models = EvaluateStage.listModels(context);
    models.forEach(model -> checkFits(model, vocabulary, length));
    LOG.info(
        "[evaluate] {} models on {} masked positions of {} test sequences", models.size(), positions, sequences);

    context.describe("score " + models.size() + " models on " + positions + " masked positions");
    String predictionsPath = context.table(TextEvaluationTable.PREDICTIONS);
    Dataset<Row> predictions =
        Predictions.score(
            test, models, m -> new TextPredictionPartition(m.name(), m.dir(), m.info(), BATCH_SIZE),
            TextEvaluationTable.PREDICTIONS_SCHEMA, predictionsPath);
    Map<String, Row> scores =
        Predictions.checkCounts(
            predictions, models, positions, predictionsPath, "masked test positions", "positions",
            List.of(
                col(TextEvaluationTable.SEQUENCE_ID), col(TextEvaluationTable.VIEW_ID),
                col(TextEvaluationTable.POSITION)),
            avg(col(TextEvaluationTable.PREDICTION).equalTo(col(TextEvaluationTable.LABEL)).cast("double")),
            avg(col(TextEvaluationTable.TOP5_CORRECT).cast("double")),
            avg(col(TextEvaluationTable.NLL)));
    Map<String, Double> ece = Calibration.expectedCalibrationError(predictions, Calibration.BINS);

    List<Row> modelRows = new ArrayList<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("schema.text_evaluation", TextEvaluationTable.VERSION);
    for (EvaluatedModel model : models) {
      Row s = scores.get(model.name());
      double top1 = s.getDouble(3);
      double top5 = s.getDouble(4);
      double perplexity = Math.exp(s.getDouble(5));
      double modelEce = ece.get(model.name());
      modelRows.add(
          RowFactory.create(
              model.name(), model.kind(), model.variant(), model.budgetFraction(), model.seed(), positions,
              top1, top5, perplexity, modelEce));
      metrics.put("top1." + model.name(), top1);
      metrics.put("top5." + model.name(), top5);
      metrics.put("perplexity." + model.name(), perplexity);
      metrics.put("ece." + model.name(), modelEce);
      LOG.info(
          "[evaluate] {}: top-1 {}  top-5 {}  perplexity {}  ece {}", model.name(),
          String.format("%.4f", top1), String.format("%.4f", top5), String.format("%.2f", perplexity),
          String.format("%.4f", modelEce));
    }
    context.writeTable(TextEvaluationTable.MODELS, modelRows, TextEvaluationTable.MODELS_SCHEMA);
    Map<String, Long> rowCounts = new TreeMap<>();
    if (context.config().downstream().enabled()) {
      rowCounts.putAll(downstream(context, models, vocabulary, length, metrics));
    }
    metrics.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
    rowCounts.put("test_sequences", sequences);
    rowCounts.put("test_positions", positions);
    rowCounts.put(TextEvaluationTable.MODELS, (long) models.size());
    rowCounts.put(TextEvaluationTable.PREDICTIONS, models.size() * positions);
    return new StageOutcome(rowCounts, metrics, List.of());
  }

  /**
   * Fine-tunes the teachers and each variant's students at its largest budget (the report's
   * final figures; the smaller budgets would multiply the cost for no figure) on the downstream
   * task; writes and checks its table.
   */
  private static Map<String, Long> downstream(
      StageContext context, List<EvaluatedModel> models, int vocabulary, int length, Map<String, Object> metrics)
      throws Exception {
    Map<String, Double> largest = new java.util.HashMap<>();
    models.stream()
        .filter(m -> m.budgetFraction() != null)
        .forEach(m -> largest.merge(m.variant(), m.budgetFraction(), Math::max));
    List<DownstreamEvaluation.Candidate> candidates =
        models.stream()
            .filter(m -> m.budgetFraction() == null || m.budgetFraction().equals(largest.get(m.variant())))
            .map(m -> new DownstreamEvaluation.Candidate(m.name(), m.kind(), new org.apache.hadoop.fs.Path(m.dir())))
            .toList();
    DownstreamEvaluation.Outcome outcome =
        DownstreamEvaluation.run(context, candidates, context.config().students().mlmSpec(vocabulary, length));
    String path = context.writeTable(DownstreamTable.TABLE, outcome.rows(), DownstreamTable.SCHEMA);
    long written = context.spark().read().parquet(path).count();
    if (written != candidates.size() + 1) {
      throw new IllegalStateException(
          path + " has " + written + " rows, expected " + (candidates.size() + 1)
              + " (every model and the untrained reference)");
    }
    metrics.put("schema.downstream", DownstreamTable.VERSION);
    metrics.putAll(outcome.metrics());
    Map<String, Long> counts = new TreeMap<>(outcome.rowCounts());
    counts.put(DownstreamTable.TABLE, written);
    return counts;
  }

  /** A model of another vocabulary or sequence length cannot be scored on these ids. */
  private static void checkFits(EvaluatedModel model, int vocabulary, int length) {
    ModelInfo info = model.info();
    if (info.classes() != vocabulary || info.inputHeight() != length) {
      throw new IllegalStateException(
          model.kind() + " '" + model.name() + "' (" + model.dir() + ") has a vocabulary of " + info.classes()
              + " tokens and sequences of " + info.inputHeight() + " ids; ingest made " + vocabulary
              + " tokens and text.sequence-length is " + length);
    }
  }
}
