package io.sparkdistill.datasets.image;

import java.awt.image.Raster;

/**
 * Converts the raw four-component raster of a CMYK or YCCK JPEG to RGB.
 *
 * <p>ImageIO's own CMYK handling is not usable: depending on the JDK it either refuses the file
 * ("Unsupported Image Type") or returns colours that ignore Adobe's inverted storage. So the raw
 * raster is read and converted here with the naive formula {@code R = (1 - C)(1 - K)} (no ICC
 * profile; good enough for training images, not for print proofing).
 *
 * <p>Storage conventions, as libjpeg and PIL read them: files with an Adobe APP14 segment (what
 * Photoshop writes) store inverted values (255 = no ink); with Adobe transform 2 the first three
 * components are additionally YCbCr-encoded (YCCK) and decode to inverted C, M, Y. Files without
 * the segment store plain CMYK.
 */
final class CmykConverter {
  private CmykConverter() {}

  /** RGB pixels, row-major HWC, of a raster with four bands. */
  static byte[] toRgb(Raster raster, JpegHeader header) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    boolean ycck = header.adobeTransform() == JpegHeader.ADOBE_YCCK;
    boolean inverted = header.hasAdobeMarker();
    int[] row = new int[w * 4];
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int a = row[4 * x];
        int b = row[4 * x + 1];
        int c = row[4 * x + 2];
        int k = row[4 * x + 3];
        if (ycck) {
          int luma = a;
          int cb = b - 128;
          int cr = c - 128;
          a = clamp(luma + 1.402 * cr);
          b = clamp(luma - 0.344136 * cb - 0.714136 * cr);
          c = clamp(luma + 1.772 * cb);
        }
        if (!inverted) {
          a = 255 - a;
          b = 255 - b;
          c = 255 - c;
          k = 255 - k;
        }
        int o = (y * w + x) * 3;
        out[o] = (byte) ((a * k + 127) / 255);
        out[o + 1] = (byte) ((b * k + 127) / 255);
        out[o + 2] = (byte) ((c * k + 127) / 255);
      }
    }
    return out;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
