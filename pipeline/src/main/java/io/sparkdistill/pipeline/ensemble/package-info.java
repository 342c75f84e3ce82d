/**
 * The {@code ensemble} stage: several teachers' soft labels merged, per example and view, into one
 * mean-probability table of the soft-label shape, under {@code ensemble/teacher=ensemble/}.
 */
package io.sparkdistill.pipeline.ensemble;
