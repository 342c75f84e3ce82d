package io.sparkdistill.pipeline.views;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ViewsTest {
  private static byte[] ramp(int h, int w) {
    byte[] img = new byte[h * w];
    for (int i = 0; i < img.length; i++) {
      img[i] = (byte) (i % w * 10);
    }
    return img;
  }

  @Test
  void viewZeroIsTheImageAndTheDrawsAreDeterministicPerExampleAndView() {
    ViewSampler sampler = new ViewSampler(3, 0.5, true, 7);

    List<View> a = sampler.viewsOf("train/x#1", 28, 28);
    List<View> again = new ViewSampler(3, 0.5, true, 7).viewsOf("train/x#1", 28, 28);
    List<View> other = sampler.viewsOf("train/x#2", 28, 28);
    List<View> otherSeed = new ViewSampler(3, 0.5, true, 8).viewsOf("train/x#1", 28, 28);

    assertThat(a).hasSize(4).first().isEqualTo(View.identity(28, 28));
    assertThat(a).isEqualTo(again);
    assertThat(a).isNotEqualTo(other).isNotEqualTo(otherSeed);
    for (View v : a.subList(1, 4)) {
      assertThat(v.cropHeight() * v.cropWidth()).isBetween((int) (0.45 * 28 * 28), 28 * 28);
      assertThat(v.cropTop() + v.cropHeight()).isLessThanOrEqualTo(28);
      assertThat(v.cropLeft() + v.cropWidth()).isLessThanOrEqualTo(28);
    }
  }

  @Test
  void rendersCropResizeAndFlip() {
    byte[] img = ramp(4, 4); // every row: 0 10 20 30

    assertThat(ViewRenderer.render(img, 4, 4, 1, View.identity(4, 4))).isSameAs(img);
    byte[] flipped = ViewRenderer.render(img, 4, 4, 1, new View(1, 0, 0, 4, 4, true));
    assertThat(flipped).startsWith((byte) 30, (byte) 20, (byte) 10, (byte) 0);
    // The right half (columns 2..3 = 20, 30) stretched back to 4 columns stays within [20, 30].
    byte[] right = ViewRenderer.render(img, 4, 4, 1, new View(2, 0, 2, 4, 2, false));
    assertThat(right).hasSize(16);
    for (byte b : right) {
      assertThat(b & 0xff).isBetween(20, 30);
    }
    assertThat(right[0] & 0xff).isEqualTo(20);
    assertThat(right[3] & 0xff).isEqualTo(30);
  }
}
