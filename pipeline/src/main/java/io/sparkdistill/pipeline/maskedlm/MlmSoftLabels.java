package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.config.MissingMass;
import io.sparkdistill.pipeline.models.MlmBlock;
import ai.djl.Model;
import io.sparkdistill.pipeline.distill.SoftTargets;
import io.sparkdistill.pipeline.config.LogitPrecision;
import io.sparkdistill.pipeline.distill.SoftLabelDistribution;
import io.sparkdistill.pipeline.distill.TopK;
import java.util.ArrayList;
import java.util.List;

/**
 * Soft labels of a masked-language-model teacher: per masked position, the top k of its output
 * over the vocabulary ({@link TopK}, packed with {@link LogitPrecision}), i.e. the fields of the
 * image soft-label rows; and the way back, stored rows to distillation targets at a temperature.
 */
public final class MlmSoftLabels {

  private MlmSoftLabels() {}

  /**
   * Runs {@code teacher} over {@code data} and keeps the top {@code k} at every masked position.
   *
   * @param teacher a model holding an initialised {@link MlmBlock}
   * @param data the masked sequences (the same masking the student will see)
   * @param k ids to keep per position, at least 1 ({@code >= vocabulary} keeps them all)
   * @param precision how the logits are packed
   * @param batchSize sequences per forward pass
   * @return one row per masked position, in row order ({@link MlmData#rowOffset})
   */
  public static List<MaskedSoftLabel> compute(
      Model teacher, MlmData data, int k, LogitPrecision precision, int batchSize) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    List<MaskedSoftLabel> rows = new ArrayList<>(data.rows());
    int[] sequence = {0};
    int[] within = {0};
    MlmEvaluation.forEachBatch(
        teacher,
        data,
        batchSize,
        logProbs -> {
          int vocabulary = Math.toIntExact(logProbs.getShape().get(1));
          float[] flat = logProbs.toFloatArray();
          for (int r = 0; r < flat.length / vocabulary; r++) {
            float[] row = new float[vocabulary];
            System.arraycopy(flat, r * vocabulary, row, 0, vocabulary);
            TopK top = TopK.of(row, k);
            int[] positions = data.positions(sequence[0]);
            rows.add(
                new MaskedSoftLabel(
                    sequence[0],
                    positions[within[0]],
                    top.ids(),
                    precision.round(top.logits()),
                    precision.bits(),
                    top.logSumExp(),
                    top.top1()));
            if (++within[0] == positions.length) {
              sequence[0]++;
              within[0] = 0;
            }
          }
        });
    return rows;
  }

  /**
   * Distillation targets from stored rows: row {@code r} of a batch is {@code rows.get(r)} at
   * temperature {@code temperature}, decoded when asked (nothing of vocabulary size is held), also
   * in sparse form ({@link SoftTargets#sparseForBatch}: the k kept tokens and one value for the
   * rest, so the distillation loss never builds a (rows, vocabulary) matrix).
   *
   * @param rows soft labels in row order of the training data
   * @param vocabularySize the number of classes
   * @param temperature the distillation temperature T
   * @param missing what the ids outside the top k receive
   * @return the targets, for {@code KdLoss.Builder.setTargets}
   */
  public static SoftTargets targets(
      List<MaskedSoftLabel> rows,
      int vocabularySize,
      double temperature,
      MissingMass missing) {
    List<MaskedSoftLabel> copy = List.copyOf(rows);
    return new SoftTargets() {
      @Override
      public float[][] forBatch(int[] indices, int step) {
        float[][] out = new float[indices.length][];
        for (int i = 0; i < indices.length; i++) {
          out[i] = copy.get(indices[i]).probabilities(vocabularySize, temperature, missing);
        }
        return out;
      }

      @Override
      public Sparse sparseForBatch(int[] indices, int step) {
        int[][] ids = new int[indices.length][];
        float[][] kept = new float[indices.length][];
        float[] rest = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
          MaskedSoftLabel label = copy.get(indices[i]);
          SoftLabelDistribution.SparseRow row =
              SoftLabelDistribution.sparse(
                  label.topkIds(), label.logits(), label.logSumExp(), vocabularySize, temperature, missing);
          ids[i] = label.topkIds();
          kept[i] = row.kept();
          rest[i] = row.rest();
          if (ids[i].length != ids[0].length) {
            return null; // rows of different k: KdLoss takes the dense form
          }
        }
        return new Sparse(ids, kept, rest, vocabularySize);
      }
    };
  }
}
