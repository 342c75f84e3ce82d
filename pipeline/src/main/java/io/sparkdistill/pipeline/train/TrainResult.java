package io.sparkdistill.pipeline.train;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The outcome of a {@link TrainLoop} run.
 *
 * @param steps metrics of every step, in order
 * @param finalTestAccuracy test accuracy after the last step, when test data was given
 * @param wallSeconds training time, excluding evaluation
 */
public record TrainResult(
    List<StepMetrics> steps, OptionalDouble finalTestAccuracy, double wallSeconds) {

  /** Copies the step list. */
  public TrainResult {
    steps = List.copyOf(steps);
    if (finalTestAccuracy == null) {
      finalTestAccuracy = OptionalDouble.empty();
    }
  }

  /**
   * The metrics of the last step.
   *
   * @return the last element of {@link #steps()}
   */
  public StepMetrics last() {
    return steps.get(steps.size() - 1);
  }
}
