package io.sparkdistill.datasets.image;

import io.sparkdistill.datasets.examples.RejectReason;
import java.awt.color.CMMException;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes encoded images (JPEG, PNG, GIF, BMP, TIFF: whatever {@code javax.imageio} reads) and
 * fits them to an {@link ImageShape}: row-major HWC unsigned bytes, RGB or luma.
 *
 * <p>Bad data never throws: {@link #decode} returns {@link DecodeOutcome.Failed} with a reason and
 * a human detail. In particular:
 *
 * <ul>
 *   <li>the format is sniffed from the content, never from a file name (a PNG named {@code .JPEG}
 *       decodes as a PNG);
 *   <li>a JPEG that ends before its end-of-image marker is {@link RejectReason#TRUNCATED_IMAGE},
 *       although ImageIO would silently fill the missing part with gray;
 *   <li>CMYK and YCCK JPEGs, which ImageIO refuses or miscolours, are read as raw rasters and
 *       converted to RGB as Pillow converts them ({@link CmykConverter});
 *   <li>the pixels are those Pillow's {@code Image.open(f).convert("RGB")} gives, the loader of
 *       torchvision's {@code ImageFolder}: embedded ICC profiles are ignored ({@link
 *       ColourProfiles}), EXIF orientation is not applied, 16-bit samples keep their high byte,
 *       and alpha (RGBA, grey + alpha, palette transparency) is treated by the {@link
 *       AlphaPolicy}, dropped by default;
 *   <li>RGB becomes luma with the ITU-R BT.601 weights when the shape has one channel, and luma is
 *       repeated into three channels when it has three.
 * </ul>
 *
 * <p>README "Decoding conventions" lists them against torchvision; {@code
 * DecoderConformanceTest} checks them against independent decoders.
 *
 * <p>Stateless apart from its shape, alpha policy and pixel limit, so one instance per Spark partition (or one shared) is fine.
 * Nothing global is changed: the ImageIO disk cache is bypassed by reading from memory streams.
 */
