package io.sparkdistill.pipeline.task;

import io.sparkdistill.pipeline.config.StudentSettings;
import io.sparkdistill.pipeline.config.VariantSettings;
import io.sparkdistill.pipeline.distill.KdLoss;
import io.sparkdistill.pipeline.distill.SoftTargets;
import io.sparkdistill.pipeline.train.TrainResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One student run to train: a (variant, budget, seed) of the plan matrix.
 *
 * @param runId {@code <variant>.b<budget>.s<seed>}
 * @param steps the run's step budget
 * @param stopStep the step after which the run trains on the plain loss
 */
public record StudentRun(String runId, VariantSettings variant, double budget, long seed, int steps, int stopStep) {

  /**
   * The run's distillation loss over {@code targets}, with the variant's alpha and this run's
   * stop step; null when the run trains on the plain loss (a baseline, or alpha or stop-fraction
   * 0).
   */
  public KdLoss distillation(StudentSettings settings, SoftTargets targets) {
    if (targets == null || !variant.distils()) {
      return null;
    }
    return KdLoss.builder()
        .setTemperature(settings.temperature())
        .setAlpha(variant.alpha())
        .setTargets(targets)
        .optStopStep(stopStep)
        .build();
  }

  /**
   * What the student's checkpoint records of this run: held-out accuracy (and perplexity, when
   * the loop measured it), steps, training seconds and variant.
   */
  public Map<String, Object> checkpointInfo(TrainResult result) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("test_accuracy", result.finalTestAccuracy().orElseThrow());
    result.last().testPerplexity().ifPresent(p -> info.put("test_perplexity", p));
    info.put("steps", steps);
    info.put("train_seconds", result.wallSeconds());
    info.put("variant", variant.name());
    return info;
  }
}
