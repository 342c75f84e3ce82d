package io.sparkdistill.jobs;

import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.dag.Launcher;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;

/** The {@code train-teachers} stage alone: {@code spark-submit --class io.sparkdistill.jobs.TrainTeachersJob JAR CONF}. */
public final class TrainTeachersJob {
  private TrainTeachersJob() {}

  public static void main(String[] args) {
    System.exit(Launcher.run(args, StageName.TRAIN_TEACHERS, Stages.standard()));
  }
}
