/**
 * The soft-label store: teacher outputs computed once (top-k logits and the log-sum-exp), written as
 * Parquet under {@code soft-labels/teacher=<name>/} and read by the ensemble stage and by every
 * student run; and the {@code soft-labels} stage ({@link
 * io.sparkdistill.pipeline.softlabels.SoftLabelStage}) that fills it with distributed teacher
 * inference over what the task labels ({@code task.SoftLabelJob}: per (example, view) of an image
 * dataset, per masked position of each (sequence, view) of a text dataset).
 */
package io.sparkdistill.pipeline.softlabels;
