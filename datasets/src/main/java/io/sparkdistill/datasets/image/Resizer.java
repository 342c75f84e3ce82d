package io.sparkdistill.datasets.image;

import io.sparkdistill.datasets.image.ImageShape.ResizeMode;

/**
 * Resizes row-major HWC byte images: optional centre crop, then repeated 2x2 box halving while the
 * image is at least twice the target, then bilinear interpolation with pixel centres at half
 * integers (the convention of PIL and torchvision, {@code align_corners=False}).
 *
 * <p>Written out rather than drawn with Java2D so that the result is the same on every JVM and
 * rendering pipeline, and so that large downscales average every source pixel instead of
 * aliasing.
 */
final class Resizer {
  private Resizer() {}

  /** Returns {@code src} itself when it already has the target size. */
  static byte[] resize(
      byte[] src, int height, int width, int channels, int toHeight, int toWidth, ResizeMode mode) {
    if (height == toHeight && width == toWidth) {
      return src;
    }
    byte[] img = src;
    int h = height;
    int w = width;
    if (mode == ResizeMode.CENTER_CROP) {
      double scale = Math.max((double) toHeight / h, (double) toWidth / w);
      int cropH = clamp((int) Math.round(toHeight / scale), 1, h);
      int cropW = clamp((int) Math.round(toWidth / scale), 1, w);
      img = crop(img, h, w, channels, (h - cropH) / 2, (w - cropW) / 2, cropH, cropW);
      h = cropH;
      w = cropW;
    }
    while (h >= 2 * toHeight || w >= 2 * toWidth) {
      boolean halveRows = h >= 2 * toHeight;
      boolean halveCols = w >= 2 * toWidth;
      img = halve(img, h, w, channels, halveRows, halveCols);
      h = halveRows ? h / 2 : h;
      w = halveCols ? w / 2 : w;
    }
    if (h == toHeight && w == toWidth) {
      return img;
    }
    return bilinear(img, h, w, channels, toHeight, toWidth);
  }

  private static byte[] crop(
      byte[] src, int height, int width, int channels, int top, int left, int cropH, int cropW) {
    if (top == 0 && left == 0 && cropH == height && cropW == width) {
      return src;
    }
    byte[] out = new byte[cropH * cropW * channels];
    int rowBytes = cropW * channels;
    for (int y = 0; y < cropH; y++) {
      System.arraycopy(
          src, ((top + y) * width + left) * channels, out, y * rowBytes, rowBytes);
    }
    return out;
  }

  /** Averages 2x2 (or 2x1 / 1x2) blocks; an odd last row or column is dropped. */
  private static byte[] halve(
      byte[] src, int height, int width, int channels, boolean rows, boolean cols) {
    int dy = rows ? 2 : 1;
    int dx = cols ? 2 : 1;
    int outH = height / dy;
    int outW = width / dx;
    byte[] out = new byte[outH * outW * channels];
    for (int y = 0; y < outH; y++) {
      int r0 = y * dy * width;
      int r1 = (y * dy + dy - 1) * width;
      for (int x = 0; x < outW; x++) {
        int c0 = x * dx;
        int c1 = x * dx + dx - 1;
        for (int c = 0; c < channels; c++) {
          int sum =
              (src[(r0 + c0) * channels + c] & 0xff)
                  + (src[(r0 + c1) * channels + c] & 0xff)
                  + (src[(r1 + c0) * channels + c] & 0xff)
                  + (src[(r1 + c1) * channels + c] & 0xff);
          // with one axis kept, each pixel was counted twice: sum / 4 is still the mean
          out[(y * outW + x) * channels + c] = (byte) ((sum + 2) / 4);
        }
      }
    }
    return out;
  }

  private static byte[] bilinear(
      byte[] src, int height, int width, int channels, int toHeight, int toWidth) {
    int[] x0 = new int[toWidth];
    int[] x1 = new int[toWidth];
    double[] fx = new double[toWidth];
    for (int x = 0; x < toWidth; x++) {
      double sx = clamp((x + 0.5) * width / toWidth - 0.5, 0, width - 1);
      x0[x] = (int) sx;
      x1[x] = Math.min(x0[x] + 1, width - 1);
      fx[x] = sx - x0[x];
    }
    byte[] out = new byte[toHeight * toWidth * channels];
    for (int y = 0; y < toHeight; y++) {
      double sy = clamp((y + 0.5) * height / toHeight - 0.5, 0, height - 1);
      int y0 = (int) sy;
      int y1 = Math.min(y0 + 1, height - 1);
      double fy = sy - y0;
      for (int x = 0; x < toWidth; x++) {
        int p00 = (y0 * width + x0[x]) * channels;
        int p01 = (y0 * width + x1[x]) * channels;
        int p10 = (y1 * width + x0[x]) * channels;
        int p11 = (y1 * width + x1[x]) * channels;
        for (int c = 0; c < channels; c++) {
          double top = (src[p00 + c] & 0xff) * (1 - fx[x]) + (src[p01 + c] & 0xff) * fx[x];
          double bottom = (src[p10 + c] & 0xff) * (1 - fx[x]) + (src[p11 + c] & 0xff) * fx[x];
          out[(y * toWidth + x) * channels + c] = (byte) (int) (top * (1 - fy) + bottom * fy + 0.5);
        }
      }
    }
    return out;
  }

  private static int clamp(int v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
