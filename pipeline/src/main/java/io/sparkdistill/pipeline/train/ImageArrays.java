package io.sparkdistill.pipeline.train;

/**
 * An in-memory labelled image set: {@code size()} images of {@code height x width x channels}
 * unsigned bytes, row-major HWC, one after another.
 *
 * <p>The arrays are shared, not copied (a 60k-image set is tens of megabytes): do not change them
 * after construction. Equality is therefore identity of the arrays, as for any record holding
 * arrays.
 *
 * @param pixels {@code N*H*W*C} unsigned bytes; image {@code i} starts at {@code i*H*W*C}
 * @param labels {@code N} class ids, each at least 0
 * @param height image height
 * @param width image width
 * @param channels image channels
 */
public record ImageArrays(byte[] pixels, int[] labels, int height, int width, int channels) {

  /** Checks that the arrays agree with the shape. */
  public ImageArrays {
    if (pixels == null || labels == null) {
      throw new IllegalArgumentException("pixels and labels must be set");
    }
    if (height < 1 || width < 1 || channels < 1) {
      throw new IllegalArgumentException(
          "height, width and channels must be at least 1, got "
              + height
              + "x"
              + width
              + "x"
              + channels);
    }
    long expected = (long) labels.length * height * width * channels;
    if (pixels.length != expected) {
      throw new IllegalArgumentException(
          "pixels has "
              + pixels.length
              + " bytes, expected labels.length*height*width*channels = "
              + expected);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("labels[" + i + "] is negative: " + labels[i]);
      }
    }
  }

  /**
   * Number of images.
   *
   * @return N
   */
  public int size() {
    return labels.length;
  }

  /**
   * Bytes per image.
   *
   * @return H*W*C
   */
  public int imageBytes() {
    return height * width * channels;
  }

  /**
   * One more than the largest label (0 when empty); a lower bound of the number of classes.
   *
   * @return max label + 1
   */
  public int labelBound() {
    int max = -1;
    for (int label : labels) {
      max = Math.max(max, label);
    }
    return max + 1;
  }

  /**
   * A copy of the selected images, in the given order (repeats allowed).
   *
   * @param indices image indices into this set
   * @return a new set of {@code indices.length} images
   * @throws IndexOutOfBoundsException naming a bad index
   */
  public ImageArrays subset(int[] indices) {
    int bytes = imageBytes();
    byte[] outPixels = new byte[indices.length * bytes];
    int[] outLabels = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      int i = indices[k];
      if (i < 0 || i >= labels.length) {
        throw new IndexOutOfBoundsException("index " + i + " outside [0, " + labels.length + ")");
      }
      System.arraycopy(pixels, i * bytes, outPixels, k * bytes, bytes);
      outLabels[k] = labels[i];
    }
    return new ImageArrays(outPixels, outLabels, height, width, channels);
  }

  @Override
  public String toString() {
    return "ImageArrays[" + size() + " images of " + height + "x" + width + "x" + channels + "]";
  }
}
