/**
 * Training data streamed from Parquet inside a Spark task, never collected to the driver: a
 * table's row groups ({@link TableChunks}, listed from the footers on the driver), read one at a
 * time with a column projection ({@link ChunkReader}), in a deterministic two-level shuffle —
 * the order of the row groups per (seed, epoch), then a bounded window of row groups — with a
 * prefetch thread ({@link ShuffledStream}). Memory is bounded by the row-group size times the
 * window and the prefetch depth, not by the table.
 *
 * <p>Engine-free of Spark: only Hadoop's file system and Parquet's reader, so the same code runs
 * in a task, on the driver or in a test.
 */
package io.sparkdistill.pipeline.stream;
