package io.sparkdistill.pipeline.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * The loss of a training step, computed from the model's logits and the batch. Arrays it creates
 * are attached to the step's sub-manager (DJL attaches results to their inputs' manager) and closed
 * with it.
 */
@FunctionalInterface
public interface StepLoss {

  /** Name of the cross-entropy part. */
  String CE = "ce";

  /**
   * Computes the loss of one step.
   *
   * @param logits (B, classes) model output, no softmax applied
   * @param batch the batch the logits were computed from
   * @param step 0-based step index (equal to {@code batch.step()}), e.g. for schedules that stop
   *     distilling part-way
   * @return the total to differentiate and its named parts
   */
  LossParts compute(NDArray logits, Batch batch, int step);

  /**
   * Softmax cross-entropy from logits with integer labels, averaged over the batch, reported as
   * part {@value #CE}. Uses DJL's {@code SoftmaxCrossEntropyLoss} (sparse labels, from logits):
   * {@code mean(-log_softmax(logits)[label])}.
   *
   * @return the loss
   */
  static StepLoss crossEntropy() {
    Loss ce = Loss.softmaxCrossEntropyLoss(CE);
    return (logits, batch, step) ->
        LossParts.single(CE, ce.evaluate(new NDList(batch.labels()), new NDList(logits)));
  }
}
