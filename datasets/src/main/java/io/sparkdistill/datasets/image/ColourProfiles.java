package io.sparkdistill.datasets.image;

import java.io.ByteArrayOutputStream;

/**
 * Removes embedded ICC colour profiles from encoded JPEG (APP2 {@code ICC_PROFILE} segments) and
 * PNG ({@code iCCP} chunk) bytes before ImageIO sees them.
 *
 * <p>Pillow, and so torchvision's {@code ImageFolder} loader, keeps a profile in {@code
 * info["icc_profile"]} but never applies it: the stored numbers are the pixels. ImageIO's JPEG
 * reader instead builds an ICC colour space from the profile and converts to sRGB (a fixture with
 * a linear-RGB profile came out up to 78 levels off), and can fail on a damaged profile, which
 * Pillow never parses. The PNG reader was not seen to apply {@code iCCP}; it is removed all the
 * same, so no profile can reach a colour conversion. Without the profile ImageIO decodes the
 * numbers as they are stored.
 *
 * <p>Anything that does not parse as a marker / chunk sequence is returned unchanged, for the
 * decoder to report.
 */
final class ColourProfiles {
  private ColourProfiles() {}

  private static final byte[] PNG_SIGNATURE = {
    (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
  };
  private static final byte[] ICC_PROFILE = {
    'I', 'C', 'C', '_', 'P', 'R', 'O', 'F', 'I', 'L', 'E', 0
  };
  private static final int APP2 = 0xe2;
  private static final int SOS = 0xda;
  private static final int EOI = 0xd9;

  /** {@code encoded} without its ICC profile; the same array when it has none. */
  static byte[] strip(byte[] encoded) {
    if (JpegHeader.isJpeg(encoded)) {
      return stripJpeg(encoded);
    }
    if (startsWith(encoded, 0, PNG_SIGNATURE)) {
      return stripPng(encoded);
    }
    return encoded;
  }

  private static byte[] stripJpeg(byte[] b) {
    ByteArrayOutputStream out = null;
    int copied = 0; // bytes of b already accounted for in out
    int i = 2;
    while (i + 3 < b.length && (b[i] & 0xff) == 0xff) {
      int marker = b[i + 1] & 0xff;
      if (marker == 0xff) {
        i++;
        continue;
      }
      if (marker == SOS || marker == EOI) {
        break;
      }
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      }
      int end = i + 2 + (((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff));
      if (end > b.length) {
        break;
      }
      if (marker == APP2 && startsWith(b, i + 4, ICC_PROFILE)) {
        if (out == null) {
          out = new ByteArrayOutputStream(b.length);
        }
        out.write(b, copied, i - copied);
        copied = end;
      }
      i = end;
    }
    return finish(b, out, copied);
  }

  private static byte[] stripPng(byte[] b) {
    ByteArrayOutputStream out = null;
    int copied = 0;
    int i = PNG_SIGNATURE.length;
    while (i + 8 <= b.length) {
      long length =
          ((long) (b[i] & 0xff) << 24)
              | ((b[i + 1] & 0xff) << 16)
              | ((b[i + 2] & 0xff) << 8)
              | (b[i + 3] & 0xff);
      long end = i + 12 + length;
      if (end > b.length) {
        break;
      }
      boolean iccp = b[i + 4] == 'i' && b[i + 5] == 'C' && b[i + 6] == 'C' && b[i + 7] == 'P';
      boolean idat = b[i + 4] == 'I' && b[i + 5] == 'D' && b[i + 6] == 'A' && b[i + 7] == 'T';
      if (iccp) {
        if (out == null) {
          out = new ByteArrayOutputStream(b.length);
        }
        out.write(b, copied, i - copied);
        copied = (int) end;
      }
      if (idat) {
        break; // iCCP must come before the image data
      }
      i = (int) end;
    }
    return finish(b, out, copied);
  }

  private static byte[] finish(byte[] b, ByteArrayOutputStream out, int copied) {
    if (out == null) {
      return b;
    }
    out.write(b, copied, b.length - copied);
    return out.toByteArray();
  }

  private static boolean startsWith(byte[] b, int at, byte[] prefix) {
    if (at + prefix.length > b.length) {
      return false;
    }
    for (int j = 0; j < prefix.length; j++) {
      if (b[at + j] != prefix[j]) {
        return false;
      }
    }
    return true;
  }
}
