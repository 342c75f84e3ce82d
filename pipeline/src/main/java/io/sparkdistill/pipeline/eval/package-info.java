/**
 * The {@code evaluate} stage ({@link io.sparkdistill.pipeline.eval.EvaluateStage}): every trained
 * model (teachers and students) scored on the task's test rows on the executors ({@code
 * task.TestScoring}), one prediction row per model and scored item, and per model the task's
 * figures (images: top-1, top-5, per-class accuracy and confusion matrix with Spark MLlib's {@code
 * MulticlassMetrics}; text: masked-token top-1, top-5 and perplexity) and the expected calibration
 * error (Spark SQL). The tables: {@code EvaluationTable} (images), {@code TextEvaluationTable} (text)
 * and {@code DownstreamTable} (the text task's downstream fine-tuning).
 */
package io.sparkdistill.pipeline.eval;
