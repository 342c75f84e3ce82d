/**
 * The {@code train-students} stage: {@link io.sparkdistill.pipeline.students.TrainStudentsStage}
 * trains every (variant, budget, seed) and writes the runs, steps and model tables; what differs
 * between the image and the text (masked-language-model) path sits behind {@code StudentTrainer}
 * ({@code ImageStudents}: rendered image views of {@link
 * io.sparkdistill.pipeline.students.StudentSet}; {@code TextStudents}: masked sequence views and
 * their per-position soft labels).
 */
package io.sparkdistill.pipeline.students;
