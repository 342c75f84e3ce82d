package io.sparkdistill.pipeline.maskedlm;

import io.sparkdistill.pipeline.train.TrainResult;
import java.util.List;

/**
 * The outcome of an {@link MlmTrainLoop} run.
 *
 * @param training per-step metrics (their {@code testAccuracy} and {@code testPerplexity} are the
 *     held-out MLM accuracy and perplexity at evaluation steps) and training time
 * @param evaluations the held-out evaluations, in step order (empty without held-out data)
 */
public record MlmTrainResult(TrainResult training, List<MlmEvaluation> evaluations) {

  /** Copies the evaluations. */
  public MlmTrainResult {
    evaluations = List.copyOf(evaluations);
  }

  /** The last evaluation; fails when there was none. */
  public MlmEvaluation lastEvaluation() {
    if (evaluations.isEmpty()) {
      throw new IllegalStateException("the run had no held-out data");
    }
    return evaluations.get(evaluations.size() - 1);
  }
}
