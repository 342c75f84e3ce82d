package io.sparkdistill.pipeline.distill;

import io.sparkdistill.pipeline.config.MissingMass;
import ai.djl.Model;
import io.sparkdistill.pipeline.train.Evaluation;
import io.sparkdistill.pipeline.train.ImageArrays;
import io.sparkdistill.pipeline.train.Normalization;
import java.util.List;

/**
 * {@link SoftTargets} computed inside the training step: every teacher runs on the batch's images
 * (the same rendered views the student sees, normalised the teacher's way), and the targets are
 * the mean of their distributions at temperature {@code T}. This is the {@code online} policy, the
 * cost the offline soft-label store saves: one teacher forward pass per teacher per step.
 *
 * <p>Logits go through the same {@link SoftLabelDistribution} as stored dense soft labels, so
 * online and offline targets differ only by the store's precision.
 */
public final class OnlineTargets implements SoftTargets {
  /**
   * @param model the teacher, loaded for inference
   * @param normalization its input normalisation
   */
  public record Teacher(Model model, Normalization normalization) {}

  private final List<Teacher> teachers;
  private final ImageArrays data;
  private final double temperature;

  /**
   * @param teachers at least one; their parameters are frozen here (no gradients are recorded for
   *     them inside the student's gradient collector)
   * @param data the student's training data, indexed as the batches are
   * @param temperature distillation temperature
   */
  public OnlineTargets(List<Teacher> teachers, ImageArrays data, double temperature) {
    if (teachers.isEmpty()) {
      throw new IllegalArgumentException("at least one teacher is needed");
    }
    for (Teacher teacher : teachers) {
      if (teacher.model().getBlock() != null && teacher.model().getBlock().isInitialized()) {
        teacher.model().getBlock().freezeParameters(true);
      }
    }
    this.teachers = List.copyOf(teachers);
    this.data = data;
    this.temperature = temperature;
  }

  @Override
  public float[][] forBatch(int[] indices, int step) {
    ImageArrays batch = data.subset(indices);
    float[][] mean = null;
    for (Teacher teacher : teachers) {
      float[][] logits = Evaluation.logits(teacher.model(), batch, teacher.normalization(), indices.length);
      if (mean == null) {
        mean = new float[indices.length][];
      }
      for (int i = 0; i < indices.length; i++) {
        TopK all = TopK.of(logits[i], logits[i].length);
        float[] p =
            SoftLabelDistribution.probabilities(
                all.ids(), all.logits(), all.logSumExp(), logits[i].length, temperature,
                MissingMass.RENORMALIZE);
        if (mean[i] == null) {
          mean[i] = p;
        } else {
          for (int c = 0; c < p.length; c++) {
            mean[i][c] += p[c];
          }
        }
      }
    }
    if (teachers.size() > 1) {
      float scale = 1f / teachers.size();
      for (float[] row : mean) {
        for (int c = 0; c < row.length; c++) {
          row[c] *= scale;
        }
      }
    }
    return mean;
  }
}
