package io.sparkdistill.pipeline.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * Turns selected images of an {@link ImageArrays} into model input. Each call fills one Java array
 * and creates one {@code NDArray} from it; there are no per-pixel engine calls.
 */
public final class ImageBatches {

  private ImageBatches() {}

  /**
   * The selected images as float32 (B, C, H, W), scaled to [0, 1] then normalised per channel.
   *
   * @param manager manager that will own the array (usually a per-batch sub-manager)
   * @param data the image set
   * @param indices which images, in batch order
   * @param norm the normalisation
   * @return a new (indices.length, C, H, W) float32 array attached to {@code manager}
   */
  public static NDArray toBatch(
      NDManager manager, ImageArrays data, int[] indices, Normalization norm) {
    return toBatch(manager, data, indices, norm, null, null);
  }

  /**
   * As {@link #toBatch(NDManager, ImageArrays, int[], Normalization)}, augmenting a copy of each
   * image first.
   *
   * @param manager manager that will own the array
   * @param data the image set (never modified)
   * @param indices which images, in batch order
   * @param norm the normalisation
   * @param augmenter applied to a copy of each image, or null for none
   * @param random the augmenter's source of randomness (unused when {@code augmenter} is null)
   * @return a new (indices.length, C, H, W) float32 array attached to {@code manager}
   */
  public static NDArray toBatch(
      NDManager manager,
      ImageArrays data,
      int[] indices,
      Normalization norm,
      Augmenter augmenter,
      Random random) {
    int h = data.height();
    int w = data.width();
    int c = data.channels();
    norm.checkChannels(c);
    float[][] lookup = lookupTables(norm, c);
    int bytes = data.imageBytes();
    int plane = h * w;
    byte[] pixels = data.pixels();
    byte[] scratch = augmenter == null ? null : new byte[bytes];
    float[] out = new float[indices.length * bytes];
    for (int b = 0; b < indices.length; b++) {
      int i = indices[b];
      if (i < 0 || i >= data.size()) {
        throw new IndexOutOfBoundsException("index " + i + " outside [0, " + data.size() + ")");
      }
      byte[] src = pixels;
      int offset = i * bytes;
      if (augmenter != null) {
        System.arraycopy(pixels, offset, scratch, 0, bytes);
        augmenter.apply(scratch, h, w, c, random);
        src = scratch;
        offset = 0;
      }
      int base = b * bytes;
      if (c == 1) {
        float[] table = lookup[0];
        for (int p = 0; p < plane; p++) {
          out[base + p] = table[src[offset + p] & 0xff];
        }
      } else {
        for (int p = 0; p < plane; p++) {
          int from = offset + p * c;
          for (int k = 0; k < c; k++) {
            out[base + k * plane + p] = lookup[k][src[from + k] & 0xff];
          }
        }
      }
    }
    return manager.create(out, new Shape(indices.length, c, h, w));
  }

  /**
   * The labels of the selected images as an int64 (B) array, the index type PyTorch's {@code
   * gather}/{@code pick} and DJL's sparse softmax cross-entropy expect.
   *
   * @param manager manager that will own the array
   * @param data the image set
   * @param indices which images, in batch order
   * @return a new (indices.length) int64 array attached to {@code manager}
   */
  public static NDArray labels(NDManager manager, ImageArrays data, int[] indices) {
    long[] out = new long[indices.length];
    int[] labels = data.labels();
    for (int b = 0; b < indices.length; b++) {
      out[b] = labels[indices[b]];
    }
    return manager.create(out);
  }

  /** For each channel, the normalised value of each of the 256 byte values. */
  private static float[][] lookupTables(Normalization norm, int channels) {
    float[][] tables = new float[channels][256];
    for (int k = 0; k < channels; k++) {
      float mean = norm.meanOf(k);
      float std = norm.stdOf(k);
      for (int v = 0; v < 256; v++) {
        tables[k][v] = (v / 255f - mean) / std;
      }
    }
    return tables;
  }
}
