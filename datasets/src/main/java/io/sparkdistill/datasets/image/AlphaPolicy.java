package io.sparkdistill.datasets.image;

/**
 * What becomes of transparency when an image is stored without an alpha channel ({@code
 * ingest.alpha}). Applied the same way to every source of alpha: RGBA and grey + alpha images and
 * palettes with transparent entries (PNG {@code tRNS}).
 */
public enum AlphaPolicy {
  /**
   * Ignore alpha and keep the colour stored under it: what Pillow's {@code convert("RGB")} does,
   * so what torchvision's {@code ImageFolder} loader feeds a PyTorch model (the default).
   */
  DROP,
  /** Composite over white: {@code round((v a + 255 (255 - a)) / 255)}. */
  WHITE,
  /** Composite over black: {@code round(v a / 255)}. */
  BLACK;

  /** The 8-bit value stored for colour {@code value} under 8-bit {@code alpha}. */
  int apply(int value, int alpha) {
    if (alpha == 255 || this == DROP) {
      return value;
    }
    int over = this == WHITE ? 255 : 0;
    return (value * alpha + over * (255 - alpha) + 127) / 255;
  }
}
