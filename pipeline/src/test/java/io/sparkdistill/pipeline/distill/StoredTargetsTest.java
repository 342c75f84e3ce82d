package io.sparkdistill.pipeline.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StoredTargetsTest {
  private static final float[][] A = {{1f, 0f}, {0.5f, 0.5f}, {0f, 1f}};
  private static final float[][] B = {{0f, 1f}, {0.2f, 0.8f}, {1f, 0f}};

  @Test
  void oneTableAnswersEveryStepWithTheRowsOfTheBatch() {
    float[][] batch = StoredTargets.of(A).forBatch(new int[] {2, 0}, 7);

    assertThat(batch[0]).containsExactly(0f, 1f);
    assertThat(batch[1]).containsExactly(1f, 0f);
  }

  @Test
  void theRandomPolicyUsesOneTeacherPerStepRepeatablyAndAllOfThemOverTime() {
    StoredTargets random = StoredTargets.randomPerStep(List.of(A, B), 3);
    StoredTargets again = StoredTargets.randomPerStep(List.of(A, B), 3);

    int[] uses = new int[2];
    for (int step = 0; step < 1000; step++) {
      int teacher = random.teacherAt(step);
      assertThat(again.teacherAt(step)).isEqualTo(teacher);
      float[][] batch = random.forBatch(new int[] {0, 1}, step);
      assertThat(batch[0]).isSameAs(teacher == 0 ? A[0] : B[0]);
      assertThat(batch[1]).isSameAs(teacher == 0 ? A[1] : B[1]);
      uses[teacher]++;
    }
    assertThat(uses[0]).isBetween(400, 600);
    assertThat(uses[1]).isBetween(400, 600);
  }

  @Test
  void tablesMustCoverTheSameExamples() {
    assertThatThrownBy(() -> StoredTargets.randomPerStep(List.of(A, new float[][] {{1f, 0f}}), 1))
        .hasMessage("teacher tables must cover the same examples: 1 rows against 3");
    assertThatThrownBy(() -> StoredTargets.randomPerStep(List.of(), 1)).hasMessage("at least one teacher table is needed");
  }
}
