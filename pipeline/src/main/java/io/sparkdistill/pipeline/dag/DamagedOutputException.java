package io.sparkdistill.pipeline.dag;

/**
 * A stage's recorded output is damaged (a file missing, resized or extra) and the stage asked to
 * read it cannot redo it in this run, because it was not selected. Exits with {@link
 * ExitCode#BAD_INPUT}: retrying the same command fails the same way; redoing the damaged stage
 * ({@link OutputCheck.Result#redoCommand}) mends it.
 */
public class DamagedOutputException extends RuntimeException {
  private final OutputCheck.Result damage;
  private final StageName reader;

  public DamagedOutputException(OutputCheck.Result damage, StageName reader) {
    super(message(damage, reader, "CONF"));
    this.damage = damage;
    this.reader = reader;
  }

  public OutputCheck.Result damage() {
    return damage;
  }

  /** The message with the run's configuration file in the command to redo it. */
  public String message(String conf) {
    return message(damage, reader, conf);
  }

  private static String message(OutputCheck.Result damage, StageName reader, String conf) {
    return "table " + String.join(", ", damage.tables()) + " is damaged: " + damage.summary()
        + "; '" + reader + "' reads it and '" + damage.stage() + "' is not part of this run;"
        + " redo it with: " + damage.redoCommand(conf);
  }
}
