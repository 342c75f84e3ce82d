package io.sparkdistill.datasets;

/**
 * The input data cannot be used as a whole: a missing file, a file that is not in the format it
 * claims, a layout with no examples. Single bad records are never this: they are quarantined in the
 * rejected table instead.
 */
public class DatasetException extends RuntimeException {
  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
