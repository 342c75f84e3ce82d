package io.sparkdistill.pipeline.train;

import java.util.Random;

/**
 * A tiny synthetic 3-class problem on 8x8 grey images: a bright 3x3 blob in the top-left (class 0),
 * top-right (class 1) or bottom-left (class 2) quadrant, over uniform noise. Chance is 1/3.
 */
public final class QuadrantImages {
  public static final int SIDE = 8;
  public static final int CLASSES = 3;

  private QuadrantImages() {}

  /**
   * Generates {@code n} images, the classes in turn.
   *
   * @param n number of images
   * @param seed generator seed
   * @return the images
   */
  public static ImageArrays generate(int n, long seed) {
    Random random = new Random(seed);
    byte[] pixels = new byte[n * SIDE * SIDE];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int label = i % CLASSES;
      labels[i] = label;
      int base = i * SIDE * SIDE;
      for (int p = 0; p < SIDE * SIDE; p++) {
        pixels[base + p] = (byte) random.nextInt(90);
      }
      int top = (label == 2 ? 4 : 0) + random.nextInt(2);
      int left = (label == 1 ? 4 : 0) + random.nextInt(2);
      for (int y = top; y < top + 3; y++) {
        for (int x = left; x < left + 3; x++) {
          pixels[base + y * SIDE + x] = (byte) (150 + random.nextInt(100));
        }
      }
    }
    return new ImageArrays(pixels, labels, SIDE, SIDE, 1);
  }

  /**
   * Writes a train and a test split as gzipped IDX files into {@code dir}: {@code train-img.gz},
   * {@code train-lbl.gz}, {@code test-img.gz}, {@code test-lbl.gz} (what a run configuration's
   * {@code dataset.idx} names, see {@link #idxConfig}).
   */
  public static void writeIdx(java.nio.file.Path dir, int train, int test) throws java.io.IOException {
    java.nio.file.Files.createDirectories(dir);
    for (String split : java.util.List.of("train", "test")) {
      ImageArrays data = generate(split.equals("train") ? train : test, split.length());
      byte[] labels = new byte[data.size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = (byte) data.labels()[i];
      }
      io.sparkdistill.datasets.idx.IdxWriter.writeImages(dir.resolve(split + "-img.gz"), SIDE, SIDE, data.pixels());
      io.sparkdistill.datasets.idx.IdxWriter.writeLabels(dir.resolve(split + "-lbl.gz"), labels);
    }
  }

  /**
   * Writes a train and a test split ({@link #writeIdx}) under {@code dir/idx} and a run
   * configuration {@code dir/run.conf} over them: {@code run.root = dir/run}, the {@link #idxConfig}
   * settings, then {@code settings}.
   *
   * @return the configuration file
   */
  public static java.nio.file.Path writeRun(java.nio.file.Path dir, int train, int test, String settings)
      throws java.io.IOException {
    writeIdx(dir.resolve("idx"), train, test);
    java.nio.file.Path conf = dir.resolve("run.conf");
    java.nio.file.Files.writeString(
        conf, "run.root = \"" + dir.resolve("run") + "\"\n" + idxConfig(dir.resolve("idx")) + settings);
    return conf;
  }

  /** The {@code dataset} and {@code ingest} settings of a run on the files of {@link #writeIdx}. */
  public static String idxConfig(java.nio.file.Path dir) {
    return "dataset.idx { dir = \"" + dir + "\", class-names = [tl, tr, bl]\n"
        + "  train-images = train-img.gz, train-labels = train-lbl.gz,"
        + "  test-images = test-img.gz, test-labels = test-lbl.gz }\n"
        + "ingest { image { height = 8, width = 8, channels = 1 }, shards = 3, partitions = 2 }\n";
  }
}
