/**
 * The ImageNet folder layout ({@code train/<wnid>/*}, {@code val/<wnid>/*} or flat {@code val/*}
 * with {@code LOC_val_solution.csv}) listed with Hadoop's
 * {@code FileSystem} and read and decoded in parallel by Spark tasks.
 */
package io.sparkdistill.datasets.imagefolder;
