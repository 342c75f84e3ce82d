package io.sparkdistill.pipeline.task;

import io.sparkdistill.pipeline.config.TeacherSettings;
import java.io.IOException;
import java.util.Map;

/** A task's teachers of one run: trained or registered one after another over one test split. */
public interface TeacherTraining {
  /** Row counts of the test split the teachers are evaluated on, for the manifest. */
  Map<String, Long> rowCounts();

  /** Trains the teacher on the train split, evaluates it and writes it under its folder. */
  Evaluated train(TeacherSettings teacher) throws IOException;

  /** Copies a given checkpoint into the run, checks it fits the data, and evaluates it. */
  Evaluated register(TeacherSettings teacher) throws IOException;

  /**
   * A teacher's held-out evaluation.
   *
   * @param testAccuracy top-1 (image) or masked-token accuracy
   * @param trainSeconds the training wall time the report charges to its students; 0 when registered
   * @param otherMetrics further figures for the manifest, keyed without the teacher's name
   * @param summary one line for the log
   */
  record Evaluated(
      double testAccuracy, double trainSeconds, Map<String, Double> otherMetrics, String summary) {}
}
