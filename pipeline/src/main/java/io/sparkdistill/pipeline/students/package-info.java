/**
 * Students (issue 4, in progress): the data a distilling student trains on, read from the
 * examples and the soft-label tables. The {@code train-students} stage itself is not built yet.
 */
package io.sparkdistill.pipeline.students;
