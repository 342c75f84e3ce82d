package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.config.MissingMass;
import io.sparkdistill.pipeline.config.LogitPrecision;
import io.sparkdistill.pipeline.distill.SoftLabelDistribution;

/**
 * A teacher's output at one masked position, in the fields of a soft-label row ({@code
 * SoftLabelTable}): the top-k vocabulary ids, their packed logits, the log-sum-exp of all logits
 * and the arg-max.
 *
 * <p>The MLM head ends in a log-softmax, so the stored "logits" are log-probabilities and {@code
 * logSumExp} is about 0; {@code exp(logit - logSumExp)} is the teacher's probability either way.
 *
 * @param sequence index of the sequence in its {@link MlmData}
 * @param position the masked position within the sequence
 * @param topkIds vocabulary ids, largest first
 * @param topkLogits their logits, rounded to {@code logitBits} ({@link LogitPrecision#round})
 * @param logitBits 16 or 32
 * @param logSumExp log-sum-exp over the whole vocabulary
 * @param teacherTop1 the teacher's arg-max token
 */
public record MaskedSoftLabel(
    int sequence,
    int position,
    int[] topkIds,
    float[] topkLogits,
    int logitBits,
    float logSumExp,
    int teacherTop1) {

  /**
   * The logits of the kept ids ({@link #topkLogits()}).
   *
   * @return one per {@link #topkIds()}
   */
  public float[] logits() {
    return topkLogits;
  }

  /**
   * The teacher's distribution over the vocabulary at temperature {@code temperature} ({@link
   * SoftLabelDistribution#probabilities} with the vocabulary as classes).
   *
   * @param vocabularySize the number of classes
   * @param temperature T &gt; 0
   * @param missing what the ids outside the top k receive
   * @return probabilities summing to 1
   */
  public float[] probabilities(
      int vocabularySize, double temperature, MissingMass missing) {
    return SoftLabelDistribution.probabilities(
        topkIds, logits(), logSumExp, vocabularySize, temperature, missing);
  }
}
