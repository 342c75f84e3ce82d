package io.sparkdistill.jobs;

import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.dag.Launcher;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;

/** The {@code report} stage alone: {@code spark-submit --class io.sparkdistill.jobs.ReportJob JAR CONF}. */
public final class ReportJob {
  private ReportJob() {}

  public static void main(String[] args) {
    System.exit(Launcher.run(args, StageName.REPORT, Stages.standard()));
  }
}
