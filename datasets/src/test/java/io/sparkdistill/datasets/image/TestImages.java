package io.sparkdistill.datasets.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Generates encoded test images in memory; no binary fixtures are checked in. */
public final class TestImages {
  private TestImages() {}

  /** A {@code width x height} RGB image of one colour. */
  public static BufferedImage solid(int width, int height, int r, int g, int b) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    int rgb = (r << 16) | (g << 8) | b;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }

  /** A grayscale image of one level. */
  public static BufferedImage gray(int width, int height, int level) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = image.getRaster();
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setSample(x, y, 0, level);
      }
    }
    return image;
  }

  /** High-quality JPEG bytes of {@code image}. */
  public static byte[] jpeg(BufferedImage image) {
    return writeJpeg(new IIOImage(image, null, null));
  }

  /** PNG bytes of {@code image}. */
  public static byte[] png(BufferedImage image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer");
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A four-component JPEG of one CMYK colour (0-255 ink amounts), stored as Pillow expects every
   * such file (inverted, 255 = no ink): {@code adobeTransform} -1 writes no Adobe segment; 0
   * writes Adobe CMYK; 2 writes Adobe YCCK as libjpeg does (the YCbCr of the ink of C, M, Y).
   */
  public static byte[] cmykJpeg(int width, int height, int[] cmyk, int adobeTransform) {
    int[] stored = new int[4];
    for (int i = 0; i < 4; i++) {
      stored[i] = 255 - cmyk[i];
    }
    if (adobeTransform == 2) {
      double r = cmyk[0];
      double g = cmyk[1];
      double b = cmyk[2];
      stored[0] = (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      stored[1] = (int) Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      stored[2] = (int) Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
    WritableRaster raster =
        Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setPixel(x, y, stored);
      }
    }
    byte[] jpeg = writeJpeg(new IIOImage(raster, null, null));
    return adobeTransform >= 0 ? withAdobeSegment(jpeg, adobeTransform) : jpeg;
  }

  /** The first {@code length} bytes of {@code bytes}. */
  public static byte[] truncate(byte[] bytes, int length) {
    return Arrays.copyOf(bytes, length);
  }

  /** A JPEG big and noisy enough that cutting it leaves part of the entropy-coded data. */
  public static byte[] noisyJpeg(int width, int height, long seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    java.util.Random random = new java.util.Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    return jpeg(image);
  }

  private static byte[] writeJpeg(IIOImage image) {
    return writeJpeg(image, false);
  }

  /** JPEG bytes (quality 0.95) of {@code image}, a raster or an image with optional metadata. */
  static byte[] writeJpeg(IIOImage image, boolean progressive) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0.95f);
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      writer.write(null, image, param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** Inserts an Adobe APP14 segment with the given transform (see {@link #withSegment}). */
  static byte[] withAdobeSegment(byte[] jpeg, int transform) {
    byte[] segment = {
      (byte) 0xff, (byte) 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform
    };
    return withSegment(jpeg, segment);
  }

  /**
   * Inserts a marker segment after SOI and, when present, after the JFIF APP0 segment that must
   * come first.
   */
  static byte[] withSegment(byte[] jpeg, byte[] segment) {
    int at = 2;
    if ((jpeg[2] & 0xff) == 0xff && (jpeg[3] & 0xff) == 0xe0) {
      at = 4 + (((jpeg[4] & 0xff) << 8) | (jpeg[5] & 0xff));
    }
    byte[] out = new byte[jpeg.length + segment.length];
    System.arraycopy(jpeg, 0, out, 0, at);
    System.arraycopy(segment, 0, out, at, segment.length);
    System.arraycopy(jpeg, at, out, at + segment.length, jpeg.length - at);
    return out;
  }
}
