package io.sparkdistill.pipeline.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What one training step did.
 *
 * @param step 0-based step index
 * @param samplesSeen training examples consumed up to and including this step
 * @param wallSeconds training time since the first step began, excluding evaluation
 * @param learningRate the rate this step's update used
 * @param losses {@code loss} (the total) and each named part, as read after the step
 * @param testAccuracy test accuracy after this step, at evaluation steps only (on the text path
 *     the held-out masked-token accuracy)
 * @param testPerplexity held-out perplexity after this step, at evaluation steps of a
 *     masked-language model only; empty for image classifiers
 */
public record StepMetrics(
    int step,
    long samplesSeen,
    double wallSeconds,
    double learningRate,
    Map<String, Double> losses,
    OptionalDouble testAccuracy,
    OptionalDouble testPerplexity) {

  /** Copies the losses into an unmodifiable map; a null optional becomes empty. */
  public StepMetrics {
    losses = Collections.unmodifiableMap(new LinkedHashMap<>(losses));
    if (testAccuracy == null) {
      testAccuracy = OptionalDouble.empty();
    }
    if (testPerplexity == null) {
      testPerplexity = OptionalDouble.empty();
    }
  }

  /** A step of a model without a perplexity (an image classifier). */
  public StepMetrics(
      int step,
      long samplesSeen,
      double wallSeconds,
      double learningRate,
      Map<String, Double> losses,
      OptionalDouble testAccuracy) {
    this(step, samplesSeen, wallSeconds, learningRate, losses, testAccuracy, OptionalDouble.empty());
  }

  /**
   * The total loss of the step.
   *
   * @return {@code losses().get("loss")}
   */
  public double loss() {
    return losses.get(LossParts.TOTAL);
  }
}
