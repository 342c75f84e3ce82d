package io.sparkdistill.datasets.image;

import java.io.Serializable;

/**
 * The shape every stored image has, and how an image of another size is brought to it.
 *
 * @param height rows
 * @param width columns
 * @param channels 1 (grayscale) or 3 (RGB)
 * @param resize how to reach the shape when the input differs
 */
public record ImageShape(int height, int width, int channels, ResizeMode resize)
    implements Serializable {

  public ImageShape {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image height and width must be positive, got " + height + "x" + width);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("image channels must be 1 or 3, got " + channels);
    }
  }

  /** Number of bytes of one stored image. */
  public int byteSize() {
    return height * width * channels;
  }

  /** How an image whose size differs from the target is resized. */
  public enum ResizeMode {
    /** Scale the shorter side to the target, then cut the centre (keeps the aspect ratio). */
    CENTER_CROP,
    /** Scale both sides independently to the target (distorts the aspect ratio). */
    STRETCH
  }
}
