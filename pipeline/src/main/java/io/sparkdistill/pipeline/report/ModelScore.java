package io.sparkdistill.pipeline.report;

/**
 * A model's figures from the evaluate stage: {@code evaluate/models/} for images; {@code
 * evaluate/text-models/} and {@code evaluate/downstream/} on the text path.
 *
 * @param top1 test top-1 accuracy (the held-out masked-token accuracy on the text path)
 * @param ece expected calibration error
 * @param perplexity held-out masked-token perplexity; null for images
 * @param downstreamAccuracy test accuracy after fine-tuning on the downstream task; null when
 *     there is none
 */
public record ModelScore(double top1, double ece, Double perplexity, Double downstreamAccuracy) {
  /** An image model's figures. */
  public ModelScore(double top1, double ece) {
    this(top1, ece, null, null);
  }

  /** The same figures with the downstream accuracy. */
  public ModelScore withDownstream(double accuracy) {
    return new ModelScore(top1, ece, perplexity, accuracy);
  }
}
