/**
 * The image classification task ({@code dataset.format} idx or image-folder): {@link
 * io.sparkdistill.pipeline.imageclassification.ImageClassification} and its parts, ingest of IDX
 * files and image folders ({@code ImageIngest}), classifier teachers ({@code ClassifierTeachers}),
 * soft labels per (example, view) ({@code ClassifierSoftLabels}), students on stored or online
 * targets ({@code ClassifierStudents}) and top-1 scoring on the test examples ({@code
 * ClassifierScoring}).
 */
package io.sparkdistill.pipeline.imageclassification;
