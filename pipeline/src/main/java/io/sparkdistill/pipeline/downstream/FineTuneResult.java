package io.sparkdistill.pipeline.downstream;

/**
 * What one fine-tuning run measured.
 *
 * @param task the task's name, e.g. {@code spam-assassin}, {@code sst-2}
 * @param accuracy test accuracy after the last step, in [0, 1]
 * @param trainExamples examples in the train set
 * @param testExamples examples the accuracy is over
 * @param steps optimiser steps made
 * @param trainSeconds wall seconds of the training steps (evaluation and loading excluded)
 */
public record FineTuneResult(
    String task,
    double accuracy,
    int trainExamples,
    int testExamples,
    int steps,
    double trainSeconds) {}
