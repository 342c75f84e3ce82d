package io.sparkdistill.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import org.assertj.core.api.SoftAssertions;
import io.sparkdistill.datasets.image.ImageShape.ResizeMode;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.NodeList;

/**
 * Ingest's decoded pixels against an independent decoder, for every colour type ingest accepts.
 *
 * <p>The fixtures are generated here (ImageIO's writers, some segments crafted by hand), written
 * to files and decoded twice: by {@link ImageDecoder}, as ingest decodes them, and by {@code
 * src/test/node/decode.js}, which runs the pure-JavaScript npm decoders {@code pngjs} 7.0.0 and
 * {@code jpeg-js} 0.4.4 under node (installed by {@code bin/install-test-tools}; without node or
 * the packages this test fails and says so). Neither shares code with ImageIO or libjpeg.
 *
 * <p>The reference's alpha is applied here by the formulas of {@code ingest.alpha} (drop, over
 * white, over black), so every policy is compared on every fixture. Tolerances, per sample:
 *
 * <ul>
 *   <li>PNG (lossless): at most {@value #PNG_MAX} level apart (16-bit: both keep the high byte).
 *   <li>JPEG without chroma subsampling (grey, 4:4:4, CMYK, YCCK): at most {@value #JPEG_MAX}
 *       levels apart and {@value #JPEG_MEAN} on average, as the two decoders' inverse DCTs and
 *       colour conversions round differently.
 *   <li>JPEG with 4:2:0 chroma (ImageIO's default): at most {@value #JPEG_420_MAX} levels apart
 *       and {@value #JPEG_420_MEAN} on average, as jpeg-js also replicates subsampled chroma
 *       where libjpeg (ImageIO, and Pillow's libjpeg-turbo) interpolates; the fixtures are smooth,
 *       so that stays small.
 * </ul>
 *
 * <p>jpeg-js cannot decode a four-component JPEG without an Adobe segment. Pillow reads every
 * four-component JPEG as inverted CMYK, with or without the segment ({@code rawmode = "CMYK;I"}
 * in its {@code JpegImagePlugin}), exactly as an Adobe file with transform 0; so the reference
 * for that fixture is jpeg-js on the same bytes with an Adobe transform-0 segment inserted. The
 * 16-bit grey fixture is the one deliberate difference from Pillow (see README, "Decoding
 * conventions"): Pillow opens it as {@code I;16} and {@code convert("RGB")} clamps every value
 * above 255 to white; ingest and the reference keep the high byte, as for every other 16-bit PNG.
 */
class DecoderConformanceTest {
  private static final int PNG_MAX = 1;
  /** JPEGs without chroma subsampling (grey, 4:4:4, CMYK, YCCK). */
  private static final int JPEG_MAX = 3;
  private static final double JPEG_MEAN = 1.0;
  /** Colour JPEGs with 4:2:0 chroma, ImageIO's default: jpeg-js replicates chroma. */
  private static final int JPEG_420_MAX = 6;
  private static final double JPEG_420_MEAN = 2.5;
  private static final List<String> JPEG_420 =
      List.of("jpeg-baseline", "jpeg-progressive", "jpeg-icc", "jpeg-exif-rotated");

  private static final int W = 48;
  private static final int H = 32;
  private static final Path SCRIPT = Path.of("src/test/node/decode.js");

  @TempDir static Path dir;

  /** Fixture name to its bytes. */
  private static final Map<String, byte[]> FIXTURES = new LinkedHashMap<>();
  /** Fixture name to the file the reference decodes (differs only for the non-Adobe CMYK). */
  private static final Map<String, Path> REFERENCE_INPUT = new LinkedHashMap<>();
  /** Fixture name to the reference decoder's RGBA. */
  private static final Map<String, Reference> REFERENCE = new LinkedHashMap<>();

  record Reference(int width, int height, byte[] rgba) {}

