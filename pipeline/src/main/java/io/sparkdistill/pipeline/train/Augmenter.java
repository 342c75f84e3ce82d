package io.sparkdistill.pipeline.train;

import java.util.Arrays;
import java.util.Random;

/**
 * A random image transformation applied in place to a copy of an image's bytes before batching.
 * Implementations draw every random choice from the given {@link Random}, so a seeded loop augments
 * reproducibly.
 */
@FunctionalInterface
public interface Augmenter {

  /**
   * Transforms one image in place.
   *
   * @param hwc the image bytes, row-major HWC; a copy the augmenter may overwrite
   * @param height image height
   * @param width image width
   * @param channels image channels
   * @param random the source of every random choice
   */
  void apply(byte[] hwc, int height, int width, int channels, Random random);

  /**
   * This augmentation, then {@code next}.
   *
   * @param next the augmentation to apply afterwards
   * @return the composition
   */
  default Augmenter andThen(Augmenter next) {
    return (hwc, h, w, c, random) -> {
      apply(hwc, h, w, c, random);
      next.apply(hwc, h, w, c, random);
    };
  }

  /**
   * The classic CIFAR / Fashion-MNIST augmentation: pad by {@code pad} zero pixels on every side,
   * crop back to the original size at a uniformly random offset (a translation by up to {@code pad}
   * pixels each way), then flip horizontally with probability 1/2.
   *
   * @param pad maximum translation in pixels, at least 0
   * @return the augmenter
   */
  static Augmenter randomCropAndFlip(int pad) {
    return randomCrop(pad).andThen(horizontalFlip());
  }

  /**
   * Pad by {@code pad} zero pixels and crop back at a random offset: a random translation by up to
   * {@code pad} pixels in each direction, filling with 0.
   *
   * @param pad maximum translation in pixels, at least 0
   * @return the augmenter
   */
  static Augmenter randomCrop(int pad) {
    if (pad < 0) {
      throw new IllegalArgumentException("pad must be at least 0, got " + pad);
    }
    return (hwc, h, w, c, random) -> {
      int dy = random.nextInt(2 * pad + 1) - pad;
      int dx = random.nextInt(2 * pad + 1) - pad;
      if (dx == 0 && dy == 0) {
        return;
      }
      byte[] source = hwc.clone();
      int row = w * c;
      for (int y = 0; y < h; y++) {
        int sy = y + dy;
        if (sy < 0 || sy >= h) {
          Arrays.fill(hwc, y * row, (y + 1) * row, (byte) 0);
          continue;
        }
        for (int x = 0; x < w; x++) {
          int sx = x + dx;
          int out = y * row + x * c;
          if (sx < 0 || sx >= w) {
            Arrays.fill(hwc, out, out + c, (byte) 0);
          } else {
            System.arraycopy(source, sy * row + sx * c, hwc, out, c);
          }
        }
      }
    };
  }

  /**
   * Mirror the image left-right with probability 1/2.
   *
   * @return the augmenter
   */
  static Augmenter horizontalFlip() {
    return (hwc, h, w, c, random) -> {
      if (!random.nextBoolean()) {
        return;
      }
      int row = w * c;
      for (int y = 0; y < h; y++) {
        for (int left = 0, right = w - 1; left < right; left++, right--) {
          for (int k = 0; k < c; k++) {
            int a = y * row + left * c + k;
            int b = y * row + right * c + k;
            byte t = hwc[a];
            hwc[a] = hwc[b];
            hwc[b] = t;
          }
        }
      }
    };
  }
}
