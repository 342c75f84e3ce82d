package io.sparkdistill.jobs;

import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.dag.Launcher;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;

/** The {@code ensemble} stage alone: {@code spark-submit --class io.sparkdistill.jobs.EnsembleJob JAR CONF}. */
public final class EnsembleJob {
  private EnsembleJob() {}

  public static void main(String[] args) {
    System.exit(Launcher.run(args, StageName.ENSEMBLE, Stages.standard()));
  }
}
