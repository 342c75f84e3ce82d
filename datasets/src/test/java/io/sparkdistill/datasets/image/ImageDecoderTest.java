package io.sparkdistill.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparkdistill.datasets.examples.RejectReason;
import io.sparkdistill.datasets.image.ImageShape.ResizeMode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {
  private static final ImageDecoder RGB_40X30 =
      new ImageDecoder(new ImageShape(30, 40, 3, ResizeMode.CENTER_CROP));

  @Test
  void rgbJpegRoundTripKeepsTheColour() {
    byte[] pixels = decoded(RGB_40X30, TestImages.jpeg(TestImages.solid(40, 30, 200, 30, 60)));

    assertThat(pixels).hasSize(30 * 40 * 3);
    assertPixel(pixels, 0, 200, 30, 60, 4);
    assertPixel(pixels, 30 * 40 - 1, 200, 30, 60, 4);
  }

  @Test
  void anImageOverMaxPixelsIsRejectedFromItsHeaderWithoutDecoding() {
    // 20000 x 20000 = 400 megapixels declared, but no pixel data at all: only the header is read
    DecodeOutcome huge = RGB_40X30.decode(pngHeaderOnly(20_000, 20_000));
    assertThat(huge).isInstanceOf(DecodeOutcome.Failed.class);
    assertThat(((DecodeOutcome.Failed) huge).reason()).isEqualTo(RejectReason.TOO_MANY_PIXELS);
    assertThat(((DecodeOutcome.Failed) huge).detail())
        .isEqualTo(
            "PNG image of 20000x20000 = 400000000 pixels exceeds ingest.max-pixels = 89478485;"
                + " not decoded");
    assertThat(RGB_40X30.maxPixels()).isEqualTo(89_478_485L);

    byte[] jpeg = TestImages.jpeg(TestImages.solid(40, 30, 200, 30, 60));
    ImageDecoder strict =
        new ImageDecoder(new ImageShape(30, 40, 3, ResizeMode.CENTER_CROP), AlphaPolicy.DROP, 1199);
    ImageDecoder exact =
        new ImageDecoder(new ImageShape(30, 40, 3, ResizeMode.CENTER_CROP), AlphaPolicy.DROP, 1200);
    assertThat(strict.decode(jpeg))
        .isEqualTo(
            new DecodeOutcome.Failed(
                RejectReason.TOO_MANY_PIXELS,
                "JPEG image of 40x30 = 1200 pixels exceeds ingest.max-pixels = 1199; not decoded"));
    assertThat(exact.decode(jpeg)).isInstanceOf(DecodeOutcome.Decoded.class);
    assertThatThrownBy(
            () -> new ImageDecoder(new ImageShape(3, 3, 1, ResizeMode.STRETCH), AlphaPolicy.DROP, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPixels must be positive, got 0");
  }

  /** A PNG signature, an IHDR chunk of the given size (8-bit RGB) and IEND: no image data. */
  private static byte[] pngHeaderOnly(int width, int height) {
    java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height);
    ihdr.put(new byte[] {8, 2, 0, 0, 0});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, ihdr.array());
    chunk(out, "IEND".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, byte[] typeAndData) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(typeAndData);
    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(typeAndData.length - 4).array());
    out.writeBytes(typeAndData);
    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  @Test
  void pngIsRecognisedByItsContentAndIsLossless() {
    BufferedImage image = TestImages.solid(40, 30, 10, 20, 30);
    image.setRGB(39, 29, 0xfe0102);

    byte[] pixels = decoded(RGB_40X30, TestImages.png(image));

    assertPixel(pixels, 0, 10, 20, 30, 0);
    assertPixel(pixels, 30 * 40 - 1, 0xfe, 0x01, 0x02, 0);
  }

  @Test
  void palettePngBecomesRgb() {
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_INDEXED);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        image.setRGB(x, y, x < 20 ? 0xff0000 : 0x0000ff);
      }
    }

    byte[] pixels = decoded(RGB_40X30, TestImages.png(image));

    assertPixel(pixels, 0, 255, 0, 0, 0);
    assertPixel(pixels, 39, 0, 0, 255, 0);
  }

  @Test
  void alphaIsDroppedByDefaultOrCompositedOverWhiteOrBlack() {
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        image.setRGB(x, y, x < 20 ? 0x80_c8_64_32 : 0x00_ff_ff_ff);
      }
    }
    byte[] png = TestImages.png(image);
    ImageShape shape = RGB_40X30.shape();

    byte[] dropped = decoded(RGB_40X30, png);
    byte[] black = decoded(new ImageDecoder(shape, AlphaPolicy.BLACK), png);
    byte[] white = decoded(new ImageDecoder(shape, AlphaPolicy.WHITE), png);

    assertPixel(dropped, 0, 200, 100, 50, 0);
    assertPixel(dropped, 39, 255, 255, 255, 0);
    // alpha 128: round(v 128 / 255), round((v 128 + 255 127) / 255)
    assertPixel(black, 0, 100, 50, 25, 0);
    assertPixel(black, 39, 0, 0, 0, 0);
    assertPixel(white, 0, 227, 177, 152, 0);
    assertPixel(white, 39, 255, 255, 255, 0);
  }

  @Test
  void grayscaleJpegIsRepeatedIntoThreeChannels() {
    byte[] pixels = decoded(RGB_40X30, TestImages.jpeg(TestImages.gray(40, 30, 77)));

    assertThat(pixels).hasSize(30 * 40 * 3);
    assertPixel(pixels, 123, 77, 77, 77, 1);
  }

  @Test
  void rgbBecomesBt601LumaForOneChannel() {
    ImageDecoder gray = new ImageDecoder(new ImageShape(30, 40, 1, ResizeMode.CENTER_CROP));

    byte[] pixels = decoded(gray, TestImages.png(TestImages.solid(40, 30, 200, 30, 60)));

    assertThat(pixels).hasSize(30 * 40);
    // 0.299 * 200 + 0.587 * 30 + 0.114 * 60 = 84.25
    assertThat(pixels[0] & 0xff).isEqualTo(84);
  }

  @ParameterizedTest(name = "adobe transform {0}")
  @ValueSource(ints = {-1, 0, 2})
  void cmykAndYcckJpegsDecodeToPlausibleRgb(int adobeTransform) {
    int[] cmyk = {10, 200, 100, 30};

    byte[] pixels = decoded(RGB_40X30, TestImages.cmykJpeg(40, 30, cmyk, adobeTransform));

    // R = 255 (1 - C)(1 - K) and so on: (216, 48, 137)
    assertPixel(pixels, 0, 216, 48, 137, 6);
    assertPixel(pixels, 30 * 40 - 1, 216, 48, 137, 6);
  }

  @Test
  void truncatedJpegIsRejectedNotFilledWithGray() {
    byte[] jpeg = TestImages.noisyJpeg(200, 150, 1);

    DecodeOutcome.Failed half = failed(RGB_40X30, TestImages.truncate(jpeg, jpeg.length / 2));

    assertThat(half.reason()).isEqualTo(RejectReason.TRUNCATED_IMAGE);
    assertThat(half.detail())
        .startsWith("JPEG data ends early (")
        .contains("Missing EOI marker");
  }

  @Test
  void bytesAfterTheEndOfImageMarkerAreIgnored() {
    byte[] jpeg = TestImages.jpeg(TestImages.solid(40, 30, 200, 30, 60));
    byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 100);

    assertPixel(decoded(RGB_40X30, padded), 0, 200, 30, 60, 4);
  }

  @ParameterizedTest(name = "cut {0} bytes from the end")
  @ValueSource(ints = {2, 1000})
  void jpegCutNearItsEndIsTruncated(int cut) {
    byte[] jpeg = TestImages.noisyJpeg(200, 150, 2);

    DecodeOutcome.Failed failed = failed(RGB_40X30, TestImages.truncate(jpeg, jpeg.length - cut));

    assertThat(failed.reason()).isEqualTo(RejectReason.TRUNCATED_IMAGE);
  }

  @Test
  void jpegCutInsideItsHeaderIsTruncated() {
    byte[] jpeg = TestImages.noisyJpeg(200, 150, 3);

    DecodeOutcome.Failed failed = failed(RGB_40X30, TestImages.truncate(jpeg, 200));

    assertThat(failed.reason()).isEqualTo(RejectReason.TRUNCATED_IMAGE);
    assertThat(failed.detail()).startsWith("JPEG data ends early (");
  }

  @Test
  void truncatedPngIsTruncated() {
    BufferedImage image = new BufferedImage(200, 150, BufferedImage.TYPE_3BYTE_BGR);
    Random random = new Random(4);
    for (int y = 0; y < 150; y++) {
      for (int x = 0; x < 200; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    byte[] png = TestImages.png(image);

    DecodeOutcome.Failed failed = failed(RGB_40X30, TestImages.truncate(png, png.length / 2));

    assertThat(failed.reason()).isEqualTo(RejectReason.TRUNCATED_IMAGE);
    assertThat(failed.detail()).startsWith("PNG data ends early (");
  }

  @Test
  void nonImageBytesNameTheirFirstBytes() {
    byte[] html = "<html><body>not found</body></html>".getBytes(StandardCharsets.US_ASCII);

    DecodeOutcome.Failed failed = failed(RGB_40X30, html);

    assertThat(failed.reason()).isEqualTo(RejectReason.UNDECODABLE_IMAGE);
    assertThat(failed.detail())
        .isEqualTo("not a recognised image format (first bytes 3c 68 74 6d, 35 bytes)");
  }

  @Test
  void randomBytesAreUndecodable() {
    byte[] noise = new byte[5000];
    new Random(5).nextBytes(noise);
    noise[0] = 0x42; // not 0x00, which the lax WBMP sniffer could claim

    DecodeOutcome.Failed failed = failed(RGB_40X30, noise);

    assertThat(failed.reason()).isEqualTo(RejectReason.UNDECODABLE_IMAGE);
    assertThat(failed.detail()).startsWith("not a recognised image format (first bytes 42 ");
  }

  @Test
  void jpegMarkerFollowedByGarbageIsUndecodableOrTruncatedButNeverThrows() {
    byte[] garbage = new byte[3000];
    new Random(6).nextBytes(garbage);
    garbage[0] = (byte) 0xff;
    garbage[1] = (byte) 0xd8;
    garbage[2] = (byte) 0xff;
    garbage[3] = (byte) 0xe0;

    DecodeOutcome.Failed failed = failed(RGB_40X30, garbage);

    assertThat(failed.reason())
        .isIn(RejectReason.UNDECODABLE_IMAGE, RejectReason.TRUNCATED_IMAGE);
    assertThat(failed.detail()).contains("JPEG");
  }

  @Test
  void emptyInputIsUndecodable() {
    assertThat(failed(RGB_40X30, new byte[0]))
        .isEqualTo(
            new DecodeOutcome.Failed(RejectReason.UNDECODABLE_IMAGE, "empty file (0 bytes)"));
    assertThat(failed(RGB_40X30, null).reason()).isEqualTo(RejectReason.UNDECODABLE_IMAGE);
  }

  @Test
  void centreCropKeepsTheCentre() {
    ImageDecoder decoder = new ImageDecoder(new ImageShape(10, 10, 3, ResizeMode.CENTER_CROP));

    byte[] pixels = decoded(decoder, TestImages.png(stripes()));

    assertThat(pixels).hasSize(10 * 10 * 3);
    for (int i = 0; i < 100; i++) {
      assertPixel(pixels, i, 0, 255, 0, 0);
    }
  }

  @Test
  void stretchKeepsEverything() {
    ImageDecoder decoder = new ImageDecoder(new ImageShape(10, 30, 3, ResizeMode.STRETCH));

    byte[] pixels = decoded(decoder, TestImages.png(stripes()));

    assertThat(pixels).hasSize(10 * 30 * 3);
    assertPixel(pixels, 5 * 30 + 2, 255, 0, 0, 0);
    assertPixel(pixels, 5 * 30 + 15, 0, 255, 0, 0);
    assertPixel(pixels, 5 * 30 + 27, 0, 0, 255, 0);
  }

  @Test
  void largeDownscaleAveragesInsteadOfAliasing() {
    byte[] checker = new byte[400 * 400];
    for (int y = 0; y < 400; y++) {
      for (int x = 0; x < 400; x++) {
        checker[y * 400 + x] = (byte) (((x + y) % 2 == 0) ? 255 : 0);
      }
    }
    ImageDecoder decoder = new ImageDecoder(new ImageShape(7, 7, 1, ResizeMode.STRETCH));

    byte[] small = decoder.fit(checker, 400, 400, 1);

    assertThat(small).hasSize(49);
    for (byte b : small) {
      assertThat(b & 0xff).isCloseTo(128, within(1));
    }
  }

  @Test
  void upscaleInterpolatesBilinearly() {
    byte[] ramp = {0, (byte) 100};
    ImageDecoder decoder = new ImageDecoder(new ImageShape(1, 4, 1, ResizeMode.STRETCH));

    byte[] wide = decoder.fit(ramp, 1, 2, 1);

    // centres at -0.25, 0.25, 0.75, 1.25 source pixels, clamped at the borders
    assertThat(toInts(wide)).containsExactly(0, 25, 75, 100);
  }

  @Test
  void fitReturnsTheSameArrayWhenTheShapeMatches() {
    byte[] pixels = new byte[30 * 40 * 3];

    assertThat(RGB_40X30.fit(pixels, 30, 40, 3)).isSameAs(pixels);
  }

  @Test
  void fitConvertsChannelsWithoutResizing() {
    ImageDecoder gray = new ImageDecoder(new ImageShape(1, 2, 1, ResizeMode.STRETCH));
    ImageDecoder rgb = new ImageDecoder(new ImageShape(1, 2, 3, ResizeMode.STRETCH));

    assertThat(toInts(gray.fit(new byte[] {(byte) 255, 0, 0, 0, 0, (byte) 255}, 1, 2, 3)))
        .containsExactly(76, 29);
    assertThat(toInts(rgb.fit(new byte[] {7, 9}, 1, 2, 1))).containsExactly(7, 7, 7, 9, 9, 9);
  }

  @Test
  void fitRejectsInconsistentArguments() {
    assertThatThrownBy(() -> RGB_40X30.fit(new byte[10], 30, 40, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("10 bytes cannot be a 30x40x3 image (expected 3600)");
    assertThatThrownBy(() -> RGB_40X30.fit(new byte[8], 2, 1, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("channels must be 1 or 3, got 4");
  }

  @Test
  void decoderSurvivesJavaSerialisation() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(RGB_40X30);
    }
    ImageDecoder copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (ImageDecoder) in.readObject();
    }

    assertThat(copy.shape()).isEqualTo(RGB_40X30.shape());
  }

  /** 60x20: red, green and blue vertical thirds. */
  private static BufferedImage stripes() {
    BufferedImage image = new BufferedImage(60, 20, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 60; x++) {
        image.setRGB(x, y, x < 20 ? 0xff0000 : x < 40 ? 0x00ff00 : 0x0000ff);
      }
    }
    return image;
  }

  private static byte[] decoded(ImageDecoder decoder, byte[] encoded) {
    DecodeOutcome outcome = decoder.decode(encoded);
    assertThat(outcome).isInstanceOf(DecodeOutcome.Decoded.class);
    return ((DecodeOutcome.Decoded) outcome).pixels();
  }

  private static DecodeOutcome.Failed failed(ImageDecoder decoder, byte[] encoded) {
    DecodeOutcome outcome = decoder.decode(encoded);
    assertThat(outcome).isInstanceOf(DecodeOutcome.Failed.class);
    return (DecodeOutcome.Failed) outcome;
  }

  private static void assertPixel(byte[] rgb, int index, int r, int g, int b, int tolerance) {
    assertThat(rgb[3 * index] & 0xff).as("red of pixel %d", index).isCloseTo(r, within(tolerance));
    assertThat(rgb[3 * index + 1] & 0xff)
        .as("green of pixel %d", index)
        .isCloseTo(g, within(tolerance));
    assertThat(rgb[3 * index + 2] & 0xff)
        .as("blue of pixel %d", index)
        .isCloseTo(b, within(tolerance));
  }

  private static int[] toInts(byte[] bytes) {
    int[] out = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[i] & 0xff;
    }
    return out;
  }
}
