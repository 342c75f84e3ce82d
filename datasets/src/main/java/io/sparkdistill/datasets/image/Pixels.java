package io.sparkdistill.datasets.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** Row-major HWC uint8 pixels of a decoded image, and conversions between 1 and 3 channels. */
final class Pixels {
  private Pixels() {}

  /** Pixels at the decoded size with 1 (luma) or 3 (RGB) channels. */
  record Native(byte[] pixels, int height, int width, int channels) {}

  /**
   * Extracts the pixels of {@code image} the way Pillow's {@code convert("RGB")} / {@code "L"}
   * sees them: grey images keep one channel, everything else becomes RGB; the stored sample
   * values are taken as they are, never passed through an embedded ICC profile; 16-bit samples
   * keep their high byte; alpha is treated by {@code alpha}.
   */
  static Native of(BufferedImage image, AlphaPolicy alpha) {
    ColorModel cm = image.getColorModel();
    if (cm instanceof IndexColorModel palette) {
      return paletteOf(image, palette, alpha);
    }
    if (cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()) {
      int type = cm.getColorSpace().getType();
      int colours = cm.getNumColorComponents();
      if (type == ColorSpace.TYPE_GRAY && colours == 1
          || type == ColorSpace.TYPE_RGB && colours == 3) {
        return samplesOf(image, colours, alpha);
      }
    }
    return convertedOf(image, alpha);
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
   * The samples of a grey or RGB image (any colour space of that type, an ICC profile included:
   * its numbers are taken as they are, as Pillow takes them), with or without an alpha band.
   */
  private static Native samplesOf(BufferedImage image, int colours, AlphaPolicy alpha) {
    int w = image.getWidth();
    int h = image.getHeight();
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      // what the JPEG reader returns: the raster's bands are R, G, B
      byte[] out = new byte[w * h * 3];
      raster.getDataElements(0, 0, w, h, out);
      return new Native(out, h, w, 3);
    }
    int bands = raster.getNumBands();
    boolean hasAlpha = cm.hasAlpha() && bands > colours;
    int[] bits = new int[bands];
    for (int b = 0; b < bands; b++) {
      bits[b] = cm.getComponentSize(Math.min(b, cm.getNumComponents() - 1));
    }
    int[] row = new int[w * bands];
    byte[] out = new byte[w * h * colours];
    for (int y = 0; y < h; y++) {
      raster.getPixels(0, y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int in = x * bands;
        int a = hasAlpha ? to8(row[in + colours], bits[colours]) : 255;
        int o = (y * w + x) * colours;
        for (int c = 0; c < colours; c++) {
          out[o + c] = (byte) alpha.apply(to8(row[in + c], bits[c]), a);
        }
      }
    }
    return new Native(out, h, w, colours);
  }

  /** RGB of a palette image; a palette's alpha (PNG tRNS) is treated by {@code alpha}. */
  private static Native paletteOf(BufferedImage image, IndexColorModel cm, AlphaPolicy alpha) {
    int w = image.getWidth();
    int h = image.getHeight();
    Raster raster = image.getRaster();
    int[] index = new int[w];
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, index);
      for (int x = 0; x < w; x++) {
        int i = index[x];
        int a = cm.getAlpha(i);
        int o = (y * w + x) * 3;
        out[o] = (byte) alpha.apply(cm.getRed(i), a);
        out[o + 1] = (byte) alpha.apply(cm.getGreen(i), a);
        out[o + 2] = (byte) alpha.apply(cm.getBlue(i), a);
      }
    }
    return new Native(out, h, w, 3);
  }

  /**
   * RGB of any other image (packed BMP pixels, premultiplied alpha, unusual colour spaces)
   * through {@link BufferedImage#getRGB}, the colour model's own conversion to sRGB; it needs no
   * graphics environment.
   */
  private static Native convertedOf(BufferedImage image, AlphaPolicy alpha) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h * 3];
    int[] argb = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, argb, 0, w);
      for (int x = 0; x < w; x++) {
        int p = argb[x];
        int a = p >>> 24;
        int o = (y * w + x) * 3;
        out[o] = (byte) alpha.apply((p >> 16) & 0xff, a);
        out[o + 1] = (byte) alpha.apply((p >> 8) & 0xff, a);
        out[o + 2] = (byte) alpha.apply(p & 0xff, a);
      }
    }
    return new Native(out, h, w, 3);
  }

  /**
   * A sample of {@code bits} bits as 8 bits: 16-bit samples keep their high byte (Pillow's
   * {@code RGB;16B}, {@code RGBA;16B} and {@code LA;16B} unpackers), other depths are scaled with
   * rounding.
   */
  static int to8(int sample, int bits) {
    if (bits == 8) {
      return sample;
    }
    if (bits == 16) {
      return sample >>> 8;
    }
    int max = (1 << bits) - 1;
    return (int) (((long) sample * 255 + max / 2) / max);
  }
}
