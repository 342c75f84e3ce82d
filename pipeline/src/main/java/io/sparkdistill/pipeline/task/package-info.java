/**
 * The task interface: what differs between the learning tasks the DAG runs. {@link
 * io.sparkdistill.pipeline.task.Task} is asked by each stage for its part (ingest's reading, a
 * teacher's training, a soft-label pass, the students' data and loop, the test scoring); the parts
 * are {@link io.sparkdistill.pipeline.task.TeacherTraining}, {@link
 * io.sparkdistill.pipeline.task.SoftLabelJob}, {@link io.sparkdistill.pipeline.task.StudentTraining}
 * and {@link io.sparkdistill.pipeline.task.TestScoring}. Implementations: {@code
 * imageclassification.ImageClassification} and {@code maskedlm.MaskedLanguageModeling}; the wiring
 * that picks one is {@code io.sparkdistill.pipeline.Stages}. Stages import this package, never an
 * implementation.
 */
package io.sparkdistill.pipeline.task;
