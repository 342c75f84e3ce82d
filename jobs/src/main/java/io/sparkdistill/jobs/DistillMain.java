package io.sparkdistill.jobs;

import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.dag.Launcher;
import io.sparkdistill.pipeline.dag.StageRegistry;

/**
 * {@code distill run CONF [--stages a,b | --from a] [--force] [--dry-run] [--set k=v]...}, {@code
 * distill datasets CONF} and {@code distill verify CONF}.
 */
public final class DistillMain {
  private DistillMain() {}

  public static void main(String[] args) {
    System.exit(Launcher.run(args, null, Stages.standard()));
  }
}
