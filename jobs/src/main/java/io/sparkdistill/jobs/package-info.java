/**
 * Entry points: {@link io.sparkdistill.jobs.DistillMain} runs the whole DAG (what
 * {@code bin/distill run} calls); one class per stage for schedulers
 * ({@code spark-submit --class io.sparkdistill.jobs.IngestJob spark-distill-app.jar CONF}, the
 * application jar this module's build makes; README "Running on a cluster").
 * Each is one line around {@link io.sparkdistill.pipeline.dag.Launcher}.
 */
package io.sparkdistill.jobs;
