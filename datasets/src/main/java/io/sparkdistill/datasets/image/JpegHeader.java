package io.sparkdistill.datasets.image;

/**
 * The two facts of a JPEG header that ImageIO gets wrong or hides: how many colour components the
 * frame has, and the transform flag of Adobe's APP14 segment.
 *
 * <p>Parsed from the bytes up to the first scan; anything that is not a well-formed marker
 * sequence simply ends the parse (the real decoder reports the damage).
 */
record JpegHeader(int components, int adobeTransform) {
  /** {@link #adobeTransform} when the file has no Adobe APP14 segment. */
  static final int NO_ADOBE = -1;

  private static final int SOS = 0xda;
  private static final int EOI = 0xd9;
  private static final int APP14 = 0xee;

  /** True when {@code bytes} start with the JPEG start-of-image marker. */
  static boolean isJpeg(byte[] bytes) {
    return bytes.length >= 3
        && (bytes[0] & 0xff) == 0xff
        && (bytes[1] & 0xff) == 0xd8
        && (bytes[2] & 0xff) == 0xff;
  }

  /** Reads the header of a JPEG ({@link #isJpeg} must hold); unknown fields are 0 / NO_ADOBE. */
  static JpegHeader parse(byte[] b) {
    int components = 0;
    int transform = NO_ADOBE;
    int i = 2;
    while (i + 1 < b.length) {
      if ((b[i] & 0xff) != 0xff) {
        break;
      }
      int marker = b[i + 1] & 0xff;
      if (marker == 0xff) {
        i++; // fill byte before a marker
        continue;
      }
      if (marker == SOS || marker == EOI) {
        break;
      }
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2; // standalone markers carry no length
        continue;
      }
      if (i + 3 >= b.length) {
        break;
      }
      int length = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
      int body = i + 4;
      if (isStartOfFrame(marker) && body + 5 < b.length) {
        components = b[body + 5] & 0xff;
      } else if (marker == APP14 && length >= 14 && body + 11 < b.length && isAdobe(b, body)) {
        transform = b[body + 11] & 0xff;
      }
      i += 2 + length;
    }
    return new JpegHeader(components, transform);
  }

  boolean hasAdobeMarker() {
    return adobeTransform != NO_ADOBE;
  }

  private static boolean isStartOfFrame(int marker) {
    // SOF0-SOF15 except DHT (c4), JPG (c8) and DAC (cc)
    return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
  }

  private static boolean isAdobe(byte[] b, int at) {
    return b[at] == 'A' && b[at + 1] == 'd' && b[at + 2] == 'o' && b[at + 3] == 'b'
        && b[at + 4] == 'e';
  }
}
