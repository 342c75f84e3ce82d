/**
 * The {@code train-teachers} stage ({@link io.sparkdistill.pipeline.teachers.TrainTeachersStage}):
 * trains each declared teacher, or registers an existing checkpoint, through the run's task ({@code
 * task.TeacherTraining}), and describes every teacher in one {@code model.json} that the soft-labels
 * stage loads on the executors; a teacher's files are written one way ({@code TeacherFiles}).
 */
package io.sparkdistill.pipeline.teachers;
