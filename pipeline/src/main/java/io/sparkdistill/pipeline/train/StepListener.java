package io.sparkdistill.pipeline.train;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Told about every finished step, e.g. to print progress. Runs on the training thread. */
@FunctionalInterface
public interface StepListener {

  /**
   * Called after each step (and after its evaluation, if any).
   *
   * @param metrics the step's metrics
   * @param totalSteps number of steps the run will make
   */
  void onStep(StepMetrics metrics, int totalSteps);

  /**
   * Called just before step {@code step} runs, inside the step's timing: what it does counts as
   * training time ({@link StepMetrics#wallSeconds()}). For fault injection (a slowed run); nothing
   * by default.
   *
   * @param step the 0-based step about to run
   * @param totalSteps number of steps the run will make
   */
  default void beforeStep(int step, int totalSteps) {}

  /**
   * Logs progress at INFO every {@code every} steps, at evaluations and at the last step: step /
   * total, samples per second, time left, losses, learning rate and the latest test accuracy (with
   * the step it was measured at, when that was an earlier step) and, at evaluations of a
   * masked-language model, the test perplexity.
   *
   * @param label what is training, e.g. {@code [train-teachers] cnn-w32}
   * @param every logging interval in steps, at least 1
   * @return the listener
   */
  static StepListener logging(String label, int every) {
    if (every < 1) {
      throw new IllegalArgumentException("every must be at least 1, got " + every);
    }
    Logger log = LoggerFactory.getLogger(TrainLoop.class);
    double[] latest = {Double.NaN, -1}; // accuracy, step
    return (m, total) -> {
      m.testAccuracy().ifPresent(a -> {
        latest[0] = a;
        latest[1] = m.step();
      });
      boolean last = m.step() == total - 1;
      if ((m.step() + 1) % every != 0 && !last && m.testAccuracy().isEmpty()) {
        return;
      }
      StringBuilder line =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%s step %d/%d  %.0f samples/s  ETA %ds  lr %.3g",
                  label,
                  m.step() + 1,
                  total,
                  m.wallSeconds() > 0 ? m.samplesSeen() / m.wallSeconds() : 0.0,
                  Math.round(m.wallSeconds() / (m.step() + 1) * (total - m.step() - 1)),
                  m.learningRate()));
      m.losses().forEach((k, v) -> line.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
      if (m.testAccuracy().isPresent()) {
        line.append(String.format(Locale.ROOT, "  test acc %.4f", latest[0]));
        m.testPerplexity().ifPresent(p -> line.append(String.format(Locale.ROOT, "  test ppl %.2f", p)));
      } else if (latest[1] >= 0) {
        line.append(String.format(Locale.ROOT, "  test acc %.4f (step %d)", latest[0], (long) latest[1] + 1));
      }
      log.info(line.toString());
    };
  }
}
