package io.sparkdistill.pipeline.distill;

import io.sparkdistill.pipeline.config.MissingMass;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Turns a stored soft-label row (the top-k class ids, their logits and the log-sum-exp of all the
 * teacher's logits) back into a probability vector over every class, at a temperature.
 *
 * <p>For the k kept classes the teacher's probability is exact:
 *
 * <pre>
 *   p_i = exp(z_i - lse)                        i kept
 * </pre>
 *
 * The other C - k classes are filled by {@link MissingMass}:
 *
 * <pre>
 *   SPREAD:       p_j = m / (C - k),  m = max(0, 1 - sum_kept p_i)      j not kept
 *   RENORMALIZE:  p_j = 0                                               j not kept
 * </pre>
 *
 * Then the temperature T sharpens or softens the vector, and it is renormalised:
 *
 * <pre>
 *   q_i = p_i^(1/T) / sum_c p_c^(1/T)
 * </pre>
 *
 * When every class is kept (k = C, a dense row) nothing is missing and q = softmax(z / T) exactly,
 * since p_i^(1/T) = exp((z_i - lse) / T) is proportional to exp(z_i / T). A zero probability stays
 * zero at any temperature. The computation runs in log space, in double precision, so very small
 * probabilities neither underflow before the temperature is applied nor produce NaNs.
 *
 * <p>Precision: m is a difference, {@code 1 - sum p_i}, so it carries the rounding error of the
 * whole kept mass (fp16 logits of magnitude 8 are off by up to 0.004, i.e. 0.4 % of a
 * probability), and {@code m^(1/T)} magnifies that error when m itself is that small. With fp16
 * rows, SPREAD at T &gt; 1 is therefore only as good as the stored missing mass; RENORMALIZE, a
 * dense row, or T = 1 stay within about 1 % of the fp32 result.
 *
 * <p>Callers pass the {@code topk_logits} column as read (an {@code array<float>}, already
 * rounded to {@code logit_bits}).
 */
public final class SoftLabelDistribution {


  private SoftLabelDistribution() {}

  /**
   * The probabilities of all {@code classes} classes, summing to 1 (see the class comment).
   *
   * @param ids kept class ids, distinct, each in {@code [0, classes)}; at least one
   * @param logits the kept classes' logits, as stored (same length as {@code ids})
   * @param logSumExp log-sum-exp of all the teacher's logits, as stored
   * @param classes number of classes C
   * @param temperature T, greater than 0; 1 gives the teacher's own probabilities
   * @param missing what the classes that were not kept receive
   * @throws IllegalArgumentException on inconsistent input, naming what is wrong
   */
  public static float[] probabilities(
      int[] ids,
      float[] logits,
      float logSumExp,
      int classes,
      double temperature,
      MissingMass missing) {
    SparseRow row = sparse(ids, logits, logSumExp, classes, temperature, missing);
    float[] result = new float[classes];
    Arrays.fill(result, row.rest());
    for (int i = 0; i < ids.length; i++) {
      result[ids[i]] = row.kept()[i];
    }
    return result;
  }

  /**
   * A distribution whose classes outside the top k all have one probability: {@code kept[i]} for
   * {@code ids[i]}, {@code rest} for each of the other C - k classes (0 under {@link
   * MissingMass#RENORMALIZE}).
   *
   * @param kept the kept classes' probabilities, in the order of the ids
   * @param rest the probability of every class not kept
   */
  public record SparseRow(float[] kept, float rest) {}

  /**
   * {@link #probabilities} without the vector over every class: the same values, computed the same
   * way, for a vocabulary where C is large and only k classes differ.
   *
   * @throws IllegalArgumentException on inconsistent input, naming what is wrong
   */
  public static SparseRow sparse(
      int[] ids,
      float[] logits,
      float logSumExp,
      int classes,
      double temperature,
      MissingMass missing) {
    if (ids.length != logits.length) {
      throw new IllegalArgumentException(
          ids.length + " class ids but " + logits.length + " logits");
    }
    if (ids.length == 0 || ids.length > classes) {
      throw new IllegalArgumentException(
          "a row must keep between 1 and " + classes + " classes, got " + ids.length);
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0 and finite, got " + temperature);
    }
    if (!Float.isFinite(logSumExp)) {
      throw new IllegalArgumentException("log-sum-exp must be finite, got " + logSumExp);
    }
    double[] logP = new double[ids.length];
    BitSet seen = new BitSet(classes);
    double keptMass = 0;
    for (int i = 0; i < ids.length; i++) {
      int id = ids[i];
      if (id < 0 || id >= classes) {
        throw new IllegalArgumentException(
            "class id " + id + " is outside 0.." + (classes - 1));
      }
      if (seen.get(id)) {
        throw new IllegalArgumentException("class id " + id + " is kept twice");
      }
      seen.set(id);
      if (Float.isNaN(logits[i]) || logits[i] == Float.POSITIVE_INFINITY) {
        throw new IllegalArgumentException("logit of class " + id + " is " + logits[i]);
      }
      logP[i] = (double) logits[i] - logSumExp; // -inf for a -inf logit: p = 0
      keptMass += Math.exp(logP[i]);
    }
    int unkept = classes - ids.length;
    double logShare = Double.NEGATIVE_INFINITY;
    if (missing == MissingMass.SPREAD && unkept > 0) {
      double missingMass = Math.max(0, 1 - keptMass);
      logShare = Math.log(missingMass / unkept); // -inf when nothing is missing
    }
    logShare /= temperature;
    double max = logShare;
    for (int i = 0; i < logP.length; i++) {
      logP[i] /= temperature;
      max = Math.max(max, logP[i]);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      throw new IllegalArgumentException("the row has no probability mass (every logit is -inf)");
    }
    double share = Math.exp(logShare - max);
    double sum = unkept * share;
    double[] q = new double[logP.length];
    for (int i = 0; i < logP.length; i++) {
      q[i] = Math.exp(logP[i] - max);
      sum += q[i];
    }
    float[] kept = new float[q.length];
    for (int i = 0; i < q.length; i++) {
      kept[i] = (float) (q[i] / sum);
    }
    return new SparseRow(kept, (float) (share / sum));
  }
}
