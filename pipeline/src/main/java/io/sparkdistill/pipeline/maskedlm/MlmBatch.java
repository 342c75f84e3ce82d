package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.models.MlmBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * One batch of masked sequences as arrays, built by {@link MlmData#batch}. The arrays belong to the
 * step's sub-manager and are closed with it.
 *
 * <p>Each sequence's masked positions are padded to the batch's largest count I with position 0;
 * {@code selected} marks the real ones, so that {@link #atMaskedPositions} keeps exactly the N
 * masked positions of the batch, in row order.
 *
 * @param inputs the {@link MlmBlock} inputs: token ids, type ids (zeros), input mask (ids != [PAD])
 *     (B, S), masked positions (B, I), all INT32
 * @param selected BOOLEAN (B * I): which of the block's output rows are real masked positions
 * @param labels INT64 (N): the original token at each real masked position
 * @param rows for each of the N positions, its row number in the data ({@link MlmData#rowOffset})
 */
public record MlmBatch(NDList inputs, NDArray selected, NDArray labels, int[] rows) {

  /**
   * The block's output rows at the real masked positions.
   *
   * @param output the (B * I, vocabulary) block output
   * @return (N, vocabulary)
   */
  public NDArray atMaskedPositions(NDArray output) {
    // DJL's booleanMask wants a mask of the array's full shape; the selected elements come back
    // flat, in row-major order.
    Shape shape = output.getShape();
    NDArray mask = selected.reshape(shape.get(0), 1).broadcast(shape);
    return output.booleanMask(mask).reshape(-1, shape.get(1));
  }
}
