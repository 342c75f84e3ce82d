package io.sparkdistill.jobs;

import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.dag.Launcher;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;

/** The {@code evaluate} stage alone: {@code spark-submit --class io.sparkdistill.jobs.EvaluateJob JAR CONF}. */
public final class EvaluateJob {
  private EvaluateJob() {}

  public static void main(String[] args) {
    System.exit(Launcher.run(args, StageName.EVALUATE, Stages.standard()));
  }
}
