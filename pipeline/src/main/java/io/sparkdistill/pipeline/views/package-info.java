/**
 * Augmented views of an example: the parameters (crop box, flip) a teacher's soft label was
 * computed on, drawn deterministically and replayed bit for bit when the student trains, so that
 * both saw exactly the same input (the FKD approach). View 0 is always the un-augmented image.
 */
package io.sparkdistill.pipeline.views;
