package io.sparkdistill.pipeline.config;

import java.util.List;

/**
 * One entry of {@code students.variants} (its keys over {@code students.variant-defaults}): how a
 * student learns.
 *
 * @param name the variant's name (its key under {@code students.variants})
 * @param policy where its targets come from ({@code NONE}: hard labels only, the baseline)
 * @param teachers the teachers it learns from (single: one; random and online: one or more; mean
 *     and none: empty, the mean policy reads the ensemble table)
 * @param alpha weight of the distillation term
 * @param stopFraction fraction of the steps that distil; the rest train on the plain loss
 */
public record VariantSettings(
    String name, TeacherPolicy policy, List<String> teachers, double alpha, double stopFraction) {

  public VariantSettings {
    teachers = List.copyOf(teachers);
  }

  /** True when this variant learns from teachers at all. */
  public boolean distils() {
    return policy != TeacherPolicy.NONE && alpha > 0 && stopFraction > 0;
  }

  /** First step on the plain loss in a run of {@code totalSteps} (0 for the baseline). */
  public int stopStep(int totalSteps) {
    return distils() ? (int) Math.round(stopFraction * totalSteps) : 0;
  }

  static VariantSettings from(ConfigReader r, String p, String name) {
    VariantSettings v =
        new VariantSettings(
            name,
            r.enumValue(p + ".policy", TeacherPolicy.class),
            r.stringList(p + ".teachers"),
            r.fraction(p + ".alpha"),
            r.fraction(p + ".stop-fraction"));
    int n = v.teachers().size();
    String problem =
        switch (v.policy()) {
          case NONE -> n == 0 ? null : "policy none takes no teachers";
          case SINGLE -> n == 1 ? null : "policy single takes exactly one teacher, got " + v.teachers();
          case MEAN -> n == 0 ? null : "policy mean reads the ensemble table (set ensemble.teachers); list no teachers here";
          case RANDOM -> n >= 2 ? null : "policy random draws from two or more teachers, got " + v.teachers();
          case ONLINE -> n >= 1 ? null : "policy online needs at least one teacher";
        };
    if (problem != null) {
      throw r.invalid(p + ".teachers", problem);
    }
    return v;
  }
}
