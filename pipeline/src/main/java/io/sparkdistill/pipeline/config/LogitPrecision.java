package io.sparkdistill.pipeline.config;


/**
 * The precision of the stored logits: the {@code topk_logits} column is an {@code array<float>}
 * (Parquet LIST of FLOAT) in both cases; {@code fp16} rounds every value to an IEEE half first
 * ({@link #round}), {@code fp32} keeps it. The {@code logit_bits} column says which.
 */
public enum LogitPrecision {
  FP16(16),
  FP32(32);

  private final int bits;

  LogitPrecision(int bits) {
    this.bits = bits;
  }

  /** Bits per value, as stored in the {@code logit_bits} column. */
  public int bits() {
    return bits;
  }

  /** The precision whose {@link #bits()} is {@code bits}. */
  public static LogitPrecision ofBits(int bits) {
    for (LogitPrecision p : values()) {
      if (p.bits == bits) {
        return p;
      }
    }
    throw new IllegalArgumentException("no logit precision of " + bits + " bits");
  }

  /**
   * The values as stored in the {@code topk_logits} column, an {@code array<float>}: {@code fp32}
   * keeps them, {@code fp16} rounds each to the nearest IEEE half (ties to even), so what a reader
   * gets is exactly the half value, in a column DuckDB, pandas and pyarrow read as numbers.
   *
   * @return a new array
   */
  public float[] round(float[] values) {
    float[] stored = values.clone();
    if (this == FP16) {
      for (int i = 0; i < stored.length; i++) {
        stored[i] = fromHalf(toHalf(stored[i]));
      }
    }
    return stored;
  }

  /** IEEE 754 binary16 bits of {@code f}, rounded to nearest even (Java 17 has no built-in). */
  public static short toHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int magnitude = bits & 0x7fffffff;
    if (magnitude >= 0x7f800000) { // infinity or NaN
      return (short) (sign | 0x7c00 | (magnitude > 0x7f800000 ? 0x200 : 0));
    }
    if (magnitude >= 0x477ff000) { // rounds to beyond 65504
      return (short) (sign | 0x7c00);
    }
    if (magnitude < 0x38800000) { // below the smallest normal half, 2^-14
      if (magnitude < 0x33000000) { // below half of the smallest subnormal, 2^-25
        return (short) sign;
      }
      int exponent = magnitude >>> 23;
      int mantissa = (magnitude & 0x7fffff) | 0x800000;
      int shift = 126 - exponent;
      int half = mantissa >>> shift;
      int rest = mantissa & ((1 << shift) - 1);
      int midpoint = 1 << (shift - 1);
      if (rest > midpoint || (rest == midpoint && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (((magnitude >>> 23) - 112) << 10) | ((magnitude >>> 13) & 0x3ff);
    int rest = magnitude & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++; // a carry into the exponent is the correct rounding
    }
    return (short) (sign | half);
  }

  public static float fromHalf(short h) {
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0) {
      float value = mantissa * 0x1p-24f;
      return sign != 0 ? -value : value;
    }
    if (exponent == 31) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
