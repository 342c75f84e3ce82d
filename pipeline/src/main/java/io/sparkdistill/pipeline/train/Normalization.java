package io.sparkdistill.pipeline.train;

import java.util.Arrays;

/**
 * Per-channel normalisation applied after scaling bytes to [0, 1]: {@code x = (byte/255 - mean[c])
 * / std[c]}. Mean and std are on the [0, 1] scale, as torchvision writes them (Fashion-MNIST: mean
 * 0.2860, std 0.3530).
 *
 * <p>Arrays of length 1 apply to every channel; otherwise their length must equal the channels of
 * the images. The arrays are copied in and out.
 *
 * @param mean per-channel mean, or one value for all channels
 * @param std per-channel standard deviation (positive), or one value for all channels
 */
public record Normalization(float[] mean, float[] std) {

  /** Scaling to [0, 1] only. */
  public static final Normalization NONE = of(0, 1);

  /** Checks lengths and that every std is positive and finite. */
  public Normalization {
    if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException(
          "mean and std must be non-empty and of equal length, got "
              + Arrays.toString(mean)
              + " and "
              + Arrays.toString(std));
    }
    mean = mean.clone();
    std = std.clone();
    for (int c = 0; c < mean.length; c++) {
      if (!Float.isFinite(mean[c])) {
        throw new IllegalArgumentException("mean[" + c + "] must be finite, got " + mean[c]);
      }
      if (!(std[c] > 0) || !Float.isFinite(std[c])) {
        throw new IllegalArgumentException(
            "std[" + c + "] must be positive and finite, got " + std[c]);
      }
    }
  }

  /**
   * Per-channel normalisation from lists of numbers (as configuration and JSON files hold them).
   *
   * @param mean per-channel means
   * @param std per-channel standard deviations
   * @return the normalisation
   */
  public static Normalization of(java.util.List<? extends Number> mean, java.util.List<? extends Number> std) {
    float[] m = new float[mean.size()];
    float[] s = new float[std.size()];
    for (int i = 0; i < m.length; i++) {
      m[i] = mean.get(i).floatValue();
    }
    for (int i = 0; i < s.length; i++) {
      s[i] = std.get(i).floatValue();
    }
    return new Normalization(m, s);
  }

  /**
   * The same mean and std for every channel.
   *
   * @param mean mean on the [0, 1] scale
   * @param std standard deviation on the [0, 1] scale
   * @return the normalisation
   */
  public static Normalization of(double mean, double std) {
    return new Normalization(new float[] {(float) mean}, new float[] {(float) std});
  }

  /**
   * The per-channel mean and (population) standard deviation of a data set, on the [0, 1] scale.
   *
   * @param data images to measure, at least one
   * @return the normalisation that makes {@code data} zero-mean, unit-variance per channel
   */
  public static Normalization fit(ImageArrays data) {
    int channels = data.channels();
    double[] sum = new double[channels];
    double[] sumSq = new double[channels];
    byte[] pixels = data.pixels();
    for (int i = 0; i < pixels.length; i++) {
      double v = (pixels[i] & 0xff) / 255.0;
      int c = i % channels;
      sum[c] += v;
      sumSq[c] += v * v;
    }
    long count = (long) pixels.length / channels;
    if (count == 0) {
      throw new IllegalArgumentException("cannot fit a normalisation to an empty data set");
    }
    float[] mean = new float[channels];
    float[] std = new float[channels];
    for (int c = 0; c < channels; c++) {
      double m = sum[c] / count;
      mean[c] = (float) m;
      std[c] = (float) Math.max(Math.sqrt(Math.max(sumSq[c] / count - m * m, 0)), 1e-6);
    }
    return new Normalization(mean, std);
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  /**
   * The mean of one channel.
   *
   * @param channel channel index
   * @return its mean
   */
  public float meanOf(int channel) {
    return mean[mean.length == 1 ? 0 : channel];
  }

  /**
   * The standard deviation of one channel.
   *
   * @param channel channel index
   * @return its standard deviation
   */
  public float stdOf(int channel) {
    return std[std.length == 1 ? 0 : channel];
  }

  /**
   * Checks that this normalisation applies to images with {@code channels} channels.
   *
   * @param channels channels of the images
   * @throws IllegalArgumentException if the lengths disagree
   */
  public void checkChannels(int channels) {
    if (mean.length != 1 && mean.length != channels) {
      throw new IllegalArgumentException(
          "normalization has "
              + mean.length
              + " channels but the images have "
              + channels
              + " (use one value or one per channel)");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
