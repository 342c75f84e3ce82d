/**
 * Our own training loop on the DJL API, and the in-memory data, batching, optimiser, loss and
 * evaluation pieces it is made of.
 *
 * <p>Data: {@link io.sparkdistill.pipeline.train.ImageArrays} holds labelled images as unsigned
 * bytes (HWC); {@link io.sparkdistill.pipeline.train.ImageBatches} turns selected images into a
 * normalised float (B, C, H, W) {@code NDArray} and their labels into an {@code INT64} (B) array.
 * Losses see a {@link io.sparkdistill.pipeline.train.Batch} and return named parts ({@code ce},
 * {@code kd}, ...) that become columns of the per-step metrics.
 *
 * <p>Threads: nothing here changes engine-wide settings. The PyTorch engine reads {@code
 * ai.djl.pytorch.num_threads} (intra-op) and {@code ai.djl.pytorch.num_interop_threads} system
 * properties once, when it loads; callers size them (e.g. to the cores of one Spark task) before
 * the first DJL call. DJL allows one active gradient collector per JVM, so run one {@link
 * io.sparkdistill.pipeline.train.TrainLoop} at a time per JVM.
 *
 * <p>This package is part of the engine-free core: it depends on DJL, never on Spark.
 */
package io.sparkdistill.pipeline.train;
