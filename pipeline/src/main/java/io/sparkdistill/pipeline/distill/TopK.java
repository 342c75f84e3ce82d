package io.sparkdistill.pipeline.distill;

/**
 * The k largest logits of a teacher output with their class ids (descending), and the
 * log-sum-exp of all logits, so that a stored probability {@code exp(logit - lse)} is exact and
 * the mass outside the top k is known: {@code 1 - sum(exp(logit - lse))}.
 *
 * @param ids class ids, largest logit first
 * @param logits the logits of those classes
 * @param logSumExp log of the sum of exp over every class's logit
 */
public record TopK(int[] ids, float[] logits, float logSumExp) {

  /** Selects the top {@code k} of {@code logits} ({@code k >= logits.length} keeps them all). */
  public static TopK of(float[] logits, int k) {
    int n = logits.length;
    int keep = Math.min(k, n);
    int[] ids = new int[keep];
    float[] values = new float[keep];
    int filled = 0;
    for (int c = 0; c < n; c++) {
      float v = logits[c];
      int pos;
      if (filled < keep) {
        pos = filled++;
      } else if (v > values[keep - 1]) {
        pos = keep - 1; // the smallest kept value drops out
      } else {
        continue;
      }
      while (pos > 0 && values[pos - 1] < v) {
        values[pos] = values[pos - 1];
        ids[pos] = ids[pos - 1];
        pos--;
      }
      values[pos] = v;
      ids[pos] = c;
    }
    return new TopK(ids, values, logSumExp(logits));
  }

  /** Numerically stable {@code log(sum(exp(x)))}. */
  public static float logSumExp(float[] x) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : x) {
      sum += Math.exp(v - max);
    }
    return (float) (max + Math.log(sum));
  }

  /** The class with the largest logit. */
  public int top1() {
    return ids[0];
  }
}
