/**
 * Entry points: {@link io.sparkdistill.jobs.DistillMain} runs the whole DAG (what
 * {@code bin/distill run} calls); one class per stage for schedulers
 * ({@code spark-submit --class io.sparkdistill.jobs.IngestJob spark-distill-jobs.jar CONF}).
 * Each is one line around {@link io.sparkdistill.pipeline.dag.Launcher}.
 */
package io.sparkdistill.jobs;
