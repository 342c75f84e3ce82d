package io.sparkdistill.pipeline.train;

import ai.djl.ndarray.NDArray;

/**
 * One training batch as a loss sees it. The arrays belong to the step's sub-manager and are closed
 * with it after the step: a loss must not keep them.
 *
 * @param images float32 (B, C, H, W), scaled and normalised (and augmented, when enabled)
 * @param labels int64 (B) class ids
 * @param indices for each row, the index of its image in the training {@link ImageArrays}, to look
 *     up per-example data such as stored soft labels
 * @param step 0-based index of the training step
 */
public record Batch(NDArray images, NDArray labels, int[] indices, int step) {

  /**
   * Number of examples.
   *
   * @return B
   */
  public int size() {
    return indices.length;
  }
}
