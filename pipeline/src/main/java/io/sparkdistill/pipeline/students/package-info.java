/**
 * The {@code train-students} stage: {@link io.sparkdistill.pipeline.students.TrainStudentsStage}
 * trains every (variant, budget, seed) and writes the runs, steps and model tables; what differs
 * between the tasks sits behind {@code task.StudentTraining} ({@code
 * imageclassification.ClassifierStudents}: rendered image views of {@link
 * io.sparkdistill.pipeline.students.StudentSet}; {@code maskedlm.MaskedLmStudents}: masked sequence
 * views and their per-position soft labels).
 */
package io.sparkdistill.pipeline.students;
