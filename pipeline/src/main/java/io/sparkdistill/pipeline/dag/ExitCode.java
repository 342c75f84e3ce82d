package io.sparkdistill.pipeline.dag;

/** Process exit codes a scheduler can act on; documented in the README. */
public enum ExitCode {
  /** Every requested stage completed or was already up to date. */
  OK(0),
  /** The command line or the configuration is wrong: fix it, retrying will not help. */
  BAD_CONFIG(2),
  /**
   * The input data cannot be used (missing files, wrong format, too many rejected rows), or an
   * upstream stage's recorded output is damaged and this run cannot redo it.
   */
  BAD_INPUT(3),
  /** Anything else (a crash, a lost cluster): retrying may help. */
  FAILURE(4),
  /** Another run holds {@code run.root}'s lock: retry after it ends (or its lease goes stale). */
  LOCKED(5);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
