package io.sparkdistill.pipeline.distill;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@code random} policy over any teachers' {@link SoftTargets}: each step uses one teacher,
 * drawn from (seed, step) only, so a resumed run draws the same teachers. {@link
 * StoredTargets#randomPerStep} (in-memory tables, the image path) draws with the same {@link
 * #draw}; the text path wraps lazily decoded soft labels this way.
 */
public final class RandomTeacherTargets implements SoftTargets {
  private final List<SoftTargets> teachers;
  private final long seed;

  private RandomTeacherTargets(List<SoftTargets> teachers, long seed) {
    if (teachers.isEmpty()) {
      throw new IllegalArgumentException("at least one teacher is needed");
    }
    this.teachers = List.copyOf(teachers);
    this.seed = seed;
  }

  /**
   * One of {@code teachers} per step.
   *
   * @param teachers each teacher's targets, indexed alike
   * @param seed the run's seed
   * @return the targets
   */
  public static RandomTeacherTargets of(List<? extends SoftTargets> teachers, long seed) {
    return new RandomTeacherTargets(List.copyOf(teachers), seed);
  }

  /**
   * The teacher step {@code step} uses out of {@code teachers}: a function of (seed, step) only.
   *
   * @param seed the run's seed
   * @param step 0-based step
   * @param teachers how many teachers there are, at least 1
   * @return an index in {@code [0, teachers)}
   */
  public static int draw(long seed, int step, int teachers) {
    if (teachers == 1) {
      return 0;
    }
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step).nextInt(teachers);
  }

  /** Which teacher step {@code step} uses. */
  public int teacherAt(int step) {
    return draw(seed, step, teachers.size());
  }

  @Override
  public float[][] forBatch(int[] indices, int step) {
    return teachers.get(teacherAt(step)).forBatch(indices, step);
  }

  @Override
  public Sparse sparseForBatch(int[] indices, int step) {
    return teachers.get(teacherAt(step)).sparseForBatch(indices, step);
  }
}