public final class ImageDecoder implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The default of {@code ingest.max-pixels}: Pillow's {@code Image.MAX_IMAGE_PIXELS} (1024 * 1024
   * * 1024 / 4 / 3 = 89,478,485, the size above which Pillow warns of a decompression bomb).
   */
  public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

  private final ImageShape shape;
  private final AlphaPolicy alpha;
  private final long maxPixels;

  /** A decoder producing images of {@code shape}, dropping alpha (Pillow's convention). */
  public ImageDecoder(ImageShape shape) {
    this(shape, AlphaPolicy.DROP);
  }

  /** A decoder producing images of {@code shape}, treating transparency by {@code alpha}. */
  public ImageDecoder(ImageShape shape, AlphaPolicy alpha) {
    this(shape, alpha, DEFAULT_MAX_PIXELS);
  }

  /**
   * A decoder producing images of {@code shape}, treating transparency by {@code alpha}, and
   * refusing, from the image header alone and before any pixel is decoded, an image of more than
   * {@code maxPixels} pixels ({@link RejectReason#TOO_MANY_PIXELS}), so that one hostile or huge
   * file cannot exhaust an executor's heap.
   *
   * @throws IllegalArgumentException if {@code maxPixels} is not positive
   */
  public ImageDecoder(ImageShape shape, AlphaPolicy alpha, long maxPixels) {
    this.shape = Objects.requireNonNull(shape, "shape");
    this.alpha = Objects.requireNonNull(alpha, "alpha");
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
  }

  /** The shape every decoded or fitted image has. */
  public ImageShape shape() {
    return shape;
  }

  /** The most pixels an image may have to be decoded. */
  public long maxPixels() {
    return maxPixels;
  }

  /** What becomes of transparent pixels. */
  public AlphaPolicy alpha() {
    return alpha;
  }

  /**
   * Decode encoded bytes (JPEG, PNG, ... sniffed by content, never by file name) and fit them to
   * the shape.
   */
  public DecodeOutcome decode(byte[] encoded) {
    if (encoded == null || encoded.length == 0) {
      return new DecodeOutcome.Failed(RejectReason.UNDECODABLE_IMAGE, "empty file (0 bytes)");
    }
    byte[] stripped = ColourProfiles.strip(encoded);
    ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(stripped));
    try {
      return decodeStream(in, stripped);
    } catch (RuntimeException e) {
      // a plug-in failing outside read(), e.g. while sniffing the format
      return new DecodeOutcome.Failed(
          RejectReason.UNDECODABLE_IMAGE, "cannot decode image: " + describe(e));
    } finally {
      closeQuietly(in);
    }
  }

  private DecodeOutcome decodeStream(ImageInputStream in, byte[] encoded) {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      return new DecodeOutcome.Failed(
          RejectReason.UNDECODABLE_IMAGE,
          "not a recognised image format (first bytes "
              + firstBytes(encoded)
              + ", "
              + encoded.length
              + " bytes)");
    }
    ImageReader reader = readers.next();
    try {
      return decodeWith(reader, in, encoded);
    } finally {
      reader.dispose();
    }
  }

  /**
   * Fit raw HWC uint8 pixels of the given size/channels to the shape (resize + channel
   * conversion); returns the input array unchanged when it already matches.
   *
   * @throws IllegalArgumentException if {@code channels} is not 1 or 3 or the array length is not
   *     {@code height * width * channels}
   */
  public byte[] fit(byte[] pixels, int height, int width, int channels) {
    Objects.requireNonNull(pixels, "pixels");
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image height and width must be positive, got " + height + "x" + width);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if ((long) height * width * channels != pixels.length) {
      throw new IllegalArgumentException(
          String.format(
              "%d bytes cannot be a %dx%dx%d image (expected %d)",
              pixels.length, height, width, channels, (long) height * width * channels));
    }
    int to = shape.channels();
    // convert channels on the smaller side of the resize
    byte[] out = to < channels ? Pixels.convertChannels(pixels, channels, to) : pixels;
    int c = Math.min(to, channels);
    out = Resizer.resize(out, height, width, c, shape.height(), shape.width(), shape.resize());
    return to > channels ? Pixels.convertChannels(out, channels, to) : out;
  }

  private DecodeOutcome decodeWith(ImageReader reader, ImageInputStream in, byte[] encoded) {
    String format = reader.getOriginatingProvider().getFormatNames()[0].toUpperCase(Locale.ROOT);
    List<String> warnings = new ArrayList<>();
    reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
    reader.setInput(in, true, true);
    Pixels.Native image;
    try {
      long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
      if (pixels > maxPixels) {
        return new DecodeOutcome.Failed(
            RejectReason.TOO_MANY_PIXELS,
            String.format(
                "%s image of %dx%d = %d pixels exceeds ingest.max-pixels = %d; not decoded",
                format, reader.getWidth(0), reader.getHeight(0), pixels, maxPixels));
      }
      JpegHeader jpeg = JpegHeader.isJpeg(encoded) ? JpegHeader.parse(encoded) : null;
      if (jpeg != null && jpeg.components() == 4) {
        Raster raster = reader.readRaster(0, null);
        image =
            new Pixels.Native(
                CmykConverter.toRgb(raster, jpeg), raster.getHeight(), raster.getWidth(), 3);
      } else if (jpeg != null && jpeg.components() != 1 && jpeg.components() != 3) {
        return new DecodeOutcome.Failed(
            RejectReason.UNSUPPORTED_COLOR_MODEL,
            "JPEG with "
                + jpeg.components()
                + " colour components (only 1, 3 and 4 are supported)");
      } else {
        BufferedImage decoded = reader.read(0);
        image = Pixels.of(decoded, alpha);
      }
    } catch (IOException | RuntimeException e) {
      return failure(format, warnings, e);
    }
    if (truncated(warnings)) {
      return new DecodeOutcome.Failed(
          RejectReason.TRUNCATED_IMAGE,
          format + " data ends early (" + String.join("; ", distinct(warnings)) + ")");
    }
    return new DecodeOutcome.Decoded(
        fit(image.pixels(), image.height(), image.width(), image.channels()));
  }

  private static DecodeOutcome failure(String format, List<String> warnings, Exception e) {
    String message = describe(e);
    if (truncated(warnings) || endsEarly(e)) {
      List<String> why = distinct(warnings);
      why.add(message);
      return new DecodeOutcome.Failed(
          RejectReason.TRUNCATED_IMAGE,
          format + " data ends early (" + String.join("; ", why) + ")");
    }
    if (colourModelProblem(e)) {
      return new DecodeOutcome.Failed(
          RejectReason.UNSUPPORTED_COLOR_MODEL,
          "cannot convert the colours of this " + format + " image: " + message);
    }
    return new DecodeOutcome.Failed(
        RejectReason.UNDECODABLE_IMAGE, "cannot decode " + format + " image: " + message);
  }

  /**
   * True when the reader hit the end of the data. Other warnings (libjpeg's "Corrupt JPEG data:
   * premature end of data segment" or "extraneous bytes before marker" inside a complete file) mean
   * the decoder recovered from damaged data; such images are kept, as PIL keeps them.
   */
  private static boolean truncated(List<String> warnings) {
    for (String w : warnings) {
      String lower = w.toLowerCase(Locale.ROOT);
      if (lower.contains("truncated") || lower.contains("missing eoi")) {
        return true;
      }
    }
    return false;
  }

  private static boolean endsEarly(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (t instanceof EOFException
          || m.contains("unexpected end")
          || m.contains("premature end")) {
        return true;
      }
    }
    return false;
  }

  private static boolean colourModelProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (t instanceof CMMException
          || m.contains("unsupported image type")
          || m.contains("color conversion")
          || m.contains("colorspace")) {
        return true;
      }
    }
    return false;
  }

  /** The exception and its causes as one line, e.g. "Error reading PNG image data: EOF". */
  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (sb.length() > 0) {
        sb.append(": ");
      }
      String message = t.getMessage() == null || t.getMessage().isBlank() ? null : t.getMessage();
      if (message == null || !(t instanceof IOException)) {
        sb.append(t.getClass().getSimpleName());
      }
      if (message != null) {
        sb.append(t instanceof IOException ? "" : " ").append(message);
      }
    }
    return sb.toString();
  }

  private static void closeQuietly(ImageInputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // a memory stream holds nothing that could leak
    }
  }

  private static List<String> distinct(List<String> items) {
    return new ArrayList<>(new LinkedHashSet<>(items));
  }

  private static String firstBytes(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, bytes.length); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02x", bytes[i] & 0xff));
    }
    return sb.toString();
  }
}
