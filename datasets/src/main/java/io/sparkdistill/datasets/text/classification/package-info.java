/**
 * Labelled text for downstream tasks (GLUE's spirit): sources that turn a labelled corpus into rows
 * of {@link io.sparkdistill.datasets.text.classification.LabelledTextTable} (text, optional second
 * text, integer label, split) plus quarantine rows in {@code RejectedTable}'s schema, with counts
 * that reconcile per split. {@link io.sparkdistill.datasets.text.classification.SpamAssassinSource}
 * reads the embedded SpamAssassin corpus, {@link
 * io.sparkdistill.datasets.text.classification.GlueTsvSource} GLUE's task TSV files.
 */
package io.sparkdistill.datasets.text.classification;
