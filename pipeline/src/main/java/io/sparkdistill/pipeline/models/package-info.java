/**
 * Model architectures, their immutable specification and the checkpoint format.
 *
 * <p>A {@link io.sparkdistill.pipeline.models.ModelSpec} names everything needed to rebuild a
 * network (architecture, width, depth, classes, input shape, dropout); {@link
 * io.sparkdistill.pipeline.models.ModelSpec#newBlock()} builds a fresh, uninitialised DJL block
 * from it. {@link io.sparkdistill.pipeline.models.ModelCheckpoint} stores a trained model as an
 * MLlib-style folder: {@code metadata.json} (format version, spec, free-form info) beside the DJL
 * parameter file, committed by write-then-rename and never overwritten unless asked.
 *
 * <p>This package is part of the engine-free core: it depends on DJL, never on Spark.
 */
package io.sparkdistill.pipeline.models;
