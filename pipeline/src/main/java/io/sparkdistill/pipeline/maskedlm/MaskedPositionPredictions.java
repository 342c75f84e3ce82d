package io.sparkdistill.pipeline.maskedlm;

import ai.djl.Device;
import io.sparkdistill.pipeline.eval.ScoringPartition;
import io.sparkdistill.pipeline.eval.Scores;
import io.sparkdistill.pipeline.eval.TextEvaluationTable;
import io.sparkdistill.pipeline.spark.ModelCache;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.spark.ModelPool;
import io.sparkdistill.pipeline.spark.BatchedRows;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One masked-language model over one partition of test sequence views (rows of {@link
 * MlmSequences#columns()}, each with a masked position): {@code batchSize} views per forward pass,
 * one {@link TextEvaluationTable#PREDICTIONS_SCHEMA} row per masked position. A partition never
 * holds more than one batch. The model comes from the {@link ModelPool} (one instance per
 * concurrent task, each loaded once per JVM), not {@link ModelCache}: DJL's BERT blocks cannot
 * serve two tasks at once.
 */
final class MaskedPositionPredictions extends ScoringPartition {
  private static final long serialVersionUID = 1L;

  /**
   * @param name the {@code model} column
   * @param dir the folder of the model's {@code model.json}
   * @param info its {@code model.json}
   * @param batchSize views per forward pass
   */
  MaskedPositionPredictions(String name, String dir, ModelInfo info, int batchSize) {
    super(name, dir, info, batchSize);
  }

  @Override
  protected void predictBatch(Device device, Iterator<Row> views, ArrayDeque<Row> out) {
    MlmSequences.Loaded loaded = MlmSequences.of(BatchedRows.take(views, batchSize));
    MlmData data = loaded.data();
    int[] labels = data.rowLabels();
    int[] sequence = {0};
    int[] within = {0};
    int[] row = {0};
    try (ModelPool.Lease lease = ModelPool.borrow(dir, info, device)) {
      // One forward pass: the batch holds batchSize views; rows arrive in (sequence, position) order.
      MlmEvaluation.forEachBatch(
          lease.model(),
          data,
          batchSize,
          logProbs -> {
            int vocabulary = Math.toIntExact(logProbs.getShape().get(1));
            if (vocabulary != info.tokenModel().vocabularySize()) {
              throw new IllegalStateException(
                  "model '" + name + "' (" + dir + ") gave " + vocabulary + " outputs per position, its"
                      + " model.json says a vocabulary of " + info.tokenModel().vocabularySize());
            }
            float[] flat = logProbs.toFloatArray();
            float[] scores = new float[vocabulary];
            for (int r = 0; r < flat.length / vocabulary; r++) {
              System.arraycopy(flat, r * vocabulary, scores, 0, vocabulary);
              TextSoftLabelTable.SequenceKey key = loaded.keys().get(sequence[0]);
              int[] positions = data.positions(sequence[0]);
              out.add(prediction(key, positions[within[0]], labels[row[0]++], scores));
              if (++within[0] == positions.length) {
                sequence[0]++;
                within[0] = 0;
              }
            }
          });
    }
  }

  /**
   * The row of one masked position. The scores are log-probabilities (the head's log-softmax);
   * they are normalised again in double anyway, so that confidence and NLL are exact whatever the
   * float rounding of the head.
   */
  private Row prediction(TextSoftLabelTable.SequenceKey key, int position, int label, float[] scores) {
    int predicted = Scores.argmax(scores);
    double max = scores[predicted];
    double sum = 0;
    for (float s : scores) {
      sum += Math.exp(s - max);
    }
    double logSumExp = max + Math.log(sum);
    return RowFactory.create(
        name,
        key.sequenceId(),
        key.viewId(),
        position,
        label,
        predicted,
        Math.exp(max - logSumExp),
        Scores.inTopK(scores, label, TOP_K),
        logSumExp - scores[label]);
  }
}
