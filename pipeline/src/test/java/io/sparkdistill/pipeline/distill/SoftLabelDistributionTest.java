package io.sparkdistill.pipeline.distill;

import io.sparkdistill.pipeline.config.MissingMass;
import io.sparkdistill.pipeline.config.LogitPrecision;
import static io.sparkdistill.pipeline.config.MissingMass.RENORMALIZE;
import static io.sparkdistill.pipeline.config.MissingMass.SPREAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftLabelDistributionTest {
  /** Kept probabilities 0.5 (class 3), 0.2 (class 0), 0.1 (class 4) of 5 classes; lse = 1.5. */
  private static final int[] IDS = {3, 0, 4};

  private static final float[] LOGITS = {
    (float) (Math.log(0.5) + 1.5), (float) (Math.log(0.2) + 1.5), (float) (Math.log(0.1) + 1.5)
  };

  private static double[] softmax(float[] z, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v / temperature);
    }
    double sum = 0;
    double[] p = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      p[i] = Math.exp(z[i] / temperature - max);
      sum += p[i];
    }
    for (int i = 0; i < z.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  private static double sum(float[] p) {
    double s = 0;
    for (float v : p) {
      s += v;
    }
    return s;
  }

  @Test
  void aDenseRowIsTheSoftmaxAtAnyTemperature() {
    float[] z = {2.5f, -1f, 0.25f, 7f, 3f, -4f};
    TopK dense = TopK.of(z, z.length);

    for (double t : new double[] {1, 4}) {
      for (var missing : MissingMass.values()) {
        float[] p =
            SoftLabelDistribution.probabilities(dense.ids(), dense.logits(), dense.logSumExp(), 6, t, missing);

        double[] expected = softmax(z, t);
        for (int c = 0; c < z.length; c++) {
          assertThat((double) p[c]).as("class %d at T=%s, %s", c, t, missing).isCloseTo(expected[c], within(1e-5));
        }
      }
    }
  }

  @Test
  void spreadSharesTheMissingMassEvenlyAmongTheClassesNotKept() {
    float[] p = SoftLabelDistribution.probabilities(IDS, LOGITS, 1.5f, 5, 1, SPREAD);

    // missing mass 1 - (0.5 + 0.2 + 0.1) = 0.2, shared by classes 1 and 2
    assertThat(p).containsExactly(new float[] {0.2f, 0.1f, 0.1f, 0.5f, 0.1f}, within(1e-6f));
  }

  @Test
  void renormalizeGivesTheClassesNotKeptNothing() {
    float[] p = SoftLabelDistribution.probabilities(IDS, LOGITS, 1.5f, 5, 1, RENORMALIZE);

    // 0.5, 0.2, 0.1 divided by 0.8
    assertThat(p).containsExactly(new float[] {0.25f, 0f, 0f, 0.625f, 0.125f}, within(1e-6f));
  }

  @Test
  void theTemperatureActsOnTheFilledVectorAndKeepsZerosZero() {
    float[] spread = SoftLabelDistribution.probabilities(IDS, LOGITS, 1.5f, 5, 2, SPREAD);
    float[] renormalized = SoftLabelDistribution.probabilities(IDS, LOGITS, 1.5f, 5, 2, RENORMALIZE);

    // sqrt(0.5), sqrt(0.2), sqrt(0.1) x 3 sum to 2.103004
    assertThat(spread)
        .containsExactly(new float[] {0.212655f, 0.150370f, 0.150370f, 0.336237f, 0.150370f}, within(1e-5f));
    // sqrt(0.5), sqrt(0.2), sqrt(0.1) sum to 1.470548
    assertThat(renormalized)
        .containsExactly(new float[] {0.304114f, 0f, 0f, 0.480846f, 0.215041f}, within(1e-5f));
  }

  @Test
  void everyResultSumsToOne() {
    Random random = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int classes = 2 + random.nextInt(30);
      float[] z = new float[classes];
      for (int c = 0; c < classes; c++) {
        z[c] = (float) (random.nextGaussian() * 6);
      }
      TopK top = TopK.of(z, 1 + random.nextInt(classes));
      double t = 0.25 + random.nextDouble() * 8;
      for (var missing : MissingMass.values()) {
        float[] p = SoftLabelDistribution.probabilities(top.ids(), top.logits(), top.logSumExp(), classes, t, missing);
        assertThat(sum(p)).isCloseTo(1.0, within(1e-5));
        for (float v : p) {
          assertThat(v).isBetween(0f, 1f);
        }
      }
    }
  }

  @Test
  void halfPrecisionLogitsGiveProbabilitiesWithinOnePercent() {
    Random random = new Random(11);
    for (int trial = 0; trial < 100; trial++) {
      float[] z = new float[10];
      for (int c = 0; c < z.length; c++) {
        z[c] = (float) (random.nextDouble() * 16 - 8);
      }
      for (int k : new int[] {3, 10}) {
        TopK top = TopK.of(z, k);
        float[] half = LogitPrecision.FP16.round(top.logits());
        float[] single = LogitPrecision.FP32.round(top.logits());
        for (var missing : MissingMass.values()) {
          // Not SPREAD of a top-k at T > 1: see the class comment.
          double t = missing == SPREAD && k < 10 ? 1 : 4;
          float[] p16 = SoftLabelDistribution.probabilities(top.ids(), half, top.logSumExp(), 10, t, missing);
          float[] p32 = SoftLabelDistribution.probabilities(top.ids(), single, top.logSumExp(), 10, t, missing);
          for (int c = 0; c < z.length; c++) {
            assertThat(p16[c]).as("class %d, k=%d, %s, T=%s", c, k, missing, t).isCloseTo(p32[c], within(1e-2f));
          }
        }
      }
    }
  }

  @Test
  void keptMassAboveOneFromRoundingLeavesNothingToSpread() {
    // k < C, but the (rounded) kept probabilities sum to 1.1: the others get exactly 0.
    float[] p =
        SoftLabelDistribution.probabilities(
            new int[] {1, 2}, new float[] {(float) Math.log(0.8), (float) Math.log(0.3)}, 0f, 4, 3, SPREAD);

    assertThat(p[0]).isZero();
    assertThat(p[3]).isZero();
    assertThat(sum(p)).isCloseTo(1.0, within(1e-6));
  }

  @Test
  void inconsistentRowsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> SoftLabelDistribution.probabilities(new int[] {0, 5}, new float[] {1, 2}, 3f, 5, 1, SPREAD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("class id 5 is outside 0..4");
    assertThatThrownBy(() -> SoftLabelDistribution.probabilities(new int[] {1, 1}, new float[] {1, 2}, 3f, 5, 1, SPREAD))
        .hasMessageContaining("class id 1 is kept twice");
    assertThatThrownBy(() -> SoftLabelDistribution.probabilities(new int[] {1}, new float[] {1, 2}, 3f, 5, 1, SPREAD))
        .hasMessageContaining("1 class ids but 2 logits");
    assertThatThrownBy(() -> SoftLabelDistribution.probabilities(new int[] {1}, new float[] {1}, 3f, 5, 0, SPREAD))
        .hasMessageContaining("temperature must be > 0");
  }
}
