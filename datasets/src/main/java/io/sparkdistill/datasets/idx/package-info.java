/**
 * The IDX format of MNIST and Fashion-MNIST: one images file and one labels file per split,
 * optionally gzip-compressed.
 */
package io.sparkdistill.datasets.idx;
