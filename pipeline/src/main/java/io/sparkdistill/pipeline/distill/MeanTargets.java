package io.sparkdistill.pipeline.distill;

import java.util.List;

/**
 * The {@code mean} policy without an ensemble table: per row, the mean of several teachers'
 * probabilities at temperature 1, then softened to the distillation temperature, {@code p_T ∝
 * mean^(1/T)}. That is what the image path's ensemble table gives (its rows are the mean
 * probabilities, softened when the student decodes them), computed per batch instead of stored.
 * The text path uses it: its soft labels are decoded lazily, so a mean table would cost a
 * vocabulary-sized row per masked position.
 */
public final class MeanTargets implements SoftTargets {
  private final List<SoftTargets> teachers;
  private final double temperature;

  /**
   * @param teachers each teacher's targets at temperature 1, indexed alike; at least one
   * @param temperature the distillation temperature T &gt; 0
   */
  public MeanTargets(List<? extends SoftTargets> teachers, double temperature) {
    if (teachers.isEmpty()) {
      throw new IllegalArgumentException("at least one teacher is needed");
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be positive, got " + temperature);
    }
    this.teachers = List.copyOf(teachers);
    this.temperature = temperature;
  }

  @Override
  public float[][] forBatch(int[] indices, int step) {
    double[][] sum = null;
    for (SoftTargets teacher : teachers) {
      float[][] p = teacher.forBatch(indices, step);
      if (sum == null) {
        sum = new double[p.length][];
      }
      for (int i = 0; i < p.length; i++) {
        if (sum[i] == null) {
          sum[i] = new double[p[i].length];
        } else if (sum[i].length != p[i].length) {
          throw new IllegalArgumentException(
              "teachers disagree on the number of classes: " + p[i].length + " against " + sum[i].length);
        }
        for (int c = 0; c < p[i].length; c++) {
          sum[i][c] += p[i][c];
        }
      }
    }
    float[][] out = new float[sum.length][];
    for (int i = 0; i < sum.length; i++) {
      out[i] = soften(sum[i]);
    }
    return out;
  }

  /** {@code p^(1/T)} renormalised; the teachers' count cancels in the normalisation. */
  private float[] soften(double[] sum) {
    double[] powered = new double[sum.length];
    double total = 0;
    for (int c = 0; c < sum.length; c++) {
      // In log space: exp(log(p) / T) of tiny p neither underflows early nor loses the ratio.
      powered[c] = sum[c] > 0 ? Math.exp(Math.log(sum[c]) / temperature) : 0;
      total += powered[c];
    }
    float[] out = new float[sum.length];
    for (int c = 0; c < sum.length; c++) {
      out[c] = (float) (powered[c] / total);
    }
    return out;
  }
}
