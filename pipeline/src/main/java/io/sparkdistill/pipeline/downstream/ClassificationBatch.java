package io.sparkdistill.pipeline.downstream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * One batch of classification examples as arrays, built by {@link ClassificationData#batch}; they
 * belong to the step's sub-manager and close with it.
 *
 * @param inputs the {@link ClassifierBlock} inputs, (B, S) INT32 each: token ids, type ids (0 for
 *     the first text and its {@code [CLS]}/{@code [SEP]}, 1 for the second text and its {@code
 *     [SEP]}), input mask (1 for a real token, 0 for {@code [PAD]})
 * @param labels INT64 (B): the class of each example
 */
public record ClassificationBatch(NDList inputs, NDArray labels) {}
