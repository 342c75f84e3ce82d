/**
 * Distillation losses and their schedule: {@link io.sparkdistill.pipeline.distill.KdLoss} mixes
 * the hard-label cross-entropy with the KL divergence to the teacher's softened distribution, and
 * stops distilling at a chosen step. Engine-free: no Spark here.
 */
package io.sparkdistill.pipeline.distill;
