/**
 * The {@code ingest} stage ({@link io.sparkdistill.pipeline.ingest.IngestStage}): the raw dataset
 * to the task's examples table, the {@code rejected} table and what the task derives from the
 * examples, with every input accounted for; and the image task's read-back of its tables ({@code
 * IngestTables}, {@code LabelTable}).
 */
package io.sparkdistill.pipeline.ingest;
