package io.sparkdistill.pipeline.train;

/**
 * The settings checks of the training builders ({@link TrainLoop}, {@code MlmTrainLoop}, {@code
 * FineTuner}), so that the same mistake gets the same message from each.
 */
public final class BuilderChecks {
  private BuilderChecks() {}

  /**
   * @param value what a required setter set, null when it was not called
   * @param setter the setter's name, e.g. {@code setModel}
   * @throws IllegalArgumentException "{@code <setter>(...) is required}" when {@code value} is null
   */
  public static void require(Object value, String setter) {
    if (value == null) {
      throw new IllegalArgumentException(setter + "(...) is required");
    }
  }

  /**
   * @param name the setting, as the message names it
   * @throws IllegalArgumentException "{@code <name> must be at least <min>, got <value>}"
   */
  public static void atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
    }
  }

  /**
   * @param name the argument, as the message names it
   * @return {@code value}
   * @throws IllegalArgumentException "{@code <name> must not be null}" when {@code value} is null
   */
  public static <T> T notNull(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }
}
