/**
 * The {@code train-teachers} stage: trains each declared teacher, or registers an existing DJL or
 * TorchScript checkpoint, and describes every teacher in one {@code model.json} that the
 * soft-labels stage loads on the executors. {@code TrainTeachersStage} trains image classifiers,
 * {@code TrainTextTeachersStage} masked-language models (the text path); both write a teacher's
 * files through {@code TeacherFiles}.
 */
package io.sparkdistill.pipeline.teachers;