  @BeforeAll
  static void decodeFixturesWithTheReference() throws Exception {
    jpeg("jpeg-baseline", rgbGradient(W, H), false);
    fixture("jpeg-444", writeJpeg(withoutChromaSubsampling(rgbGradient(W, H)), false));
    jpeg("jpeg-progressive", rgbGradient(W, H), true);
    jpeg("jpeg-grey", greyGradient(W, H, BufferedImage.TYPE_BYTE_GRAY), false);
    fixture("jpeg-icc", withSegment(writeJpeg(rgbGradient(W, H), false), iccSegment()));
    fixture("jpeg-exif-rotated", withSegment(writeJpeg(rgbGradient(W, H), false), exifOrientation6()));
    byte[] cmyk = cmykJpeg(false);
    fixture("jpeg-cmyk", cmyk, withAdobeSegment(cmyk, 0));
    fixture("jpeg-cmyk-adobe", withAdobeSegment(cmykJpeg(true), 0));
    fixture("jpeg-ycck-adobe", withAdobeSegment(ycckJpeg(), 2));
    png("png-rgb", rgbGradient(W, H));
    png("png-rgba", rgba());
    png("png-grey", greyGradient(W, H, BufferedImage.TYPE_BYTE_GRAY));
    png("png-grey-alpha", greyAlpha());
    png("png-palette", palette(false));
    png("png-palette-trns", palette(true));
    png("png-rgb-16", rgb16(false));
    png("png-rgba-16", rgb16(true));
    png("png-grey-16", greyGradient(W, H, BufferedImage.TYPE_USHORT_GRAY));
    png("png-grey-2", grey2());
    fixture("png-icc", withIccpChunk(writePng(rgbGradient(W, H))));

    byte[] grey2 = FIXTURES.get("png-grey-2");
    assertThat(new int[] {grey2[24], grey2[25]}).as("IHDR bit depth, colour type").containsExactly(2, 0);
    assertThat(JpegHeader.parse(FIXTURES.get("jpeg-cmyk")).components()).isEqualTo(4);
    assertThat(JpegHeader.parse(FIXTURES.get("jpeg-cmyk")).hasAdobeMarker()).isFalse();
    REFERENCE.putAll(runReference());
  }

  @Test
  void everyFixtureMatchesTheReferenceUnderEveryAlphaPolicy() {
    List<String> report = new ArrayList<>();
    SoftAssertions softly = new SoftAssertions();
    for (String name : FIXTURES.keySet()) {
      Reference ref = REFERENCE.get(name);
      assertThat(ref).as("reference decoding of %s", name).isNotNull();
      boolean png = name.startsWith("png");
      for (AlphaPolicy policy : AlphaPolicy.values()) {
        byte[] ours = decode(name, ref.height(), ref.width(), 3, policy);
        Diff diff = compare(ours, expected(ref, policy), 3);
        report.add(String.format("%-18s %-5s max %d mean %.3f", name, policy, diff.max, diff.mean));
        if (png) {
          softly.assertThat(diff.max).as("%s, alpha %s: %s", name, policy, diff)
              .isLessThanOrEqualTo(PNG_MAX);
        } else {
          boolean subsampled = JPEG_420.contains(name);
          softly.assertThat(diff.max).as("%s, alpha %s: %s", name, policy, diff)
              .isLessThanOrEqualTo(subsampled ? JPEG_420_MAX : JPEG_MAX);
          softly.assertThat(diff.mean).as("%s, alpha %s: %s", name, policy, diff)
              .isLessThanOrEqualTo(subsampled ? JPEG_420_MEAN : JPEG_MEAN);
        }
      }
    }
    System.out.println(
        "DecoderConformanceTest, ingest vs pngjs / jpeg-js:\n  " + String.join("\n  ", report));
    softly.assertAll();
  }

  @Test
  void greySourcesStoredAsOneChannelAreTheReferenceGrey() {
    for (String name :
        List.of("jpeg-grey", "png-grey", "png-grey-alpha", "png-grey-16", "png-grey-2")) {
      Reference ref = REFERENCE.get(name);
      byte[] ours = decode(name, ref.height(), ref.width(), 1, AlphaPolicy.DROP);
      byte[] grey = new byte[ref.width() * ref.height()];
      for (int i = 0; i < grey.length; i++) {
        grey[i] = ref.rgba()[4 * i];
      }
      Diff diff = compare(ours, grey, 1);
      assertThat(diff.max)
          .as("%s: %s", name, diff)
          .isLessThanOrEqualTo(name.startsWith("png") ? PNG_MAX : JPEG_MAX);
    }
  }

