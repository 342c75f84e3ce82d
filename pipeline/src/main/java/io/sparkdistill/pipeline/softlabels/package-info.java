/**
 * The soft-label store: teacher outputs computed once (top-k logits and the log-sum-exp, per
 * example and view), written as Parquet under {@code soft-labels/teacher=<name>/} and read by the
 * ensemble stage and by every student run; and the {@code soft-labels} stage that fills it with
 * distributed teacher inference: {@code SoftLabelStage} per (example, view) of an image dataset,
 * {@code TextSoftLabelStage} per masked position of each (sequence, view) of a text dataset.
 */
package io.sparkdistill.pipeline.softlabels;
