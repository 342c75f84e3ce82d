/**
 * The {@code evaluate} stage: every trained model (teachers and students) scored on the test split
 * on the executors, one row per model and test example in {@code evaluate/predictions/}, and per
 * model top-1, top-5, per-class accuracy, confusion matrix (Spark MLlib's {@code
 * MulticlassMetrics}) and expected calibration error (Spark SQL) in {@code evaluate/models/}. On
 * the text path {@code TextEvaluateStage} scores masked-language models per masked test position
 * ({@code evaluate/text-predictions/}) and writes top-1, top-5, perplexity and ECE per model to
 * {@code evaluate/text-models/}.
 */
package io.sparkdistill.pipeline.eval;