  @Test
  void transparentPixelsKeepTheirColourByDefault() {
    // the bug of issue 17: ingest composited over black, Pillow's convert("RGB") drops alpha
    // pixel 0 has alpha 0 over red 20
    Reference ref = REFERENCE.get("png-rgba");
    assertThat(ref.rgba()[3] & 0xff).isZero();
    assertThat(ref.rgba()[0] & 0xff).isEqualTo(20);
    assertThat(new ImageDecoder(new ImageShape(H, W, 3, ResizeMode.STRETCH)).alpha())
        .isEqualTo(AlphaPolicy.DROP);
    assertThat(rgb("png-rgba", AlphaPolicy.DROP)[0] & 0xff).isEqualTo(20);
    assertThat(rgb("png-rgba", AlphaPolicy.BLACK)[0] & 0xff).isZero();
    assertThat(rgb("png-rgba", AlphaPolicy.WHITE)[0] & 0xff).isEqualTo(255);
  }

  @Test
  void exifOrientationIsNotApplied() {
    // Pillow's Image.open + convert("RGB") does not rotate either (ImageOps.exif_transpose would)
    Reference ref = REFERENCE.get("jpeg-exif-rotated");
    assertThat(ref.width()).isEqualTo(W);
    assertThat(ref.height()).isEqualTo(H);
    assertThat(rgb("jpeg-exif-rotated", AlphaPolicy.DROP))
        .isEqualTo(rgb("jpeg-baseline", AlphaPolicy.DROP));
  }

  @Test
  void anEmbeddedColourProfileChangesNoPixel() {
    assertThat(rgb("jpeg-icc", AlphaPolicy.DROP)).isEqualTo(rgb("jpeg-baseline", AlphaPolicy.DROP));
    assertThat(rgb("png-icc", AlphaPolicy.DROP)).isEqualTo(rgb("png-rgb", AlphaPolicy.DROP));
  }

  @Test
  void sixteenBitSamplesKeepTheirHighByte() {
    // 0x12ff: high byte 18, where rounding to 8 bits (x / 257) would give 19
    assertThat(rgb("png-rgb-16", AlphaPolicy.DROP)[0] & 0xff).isEqualTo(0x12);
  }

  // ---- decoding

  /** A W x H fixture decoded to RGB at its own size. */
  private static byte[] rgb(String name, AlphaPolicy policy) {
    return decode(name, H, W, 3, policy);
  }

  private static byte[] decode(
      String name, int height, int width, int channels, AlphaPolicy policy) {
    DecodeOutcome outcome =
        new ImageDecoder(new ImageShape(height, width, channels, ResizeMode.STRETCH), policy)
            .decode(FIXTURES.get(name));
    if (outcome instanceof DecodeOutcome.Failed failed) {
      throw new AssertionError(name + " did not decode: " + failed);
    }
    return ((DecodeOutcome.Decoded) outcome).pixels();
  }

  /** The reference's RGB under {@code policy}, by the formulas reference.conf documents. */
  private static byte[] expected(Reference ref, AlphaPolicy policy) {
    int n = ref.width() * ref.height();
    byte[] out = new byte[n * 3];
    for (int i = 0; i < n; i++) {
      int a = ref.rgba()[4 * i + 3] & 0xff;
      for (int c = 0; c < 3; c++) {
        int v = ref.rgba()[4 * i + c] & 0xff;
        double composed =
            switch (policy) {
              case DROP -> v;
              case WHITE -> (v * a + 255.0 * (255 - a)) / 255.0;
              case BLACK -> v * a / 255.0;
            };
        out[3 * i + c] = (byte) Math.round(composed);
      }
    }
    return out;
  }

  record Diff(int max, double mean, int at) {}

  private static Diff compare(byte[] ours, byte[] reference, int channels) {
    assertThat(ours).hasSameSizeAs(reference);
    long sum = 0;
    int max = 0;
    int at = -1;
    for (int i = 0; i < ours.length; i++) {
      int d = Math.abs((ours[i] & 0xff) - (reference[i] & 0xff));
      sum += d;
      if (d > max) {
        max = d;
        at = i / channels;
      }
    }
    return new Diff(max, (double) sum / ours.length, at);
  }

