package io.sparkdistill.pipeline.distill;

import java.util.List;

/**
 * {@link SoftTargets} from probability tables held in memory: one table per teacher, row {@code i}
 * the distribution for training example {@code i} (already at the distillation temperature).
 *
 * <p>With one table this is the {@code single} or {@code mean} policy (the mean is a table of its
 * own, the ensemble); with several, the {@code random} policy: each step uses one teacher, drawn
 * from (seed, step) only ({@link RandomTeacherTargets#draw}), so a resumed run draws the same
 * teachers.
 */
public final class StoredTargets implements SoftTargets {
  private final List<float[][]> tables;
  private final long seed;

  private StoredTargets(List<float[][]> tables, long seed) {
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("at least one teacher table is needed");
    }
    int rows = tables.get(0).length;
    for (float[][] table : tables) {
      if (table.length != rows) {
        throw new IllegalArgumentException(
            "teacher tables must cover the same examples: " + table.length + " rows against " + rows);
      }
    }
    this.tables = List.copyOf(tables);
    this.seed = seed;
  }

  /** One table for every step: the {@code single} and {@code mean} policies. */
  public static StoredTargets of(float[][] table) {
    return new StoredTargets(List.<float[][]>of(table), 0);
  }

  /** One of {@code tables} per step, drawn from {@code seed} and the step: the {@code random} policy. */
  public static StoredTargets randomPerStep(List<float[][]> tables, long seed) {
    return new StoredTargets(tables, seed);
  }

  /** Which table step {@code step} uses. */
  public int teacherAt(int step) {
    return RandomTeacherTargets.draw(seed, step, tables.size());
  }

  @Override
  public float[][] forBatch(int[] indices, int step) {
    float[][] table = tables.get(teacherAt(step));
    float[][] batch = new float[indices.length][];
    for (int i = 0; i < indices.length; i++) {
      batch[i] = table[indices[i]];
    }
    return batch;
  }
}
