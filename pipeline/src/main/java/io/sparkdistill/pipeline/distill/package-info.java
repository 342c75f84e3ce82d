/**
 * Distillation losses and their schedule: {@link io.sparkdistill.pipeline.distill.KdLoss} mixes
 * the hard-label cross-entropy with the KL divergence to the teacher's softened distribution, and
 * stops distilling at a chosen step. Its targets per teacher policy: {@link
 * io.sparkdistill.pipeline.distill.StoredTargets} (in-memory tables), {@link
 * io.sparkdistill.pipeline.distill.RandomTeacherTargets} (one teacher per step), {@link
 * io.sparkdistill.pipeline.distill.MeanTargets} (the teachers' mean, computed per batch) and {@link
 * io.sparkdistill.pipeline.distill.OnlineTargets} (teachers run inside the step). Engine-free: no
 * Spark here.
 */
package io.sparkdistill.pipeline.distill;
