package io.sparkdistill.pipeline.distill;

import io.sparkdistill.pipeline.config.LogitPrecision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TopKTest {
  @Test
  void keepsTheLargestLogitsInOrderWithTheExactLogSumExp() {
    float[] logits = {0.5f, 3f, -1f, 2f, 3.5f};

    TopK top = TopK.of(logits, 3);

    assertThat(top.ids()).containsExactly(4, 1, 3);
    assertThat(top.logits()).containsExactly(3.5f, 3f, 2f);
    double sum = 0;
    for (float z : logits) {
      sum += Math.exp(z);
    }
    assertThat((double) top.logSumExp()).isCloseTo(Math.log(sum), within(1e-6));
    assertThat(TopK.of(logits, 99).ids()).containsExactly(4, 1, 3, 0, 2);
    assertThat(TopK.logSumExp(new float[] {1000f, 1000f})).isCloseTo(1000f + (float) Math.log(2), within(1e-3f));
  }

  @Test
  void halfPrecisionRoundTripsEveryHalfValueAndRoundsToNearestEven() {
    for (int bits = 0; bits < 0x10000; bits++) {
      short h = (short) bits;
      float f = LogitPrecision.fromHalf(h);
      if (!Float.isNaN(f)) {
        assertThat(LogitPrecision.toHalf(f)).as("half bits %04x", bits).isEqualTo(h);
      }
    }
    assertThat(LogitPrecision.toHalf(1f)).isEqualTo((short) 0x3c00);
    assertThat(LogitPrecision.toHalf(65504f)).isEqualTo((short) 0x7bff);
    assertThat(LogitPrecision.toHalf(0.1f)).isEqualTo((short) 0x2e66);
    assertThat(LogitPrecision.toHalf(1e6f)).isEqualTo((short) 0x7c00);
    assertThat(LogitPrecision.toHalf(1f + 0x1p-11f)).as("tie rounds to even").isEqualTo((short) 0x3c00);
    assertThat(LogitPrecision.toHalf(1f + 0x1p-11f + 0x1p-20f)).isEqualTo((short) 0x3c01);
  }

  @Test
  void fp16RoundsEveryValueToAHalfAndFp32KeepsIt() {
    float[] exact = {3.5f, -2.25f, 0f};
    float[] values = {0.1f, 1f + 0x1p-11f + 0x1p-20f, -7.3f};

    assertThat(LogitPrecision.FP16.round(exact)).containsExactly(exact);
    assertThat(LogitPrecision.FP16.round(values))
        .containsExactly(
            LogitPrecision.fromHalf((short) 0x2e66), 1f + 0x1p-10f, LogitPrecision.fromHalf(LogitPrecision.toHalf(-7.3f)));
    assertThat(LogitPrecision.FP16.round(values)[0]).isEqualTo(0.099975586f);
    assertThat(LogitPrecision.FP32.round(values)).containsExactly(values).isNotSameAs(values);
    assertThat(LogitPrecision.ofBits(16)).isEqualTo(LogitPrecision.FP16);
  }
}
