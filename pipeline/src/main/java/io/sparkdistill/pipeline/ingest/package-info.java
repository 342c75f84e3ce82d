/** The {@code ingest} stage: raw dataset to the {@code examples}, {@code rejected} and {@code labels} tables. */
package io.sparkdistill.pipeline.ingest;
