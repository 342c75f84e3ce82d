package io.sparkdistill.pipeline.config;

/**
 * Where a distilling student's targets come from at each step.
 *
 * <p>Costs per step, in teacher forward passes: {@code SINGLE}, {@code MEAN} and {@code RANDOM}
 * read stored soft labels (zero passes; the teachers ran once, in the soft-labels stage);
 * {@code ONLINE} runs the teacher inside the step, the baseline the offline store is compared to.
 */
public enum TeacherPolicy {
  /** No teacher: the hard labels only (the baseline). */
  NONE,
  /** One named teacher's stored soft labels. */
  SINGLE,
  /** The ensemble table: the mean of several teachers' probabilities. */
  MEAN,
  /** One teacher drawn per step from a list (the cost of one teacher, whatever the pool size). */
  RANDOM,
  /** The teacher's forward pass inside the training step. */
  ONLINE
}
