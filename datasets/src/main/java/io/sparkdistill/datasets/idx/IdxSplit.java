package io.sparkdistill.datasets.idx;

import java.io.Serializable;

/**
 * One split of an IDX dataset: its name and the Hadoop paths of its images and labels files.
 *
 * @param split split name written to the examples table ({@code train}, {@code test})
 * @param images path of the {@code *-images-idx3-ubyte[.gz]} file
 * @param labels path of the {@code *-labels-idx1-ubyte[.gz]} file
 */
public record IdxSplit(String split, String images, String labels) implements Serializable {}
