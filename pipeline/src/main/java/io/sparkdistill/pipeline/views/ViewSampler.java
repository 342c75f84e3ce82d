package io.sparkdistill.pipeline.views;

import io.sparkdistill.datasets.examples.ExampleIds;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws the views of an example: view 0 un-augmented, then {@code views} random-resized crops
 * (area fraction in {@code [minScale, 1]}, aspect ratio in {@code [3/4, 4/3]}, as torchvision's
 * {@code RandomResizedCrop}) with a horizontal flip at probability 1/2 when {@code flip}.
 *
 * <p>Deterministic: the draws depend only on (seed, example id, view id), never on partitioning or
 * order, so a retried Spark task produces the same views.
 */
public final class ViewSampler implements Serializable {
  private static final int ATTEMPTS = 10;

  private final int views;
  private final double minScale;
  private final boolean flip;
  private final long seed;

  public ViewSampler(int views, double minScale, boolean flip, long seed) {
    if (views < 0) {
      throw new IllegalArgumentException("views must be >= 0, got " + views);
    }
    if (!(minScale > 0 && minScale <= 1)) {
      throw new IllegalArgumentException("minScale must be in (0, 1], got " + minScale);
    }
    this.views = views;
    this.minScale = minScale;
    this.flip = flip;
    this.seed = seed;
  }

  /** View 0 followed by the augmented views of {@code exampleId} in an image of the given size. */
  public List<View> viewsOf(String exampleId, int height, int width) {
    List<View> result = new ArrayList<>(views + 1);
    result.add(View.identity(height, width));
    for (int v = 1; v <= views; v++) {
      result.add(draw(exampleId, v, height, width));
    }
    return result;
  }

  private View draw(String exampleId, int viewId, int height, int width) {
    SplittableRandom random = new SplittableRandom(ExampleIds.fnv1a64(exampleId) ^ (seed * 0x9E3779B97F4A7C15L) ^ viewId);
    double area = (double) height * width;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double target = area * (minScale + random.nextDouble() * (1 - minScale));
      double logRatio = Math.log(3.0 / 4) + random.nextDouble() * (Math.log(4.0 / 3) - Math.log(3.0 / 4));
      double ratio = Math.exp(logRatio);
      int w = (int) Math.round(Math.sqrt(target * ratio));
      int h = (int) Math.round(Math.sqrt(target / ratio));
      if (w >= 1 && h >= 1 && w <= width && h <= height) {
        int top = random.nextInt(height - h + 1);
        int left = random.nextInt(width - w + 1);
        return new View(viewId, top, left, h, w, flip && random.nextBoolean());
      }
    }
    return new View(viewId, 0, 0, height, width, flip && random.nextBoolean());
  }
}
