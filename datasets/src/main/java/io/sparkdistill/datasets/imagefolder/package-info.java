/**
 * The ImageNet folder layout ({@code train/<wnid>/*}, {@code val/<wnid>/*} or flat {@code val/*}
 * with {@code LOC_val_solution.csv}) read in parallel with Spark's {@code binaryFile} source.
 */
package io.sparkdistill.datasets.imagefolder;
