package io.sparkdistill.pipeline.config;

/**
 * The network a teacher or the students are built with, as configured; the model specification
 * for a dataset is made from it in {@code models} ({@code ModelSpec.of}, {@code MlmSpec.of}), which
 * also refuses an impossible network before any work ({@code NetworkCheck}).
 *
 * @param path the configuration path of the section ({@code teachers.big}, {@code students})
 * @param architecture cnn, resnet or bert
 * @param width channels of the first block (cnn, resnet) or the hidden size (bert)
 * @param depth blocks
 * @param dropout dropout before the classifier (cnn) or in every block (bert)
 * @param heads attention heads (bert)
 * @param intermediateSize the feed-forward width (bert; 0 = 4 x width)
 */
public record NetworkSettings(
    String path, Architecture architecture, int width, int depth, double dropout, int heads, int intermediateSize) {}
