package io.sparkdistill.pipeline.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImageBatchesTest {

  /** A 2x2 RGB-like image with 2 channels, HWC: pixel (y, x) = (a, b). */
  private static final byte[] TWO_BY_TWO = {
    0,
    (byte) 255, // (0,0)
    51,
    (byte) 204, // (0,1)
    102,
    (byte) 153, // (1,0)
    (byte) 255,
    0 // (1,1)
  };

  @BeforeAll
  static void engine() {
    TestEngine.configure();
  }

  @Test
  void scalesNormalisesAndTransposesHwcToChw() {
    ImageArrays data = new ImageArrays(concat(TWO_BY_TWO, new byte[8]), new int[] {2, 0}, 2, 2, 2);
    Normalization norm = new Normalization(new float[] {0.5f, 0.25f}, new float[] {0.5f, 2f});
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray batch = ImageBatches.toBatch(manager, data, new int[] {0}, norm);
      assertThat(batch.getShape()).isEqualTo(new Shape(1, 2, 2, 2));
      assertThat(batch.getDataType()).isEqualTo(DataType.FLOAT32);
      // channel 0: bytes 0, 51, 102, 255 -> 0, .2, .4, 1 -> (v - .5) / .5
      // channel 1: bytes 255, 204, 153, 0 -> 1, .8, .6, 0 -> (v - .25) / 2
      assertThat(batch.toFloatArray())
          .containsExactly(
              new float[] {-1f, -0.6f, -0.2f, 1f, 0.375f, 0.275f, 0.175f, -0.125f}, within(1e-6f));

      NDArray labels = ImageBatches.labels(manager, data, new int[] {1, 0, 0});
      assertThat(labels.getDataType()).isEqualTo(DataType.INT64);
      assertThat(labels.toLongArray()).containsExactly(0L, 2L, 2L);
    }
  }

  @Test
  void selectsImagesInIndexOrderAndNeverChangesTheSource() {
    ImageArrays data = new ImageArrays(new byte[] {0, 1, 2, 3, 4, 5}, new int[] {0, 1, 2}, 1, 2, 1);
    byte[] before = data.pixels().clone();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray batch =
          ImageBatches.toBatch(
              manager,
              data,
              new int[] {2, 0},
              Normalization.of(0, 1.0 / 255),
              Augmenter.horizontalFlip(),
              alwaysTrue());
      assertThat(batch.toFloatArray()).containsExactly(new float[] {5, 4, 1, 0}, within(1e-4f));
    }
    assertThat(data.pixels()).isEqualTo(before);
  }

  @Test
  void randomCropTranslatesAndFillsWithZero() {
    byte[] image = {1, 2, 3, 4, 5, 6, 7, 8, 9}; // 3x3 grey
    // nextInt(3) returns 2 then 0: dy = +1, dx = -1 -> out(y, x) = in(y + 1, x - 1)
    Random fixed =
        new Random() {
          private int calls;

          @Override
          public int nextInt(int bound) {
            return calls++ == 0 ? 2 : 0;
          }
        };
    Augmenter.randomCrop(1).apply(image, 3, 3, 1, fixed);
    assertThat(image).containsExactly(0, 4, 5, 0, 7, 8, 0, 0, 0);
  }

  @Test
  void fitsPerChannelMeanAndStd() {
    ImageArrays data = new ImageArrays(TWO_BY_TWO, new int[] {0}, 2, 2, 2);
    Normalization norm = Normalization.fit(data);
    // channel 0: 0, .2, .4, 1 -> mean .4, population variance (.16 + .04 + 0 + .36) / 4 = .14
    assertThat(norm.meanOf(0)).isCloseTo(0.4f, within(1e-6f));
    assertThat(norm.stdOf(0)).isCloseTo((float) Math.sqrt(0.14), within(1e-6f));
    assertThat(norm.meanOf(1)).isCloseTo(0.6f, within(1e-6f));
  }

  @Test
  void rejectsInconsistentArraysAndNormalisationsWithTheReason() {
    assertThatThrownBy(() -> new ImageArrays(new byte[5], new int[] {0}, 2, 2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pixels has 5 bytes")
        .hasMessageContaining("= 4");
    assertThatThrownBy(() -> new ImageArrays(new byte[4], new int[] {-1}, 2, 2, 1))
        .hasMessageContaining("labels[0] is negative");
    assertThatThrownBy(() -> Normalization.of(0.5, 0))
        .hasMessageContaining("std[0] must be positive");
    Normalization three = new Normalization(new float[3], new float[] {1, 1, 1});
    ImageArrays grey = new ImageArrays(new byte[4], new int[] {0}, 2, 2, 1);
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> ImageBatches.toBatch(manager, grey, new int[] {0}, three))
          .hasMessageContaining("normalization has 3 channels but the images have 1");
    }
  }

  @Test
  void subsetCopiesTheSelectedImages() {
    ImageArrays data = new ImageArrays(new byte[] {0, 1, 2, 3, 4, 5}, new int[] {7, 8, 9}, 1, 2, 1);
    ImageArrays sub = data.subset(new int[] {2, 2, 0});
    assertThat(sub.size()).isEqualTo(3);
    assertThat(sub.pixels()).containsExactly(4, 5, 4, 5, 0, 1);
    assertThat(sub.labels()).containsExactly(9, 9, 7);
    assertThatThrownBy(() -> data.subset(new int[] {3}))
        .hasMessageContaining("index 3 outside [0, 3)");
  }

  private static Random alwaysTrue() {
    return new Random() {
      @Override
      public boolean nextBoolean() {
        return true;
      }
    };
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
