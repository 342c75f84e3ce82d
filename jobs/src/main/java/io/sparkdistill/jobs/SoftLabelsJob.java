package io.sparkdistill.jobs;

import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.dag.Launcher;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;

/** The {@code soft-labels} stage alone: {@code spark-submit --class io.sparkdistill.jobs.SoftLabelsJob JAR CONF}. */
public final class SoftLabelsJob {
  private SoftLabelsJob() {}

  public static void main(String[] args) {
    System.exit(Launcher.run(args, StageName.SOFT_LABELS, Stages.standard()));
  }
}
