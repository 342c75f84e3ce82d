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
}
