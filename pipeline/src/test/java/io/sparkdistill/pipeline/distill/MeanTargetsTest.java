package io.sparkdistill.pipeline.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class MeanTargetsTest {
  private static final float[][] A = {{1f, 0f}, {0.5f, 0.5f}};
  private static final float[][] B = {{0.5f, 0.5f}, {0f, 1f}};

  @Test
  void theMeanOfTheTeachersIsSoftenedAfterAveragingAsTheEnsembleTableIs() {
    MeanTargets mean = new MeanTargets(List.of(StoredTargets.of(A), StoredTargets.of(B)), 2.0);

    float[][] batch = mean.forBatch(new int[] {0, 1}, 0);

    // Row 0: mean (0.75, 0.25); at T = 2, sqrt(0.75) : sqrt(0.25) = 0.634 : 0.366.
    double norm = Math.sqrt(0.75) + Math.sqrt(0.25);
    assertThat(batch[0][0]).isCloseTo((float) (Math.sqrt(0.75) / norm), within(1e-6f));
    assertThat(batch[0][1]).isCloseTo((float) (Math.sqrt(0.25) / norm), within(1e-6f));
    assertThat(batch[1][0]).isCloseTo(batch[0][1], within(1e-6f)); // row 1 mirrors row 0
    assertThat(new MeanTargets(List.of(StoredTargets.of(A), StoredTargets.of(B)), 1.0).forBatch(new int[] {0}, 0)[0])
        .containsExactly(0.75f, 0.25f);
  }

  @Test
  void invalidSettingsAreNamed() {
    assertThatThrownBy(() -> new MeanTargets(List.of(), 1.0)).hasMessage("at least one teacher is needed");
    assertThatThrownBy(() -> new MeanTargets(List.of(StoredTargets.of(A)), 0))
        .hasMessage("temperature must be positive, got 0.0");
  }

  @Test
  void theRandomPolicyDrawsTheSameTeachersOverLazyTargetsAsOverTables() {
    StoredTargets tables = StoredTargets.randomPerStep(List.of(A, B), 5);
    RandomTeacherTargets lazy = RandomTeacherTargets.of(List.of(StoredTargets.of(A), StoredTargets.of(B)), 5);

    for (int step = 0; step < 200; step++) {
      assertThat(lazy.teacherAt(step)).isEqualTo(tables.teacherAt(step));
      assertThat(lazy.forBatch(new int[] {1}, step)[0]).isSameAs(tables.forBatch(new int[] {1}, step)[0]);
    }
  }
}
