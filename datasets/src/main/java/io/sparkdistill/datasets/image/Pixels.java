package io.sparkdistill.datasets.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** Row-major HWC uint8 pixels of a decoded image, and conversions between 1 and 3 channels. */
final class Pixels {
  private Pixels() {}

  /** Pixels at the decoded size with 1 (luma) or 3 (RGB) channels. */
  record Native(byte[] pixels, int height, int width, int channels) {}

  /**
   * Extracts the pixels of {@code image}: grayscale images keep one channel, everything else
   * becomes RGB. Alpha is composited on black in both cases.
   */
  static Native of(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    boolean gray =
        !(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    return gray ? grayOf(image) : rgbOf(image);
  }

  /**
   * Converts between channel counts: RGB to ITU-R BT.601 luma ({@code 0.299 R + 0.587 G + 0.114
   * B}), luma to RGB by repetition. Returns {@code pixels} itself when the counts are equal.
   */
  static byte[] convertChannels(byte[] pixels, int from, int to) {
    if (from == to) {
      return pixels;
    }
    int n = pixels.length / from;
    byte[] out = new byte[n * to];
    if (from == 3 && to == 1) {
      for (int i = 0; i < n; i++) {
        int r = pixels[3 * i] & 0xff;
        int g = pixels[3 * i + 1] & 0xff;
        int b = pixels[3 * i + 2] & 0xff;
        out[i] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
      }
    } else if (from == 1 && to == 3) {
      for (int i = 0; i < n; i++) {
        out[3 * i] = pixels[i];
        out[3 * i + 1] = pixels[i];
        out[3 * i + 2] = pixels[i];
      }
    } else {
      throw new IllegalArgumentException(
          "channels must be 1 or 3, cannot convert " + from + " to " + to);
    }
    return out;
  }

  /**
   * Reads the gray samples directly: {@link BufferedImage#getRGB} would pass them through the
   * linear-gray colour space and change the values.
   */
  private static Native grayOf(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    int w = image.getWidth();
    int h = image.getHeight();
    int max = (1 << cm.getComponentSize(0)) - 1;
    boolean blendAlpha = cm.hasAlpha() && !cm.isAlphaPremultiplied() && raster.getNumBands() > 1;
    int alphaMax = blendAlpha ? (1 << cm.getComponentSize(1)) - 1 : 1;
    int[] gray = new int[w];
    int[] alpha = new int[w];
    byte[] out = new byte[w * h];
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, gray);
      if (blendAlpha) {
        raster.getSamples(0, y, w, 1, 1, alpha);
      }
      for (int x = 0; x < w; x++) {
        long v = ((long) gray[x] * 255 + max / 2) / max;
        if (blendAlpha) {
          v = (v * alpha[x] + alphaMax / 2) / alphaMax;
        }
        out[y * w + x] = (byte) v;
      }
    }
    return new Native(out, h, w, 1);
  }

  /**
   * RGB of a colour image. A {@code TYPE_3BYTE_BGR} image (what the JPEG reader returns) is
   * copied straight from its raster, whose bands are R, G, B; anything else (palettes, 16-bit,
   * ICC colour spaces, alpha) goes through {@link BufferedImage#getRGB}, which converts to sRGB
   * without needing a graphics environment.
   */
  private static Native rgbOf(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h * 3];
    if (image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      image.getRaster().getDataElements(0, 0, w, h, out);
      return new Native(out, h, w, 3);
    }
    int[] argb = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, argb, 0, w);
      for (int x = 0; x < w; x++) {
        int p = argb[x];
        int a = p >>> 24;
        int o = (y * w + x) * 3;
        out[o] = (byte) onBlack((p >> 16) & 0xff, a);
        out[o + 1] = (byte) onBlack((p >> 8) & 0xff, a);
        out[o + 2] = (byte) onBlack(p & 0xff, a);
      }
    }
    return new Native(out, h, w, 3);
  }

  private static int onBlack(int value, int alpha) {
    return alpha == 255 ? value : (value * alpha + 127) / 255;
  }
}
