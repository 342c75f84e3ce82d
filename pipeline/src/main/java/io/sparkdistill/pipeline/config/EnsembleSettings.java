package io.sparkdistill.pipeline.config;

import java.util.List;

/**
 * The {@code ensemble} section.
 *
 * @param teachers teachers whose mean probabilities form the ensemble (empty: all soft-labelled)
 * @param topK classes kept per row of the merged table (0: every class)
 */
public record EnsembleSettings(List<String> teachers, int topK) {
  public EnsembleSettings {
    teachers = List.copyOf(teachers);
  }

  static EnsembleSettings from(ConfigReader r) {
    return new EnsembleSettings(r.stringList("ensemble.teachers"), r.intAtLeast("ensemble.top-k", 0));
  }
}
