package io.sparkdistill.jobs;

import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.dag.Launcher;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;

/** The {@code train-students} stage alone: {@code spark-submit --class io.sparkdistill.jobs.TrainStudentsJob JAR CONF}. */
public final class TrainStudentsJob {
  private TrainStudentsJob() {}

  public static void main(String[] args) {
    System.exit(Launcher.run(args, StageName.TRAIN_STUDENTS, Stages.standard()));
  }
}
