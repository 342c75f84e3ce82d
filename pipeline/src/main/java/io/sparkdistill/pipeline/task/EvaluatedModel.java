package io.sparkdistill.pipeline.task;

import io.sparkdistill.pipeline.models.ModelInfo;

/**
 * One model the evaluate stage scores.
 *
 * @param name teacher name or student run id (the {@code model} column)
 * @param kind {@link #TEACHER} or {@link #STUDENT}
 * @param variant the student's variant; null for a teacher
 * @param budgetFraction the student's budget fraction; null for a teacher
 * @param seed the student's seed; null for a teacher
 * @param dir the folder holding {@code model.json} and the model
 * @param info its {@code model.json}
 */
public record EvaluatedModel(
    String name, String kind, String variant, Double budgetFraction, Long seed, String dir, ModelInfo info) {
  /** The {@code kind} of a teacher, as evaluate's tables store it. */
  public static final String TEACHER = "teacher";
  /** The {@code kind} of a student run. */
  public static final String STUDENT = "student";

  public static EvaluatedModel teacher(String name, String dir, ModelInfo info) {
    return new EvaluatedModel(name, TEACHER, null, null, null, dir, info);
  }
}
