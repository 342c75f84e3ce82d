package io.sparkdistill.jobs;

import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.dag.Launcher;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;

/** The {@code ingest} stage alone: {@code spark-submit --class io.sparkdistill.jobs.IngestJob JAR CONF}. */
public final class IngestJob {
  private IngestJob() {}

  public static void main(String[] args) {
    System.exit(Launcher.run(args, StageName.INGEST, Stages.standard()));
  }
}
