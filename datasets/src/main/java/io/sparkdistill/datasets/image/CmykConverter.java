package io.sparkdistill.datasets.image;

import java.awt.image.Raster;

/**
 * Converts the raw four-component raster of a CMYK or YCCK JPEG to RGB exactly as Pillow does
 * (libjpeg's colour handling, then Pillow's {@code CMYK;I} raw mode and {@code convert("RGB")}).
 *
 * <p>ImageIO's own CMYK handling is not usable: depending on the JDK it either refuses the file
 * ("Unsupported Image Type") or applies colours that no PyTorch loader would. So the raw raster is
 * read and converted here:
 *
 * <ol>
 *   <li>libjpeg's colour space: a file whose Adobe APP14 segment has a transform other than 0 is
 *       YCCK, and its first three components become {@code C = 255 - R(Y, Cb, Cr)} and so on with
 *       libjpeg's fixed-point YCbCr formula ({@code jdcolor.c}); K is stored as it is. Any other
 *       four-component file (Adobe transform 0, or no Adobe segment) is CMYK as stored.
 *   <li>Pillow reads every four-component JPEG as inverted CMYK ({@code rawmode = "CMYK;I"}, with
 *       or without an Adobe segment), so the ink is {@code 255 - value}.
 *   <li>Pillow's {@code cmyk2rgb}: {@code R = (255 - K) - round(C (255 - K) / 255)} in ink terms,
 *       no ICC profile (good enough for training images, not for print proofing).
 * </ol>
 */
final class CmykConverter {
  private CmykConverter() {}

  private static final int SCALEBITS = 16;
  private static final int ONE_HALF = 1 << (SCALEBITS - 1);
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final int[] CR_G = new int[256];
  private static final int[] CB_G = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int x = i - 128;
      CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
      CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
      CR_G[i] = -fix(0.71414) * x;
      CB_G[i] = -fix(0.34414) * x + ONE_HALF;
    }
  }

  /** RGB pixels, row-major HWC, of a raster with four bands. */
  static byte[] toRgb(Raster raster, JpegHeader header) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    boolean ycck = header.hasAdobeMarker() && header.adobeTransform() != 0;
    int[] row = new int[w * 4];
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int c = row[4 * x];
        int m = row[4 * x + 1];
        int ye = row[4 * x + 2];
        int k = row[4 * x + 3];
        if (ycck) {
          int luma = c;
          int cb = m;
          int cr = ye;
          c = clamp(255 - (luma + CR_R[cr]));
          m = clamp(255 - (luma + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS)));
          ye = clamp(255 - (luma + CB_B[cb]));
        }
        // libjpeg's values are inverted ink (CMYK;I); with nk = 255 - ink(K) = k:
        int o = (y * w + x) * 3;
        out[o] = (byte) (k - mulDiv255(255 - c, k));
        out[o + 1] = (byte) (k - mulDiv255(255 - m, k));
        out[o + 2] = (byte) (k - mulDiv255(255 - ye, k));
      }
    }
    return out;
  }

  /** Pillow's {@code MULDIV255}: {@code round(a b / 255)} in integers. */
  private static int mulDiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  }

  private static int fix(double v) {
    return (int) (v * (1L << SCALEBITS) + 0.5);
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
