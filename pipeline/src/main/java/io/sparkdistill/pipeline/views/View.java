package io.sparkdistill.pipeline.views;

import java.io.Serializable;

/**
 * One view of an image: the crop box in source pixels, then a resize back to the full size, then
 * an optional horizontal flip.
 *
 * @param viewId 0 for the un-augmented image, 1..V for augmented views
 * @param cropTop first row of the crop box
 * @param cropLeft first column of the crop box
 * @param cropHeight rows of the crop box
 * @param cropWidth columns of the crop box
 * @param flip mirror left-right after cropping
 */
public record View(int viewId, int cropTop, int cropLeft, int cropHeight, int cropWidth, boolean flip)
    implements Serializable {

  public View {
    if (viewId < 0 || cropTop < 0 || cropLeft < 0 || cropHeight <= 0 || cropWidth <= 0) {
      throw new IllegalArgumentException("invalid view " + viewId + ": crop box must lie inside the image");
    }
  }

  /** The un-augmented view of an image of the given size. */
  public static View identity(int height, int width) {
    return new View(0, 0, 0, height, width, false);
  }

  /** True when rendering this view returns the image unchanged. */
  public boolean isIdentity(int height, int width) {
    return cropTop == 0 && cropLeft == 0 && cropHeight == height && cropWidth == width && !flip;
  }
}
