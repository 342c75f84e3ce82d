package io.sparkdistill.pipeline.distill;

/** The teacher's distribution for each example of a batch. */
@FunctionalInterface
public interface SoftTargets {
  /**
   * Row {@code i} is the teacher's probability distribution, already at the distillation
   * temperature, for the example at {@code indices[i]} of the training data (for example from
   * {@code SoftLabelDistribution.probabilities} on the stored row of that example and view).
   *
   * @param indices indices into the training data, as in {@code Batch.indices()}
   * @param step 0-based step, for policies that change teacher per step
   * @return (batch, classes) probabilities, each row summing to 1
   */
  float[][] forBatch(int[] indices, int step);

  /**
   * The same distributions as {@link #forBatch} in sparse form, when this source has one: over a
   * vocabulary, a stored top-k row is k probabilities and one value shared by every other class,
   * and {@link KdLoss} then never builds the (rows, classes) matrix. Default: none.
   *
   * @return the sparse rows, or null to use {@link #forBatch}
   */
  default Sparse sparseForBatch(int[] indices, int step) {
    return null;
  }

  /**
   * Distributions that are {@code kept[r][j]} at class {@code ids[r][j]} and {@code rest[r]} at
   * every other class.
   *
   * @param ids (rows, k) kept class ids, distinct within a row
   * @param kept (rows, k) their probabilities
   * @param rest (rows) the probability of each class not kept (0 when the kept mass is renormalised)
   * @param classes number of classes C
   */
  record Sparse(int[][] ids, float[][] kept, float[] rest, int classes) {}
}
