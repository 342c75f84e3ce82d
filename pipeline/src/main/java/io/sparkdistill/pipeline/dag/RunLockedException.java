package io.sparkdistill.pipeline.dag;

/**
 * Another run holds the run root's lock, or took it over from this one. Exits with {@link
 * ExitCode#LOCKED}.
 */
public class RunLockedException extends RuntimeException {
  public RunLockedException(String message) {
    super(message);
  }
}
