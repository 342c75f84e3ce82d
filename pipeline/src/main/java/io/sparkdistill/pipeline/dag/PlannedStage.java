package io.sparkdistill.pipeline.dag;

/**
 * A stage's place in a plan: whether it runs and why.
 *
 * @param stage the stage
 * @param runs true when it will (re)compute its output, false when its manifest is up to date
 * @param reason why, in words ("no manifest", "config changed", "up to date", ...)
 */
public record PlannedStage(StageName stage, boolean runs, String reason) {
  @Override
  public String toString() {
    return String.format("%-15s %-5s %s", stage.id(), runs ? "RUN" : "SKIP", reason);
  }
}