  /** Runs decode.js over every fixture file; fails the test, saying why, when it cannot. */
  private static Map<String, Reference> runReference() throws Exception {
    Path tools = toolsDir();
    for (String[] pkg : new String[][] {{"pngjs", "7.0.0"}, {"jpeg-js", "0.4.4"}}) {
      Path manifest = tools.resolve("node_modules").resolve(pkg[0]).resolve("package.json");
      if (!Files.isRegularFile(manifest)
          || !Files.readString(manifest).contains("\"version\": \"" + pkg[1] + "\"")) {
        fail(
            "DecoderConformanceTest needs the npm package %s %s in %s: run bin/install-test-tools"
                + " (it needs node and npm; set SPARK_DISTILL_TEST_TOOLS to use another folder)",
            pkg[0], pkg[1], tools.resolve("node_modules"));
      }
    }
    assertThat(SCRIPT).as("the reference decoder script").isRegularFile();
    List<String> command = new ArrayList<>(List.of("node", SCRIPT.toString()));
    Map<Path, String> names = new LinkedHashMap<>();
    REFERENCE_INPUT.forEach((name, file) -> {
      command.add(file.toString());
      names.put(file, name);
    });
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("NODE_PATH", tools.resolve("node_modules").toString());
    builder.redirectError(dir.resolve("decode.err").toFile());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return fail(
          "DecoderConformanceTest needs node (20 or later) on the PATH to run its reference decoder"
              + " (bin/install-test-tools): " + e.getMessage());
    }
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("node decode.js did not finish");
    }
    if (process.exitValue() != 0) {
      fail("node decode.js failed (exit %d): %s", process.exitValue(), Files.readString(dir.resolve("decode.err")));
    }
    Map<String, Reference> decoded = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(" ");
      decoded.put(
          names.get(Path.of(f[0])),
          new Reference(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Base64.getDecoder().decode(f[3])));
    }
    return decoded;
  }

  private static Path toolsDir() {
    String explicit = System.getenv("SPARK_DISTILL_TEST_TOOLS");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String cache = System.getenv("XDG_CACHE_HOME");
    Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("spark-distill").resolve("test-tools");
  }

  // ---- fixtures

  private static void fixture(String name, byte[] bytes) throws IOException {
    fixture(name, bytes, bytes);
  }

  private static void fixture(String name, byte[] bytes, byte[] forReference) throws IOException {
    FIXTURES.put(name, bytes);
    Path file = dir.resolve(name + (name.startsWith("png") ? ".png" : ".jpg"));
    Files.write(file, forReference);
    REFERENCE_INPUT.put(name, file);
  }

  private static void jpeg(String name, BufferedImage image, boolean progressive) throws IOException {
    fixture(name, writeJpeg(image, progressive));
  }

  private static void png(String name, BufferedImage image) throws IOException {
    fixture(name, writePng(image));
  }

  /** A smooth colour image: red across, green down, blue along the diagonal. */
  private static BufferedImage rgbGradient(int w, int h) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = 20 + x * 215 / (w - 1);
        int g = 230 - y * 200 / (h - 1);
        int b = 60 + (x + y) * 150 / (w + h - 2);
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  /** A smooth grey image, 8-bit or 16-bit (16-bit values with low bytes that are not 0). */
  private static BufferedImage greyGradient(int w, int h, int type) {
    BufferedImage image = new BufferedImage(w, h, type);
    WritableRaster raster = image.getRaster();
    boolean wide = type == BufferedImage.TYPE_USHORT_GRAY;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = 10 + (x * 3 + y * 2) * 235 / (3 * (w - 1) + 2 * (h - 1));
        raster.setSample(x, y, 0, wide ? (v << 8) | (255 - v) : v);
      }
    }
    return image;
  }

  /** 2-bit grey (levels 0, 85, 170, 255 once scaled), stripes. */
  private static BufferedImage grey2() {
    byte[] ramp = {0, 85, (byte) 170, (byte) 255};
    IndexColorModel cm = new IndexColorModel(2, 4, ramp, ramp, ramp);
    BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY, cm);
    WritableRaster raster = image.getRaster();
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        raster.setSample(x, y, 0, (x / 4 + y) % 4);
      }
    }
    return image;
  }

  /** RGBA whose alpha runs from 0 (first column) to 255 (last), over coloured pixels. */
  private static BufferedImage rgba() {
    BufferedImage colour = rgbGradient(W, H);
    BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_4BYTE_ABGR);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int a = x * 255 / (W - 1);
        image.setRGB(x, y, (a << 24) | (colour.getRGB(x, y) & 0xffffff));
      }
    }
    return image;
  }

  /** Grey + alpha (PNG colour type 4), alpha falling down the rows. */
  private static BufferedImage greyAlpha() {
    ComponentColorModel cm =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false, ComponentColorModel.TRANSLUCENT,
            DataBuffer.TYPE_BYTE);
    WritableRaster raster = cm.createCompatibleWritableRaster(W, H);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        raster.setSample(x, y, 0, 30 + x * 4);
        raster.setSample(x, y, 1, 255 - y * 8);
      }
    }
    return new BufferedImage(cm, raster, false, null);
  }

  /** A 16-colour palette image; with {@code transparent}, entries get alpha from 0 to 255 (tRNS). */
  private static BufferedImage palette(boolean transparent) {
    byte[] r = new byte[16];
    byte[] g = new byte[16];
    byte[] b = new byte[16];
    byte[] a = new byte[16];
    for (int i = 0; i < 16; i++) {
      r[i] = (byte) (255 - i * 13);
      g[i] = (byte) (40 + i * 9);
      b[i] = (byte) (i * 17);
      a[i] = (byte) (i * 17);
    }
    IndexColorModel cm = transparent ? new IndexColorModel(8, 16, r, g, b, a) : new IndexColorModel(8, 16, r, g, b);
    BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED, cm);
    WritableRaster raster = image.getRaster();
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        raster.setSample(x, y, 0, (x / 3 + y / 8) % 16);
      }
    }
    return image;
  }

  /** 16-bit RGB(A); the first pixel's red is 0x12ff. */
  private static BufferedImage rgb16(boolean alpha) {
    ComponentColorModel cm =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB), alpha, false,
            alpha ? ComponentColorModel.TRANSLUCENT : ComponentColorModel.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(W, H);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        raster.setSample(x, y, 0, x == 0 && y == 0 ? 0x12ff : x * 1300 + y * 7 + 0x80);
        raster.setSample(x, y, 1, 60000 - y * 1800 - x);
        raster.setSample(x, y, 2, (x + y) * 800 + 0xff);
        if (alpha) {
          raster.setSample(x, y, 3, x * 1390 + 0x7f);
        }
      }
    }
    return new BufferedImage(cm, raster, false, null);
  }

  /** Plain CMYK (0 = no ink) or, with {@code inverted}, Adobe's inverted CMYK of smooth inks. */
  private static byte[] cmykJpeg(boolean inverted) {
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, W, H, 4, null);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int[] ink = ink(x, y);
        for (int i = 0; i < 4; i++) {
          raster.setSample(x, y, i, inverted ? 255 - ink[i] : ink[i]);
        }
      }
    }
    return writeJpeg(new IIOImage(raster, null, null), false);
  }

  /**
   * YCCK as libjpeg writes it from Adobe's inverted CMYK ({@code jccolor.c cmyk_ycck_convert}):
   * the YCbCr of {@code 255 - value} for C, M, Y; K (inverted) as it is.
   */
  private static byte[] ycckJpeg() {
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, W, H, 4, null);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int[] ink = ink(x, y);
        double r = ink[0]; // 255 - (255 - ink)
        double g = ink[1];
        double b = ink[2];
        raster.setSample(x, y, 0, (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b));
        raster.setSample(x, y, 1, (int) Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b));
        raster.setSample(x, y, 2, (int) Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b));
        raster.setSample(x, y, 3, 255 - ink[3]);
      }
    }
    return writeJpeg(new IIOImage(raster, null, null), false);
  }

  private static int[] ink(int x, int y) {
    return new int[] {20 + x * 3, 200 - y * 4, 90 + x + y, 15 + y * 2};
  }

  /** {@code image} with JPEG metadata asking for 1x1 sampling of every component (4:4:4). */
  private static IIOImage withoutChromaSubsampling(BufferedImage image) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      IIOMetadata metadata =
          writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), writer.getDefaultWriteParam());
      String format = "javax_imageio_jpeg_image_1.0";
      IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
      NodeList components = root.getElementsByTagName("componentSpec");
      for (int i = 0; i < components.getLength(); i++) {
        IIOMetadataNode component = (IIOMetadataNode) components.item(i);
        component.setAttribute("HsamplingFactor", "1");
        component.setAttribute("VsamplingFactor", "1");
      }
      metadata.setFromTree(format, root);
      return new IIOImage(image, null, metadata);
    } finally {
      writer.dispose();
    }
  }

  private static byte[] writeJpeg(BufferedImage image, boolean progressive) {
    return writeJpeg(new IIOImage(image, null, null), progressive);
  }

  private static byte[] writeJpeg(IIOImage image, boolean progressive) {
    return TestImages.writeJpeg(image, progressive);
  }

  private static byte[] writePng(BufferedImage image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ImageIO.write(image, "png", out)).as("a PNG writer for %s", image).isTrue();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A non-sRGB profile (the JDK's linear RGB): applying it would brighten mid-tones a lot. */
  private static byte[] iccProfile() {
    return ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
  }

  /** APP2 ICC_PROFILE segment, chunk 1 of 1. */
  private static byte[] iccSegment() {
    byte[] profile = iccProfile();
    byte[] head = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    int length = 2 + head.length + 2 + profile.length;
    s.write(0xff);
    s.write(0xe2);
    s.write(length >> 8);
    s.write(length & 0xff);
    s.writeBytes(head);
    s.write(1);
    s.write(1);
    s.writeBytes(profile);
    return s.toByteArray();
  }

  /** APP1 Exif segment whose only tag is Orientation = 6 (rotate 90 degrees clockwise to view). */
  private static byte[] exifOrientation6() {
    byte[] body = {
      'E', 'x', 'i', 'f', 0, 0, // identifier
      'M', 'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD at 8
      0, 1, // one entry
      0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, // Orientation, SHORT, 1 value: 6
      0, 0, 0, 0 // no next IFD
    };
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    s.write(0xff);
    s.write(0xe1);
    s.write((body.length + 2) >> 8);
    s.write((body.length + 2) & 0xff);
    s.writeBytes(body);
    return s.toByteArray();
  }

  private static byte[] withSegment(byte[] jpeg, byte[] segment) {
    return TestImages.withSegment(jpeg, segment);
  }

  private static byte[] withAdobeSegment(byte[] jpeg, int transform) {
    return TestImages.withAdobeSegment(jpeg, transform);
  }

  /** Inserts an iCCP chunk (the linear RGB profile) right after IHDR. */
  private static byte[] withIccpChunk(byte[] png) {
    Deflater deflater = new Deflater();
    deflater.setInput(iccProfile());
    deflater.finish();
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    while (!deflater.finished()) {
      compressed.write(buffer, 0, deflater.deflate(buffer));
    }
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.writeBytes("linear\0".getBytes(StandardCharsets.US_ASCII));
    data.write(0); // compression method
    data.writeBytes(compressed.toByteArray());
    byte[] type = "iCCP".getBytes(StandardCharsets.US_ASCII);
    byte[] body = data.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(type);
    crc.update(body);
    ByteArrayOutputStream chunk = new ByteArrayOutputStream();
    writeInt(chunk, body.length);
    chunk.writeBytes(type);
    chunk.writeBytes(body);
    writeInt(chunk, (int) crc.getValue());
    int at = 8 + 25; // signature, IHDR
    byte[] c = chunk.toByteArray();
    byte[] out = new byte[png.length + c.length];
    System.arraycopy(png, 0, out, 0, at);
    System.arraycopy(c, 0, out, at, c.length);
    System.arraycopy(png, at, out, at + c.length, png.length - at);
    return out;
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write((v >>> 16) & 0xff);
    out.write((v >>> 8) & 0xff);
    out.write(v & 0xff);
  }
}
