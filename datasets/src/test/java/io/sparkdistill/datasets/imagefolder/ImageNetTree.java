package io.sparkdistill.datasets.imagefolder;

import io.sparkdistill.datasets.image.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Writes a small dataset in the ImageNet folder layout, with one of each kind of bad input. */
final class ImageNetTree {
  static final String TENCH = "n01440764";
  static final String GOLDFISH = "n01443537";
  static final String SHARK = "n01484850";
  /** Sorts before every class: if it were indexed it would take index 0. */
  static final String EMPTY = "n00000001";
  static final String UNKNOWN = "n09999999";

  static final int[] RED = {220, 20, 20};
  static final int[] GREEN = {20, 220, 20};
  static final int[] BLUE = {20, 20, 220};

  private final Path root;

  ImageNetTree(Path root) {
    this.root = root;
  }

  /**
   * The train split: 3 classes of 3 good 40x30 JPEGs each (plus extras), 16 files in all: 12
   * examples (including a PNG named .JPEG, a grayscale and a CMYK JPEG) and 4 rejected (corrupt,
   * truncated, a file in a sub-folder, a file at the top level). Plus one empty class folder.
   */
  ImageNetTree train() {
    for (int k = 0; k < 3; k++) {
      jpeg("train/" + TENCH + "/" + TENCH + "_" + k + ".JPEG", RED, k);
      jpeg("train/" + GOLDFISH + "/" + GOLDFISH + "_" + k + ".JPEG", GREEN, k);
      jpeg("train/" + SHARK + "/" + SHARK + "_" + k + ".JPEG", BLUE, k);
    }
    byte[] noise = new byte[2000];
    new Random(7).nextBytes(noise);
    noise[0] = 0x13;
    write("train/" + TENCH + "/corrupt.JPEG", noise);
    jpeg("train/" + TENCH + "/sub/deep.JPEG", RED, 0);
    byte[] noisy = TestImages.noisyJpeg(120, 90, 8);
    write("train/" + GOLDFISH + "/truncated.JPEG", TestImages.truncate(noisy, noisy.length / 2));
    write(
        "train/" + GOLDFISH + "/png_named.JPEG",
        TestImages.png(TestImages.solid(40, 30, GREEN[0], GREEN[1], GREEN[2])));
    write("train/" + SHARK + "/gray.JPEG", TestImages.jpeg(TestImages.gray(40, 30, 90)));
    write(
        "train/" + SHARK + "/cmyk.JPEG",
        TestImages.cmykJpeg(40, 30, new int[] {200, 150, 0, 10}, 0));
    write("train/readme.txt", "ImageNet train split\n".getBytes(StandardCharsets.UTF_8));
    mkdirs("train/" + EMPTY);
    return this;
  }

  /** Writes a JPEG of {@code colour} brightened by {@code shade}. */
  ImageNetTree jpeg(String relative, int[] colour, int shade) {
    int d = 10 * shade;
    return write(
        relative,
        TestImages.jpeg(
            TestImages.solid(
                40,
                30,
                Math.min(255, colour[0] + d),
                Math.min(255, colour[1] + d),
                Math.min(255, colour[2] + d))));
  }

  ImageNetTree text(String relative, String content) {
    return write(relative, content.getBytes(StandardCharsets.UTF_8));
  }

  ImageNetTree write(String relative, byte[] bytes) {
    try {
      Path file = root.resolve(relative);
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void mkdirs(String relative) {
    try {
      Files.createDirectories(root.resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
