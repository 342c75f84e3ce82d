package io.sparkdistill.pipeline.config;

/** What the classes outside a stored top k receive when soft labels become targets ({@code students.missing-mass}). */
public enum MissingMass {
  /** Nothing: the kept probabilities are renormalised to sum to 1. */
  RENORMALIZE,
  /** The mass the top k do not cover, {@code 1 - sum p_i}, shared evenly among them. */
  SPREAD
}
