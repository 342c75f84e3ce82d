package io.sparkdistill.pipeline.views;

import io.sparkdistill.datasets.image.ImageDecoder;
import io.sparkdistill.datasets.image.ImageShape;

/**
 * Renders a {@link View} of an HWC byte image: crop, resize back to the image's own size with the
 * same deterministic resizer ingest uses, flip. Pure Java, so a view renders to the same bytes on
 * an executor (teacher inference) and on the driver (student training).
 */
public final class ViewRenderer {
  private ViewRenderer() {}

  /** The view's pixels, {@code height*width*channels} bytes; the input itself for view 0. */
  public static byte[] render(byte[] hwc, int height, int width, int channels, View view) {
    if (view.isIdentity(height, width)) {
      return hwc;
    }
    if (view.cropTop() + view.cropHeight() > height || view.cropLeft() + view.cropWidth() > width) {
      throw new IllegalArgumentException(
          "view " + view + " does not fit an image of " + height + "x" + width);
    }
    byte[] crop = new byte[view.cropHeight() * view.cropWidth() * channels];
    int rowBytes = view.cropWidth() * channels;
    for (int y = 0; y < view.cropHeight(); y++) {
      System.arraycopy(
          hwc, ((view.cropTop() + y) * width + view.cropLeft()) * channels, crop, y * rowBytes, rowBytes);
    }
    byte[] resized =
        new ImageDecoder(new ImageShape(height, width, channels, ImageShape.ResizeMode.STRETCH))
            .fit(crop, view.cropHeight(), view.cropWidth(), channels);
    if (!view.flip()) {
      return resized == crop ? crop : resized;
    }
    byte[] flipped = new byte[resized.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        System.arraycopy(
            resized, (y * width + x) * channels, flipped, (y * width + (width - 1 - x)) * channels, channels);
      }
    }
    return flipped;
  }
}
