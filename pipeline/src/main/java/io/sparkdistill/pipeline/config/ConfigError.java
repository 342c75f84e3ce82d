package io.sparkdistill.pipeline.config;

/** The run configuration or the command line is wrong; the message names the key and its origin. */
public class ConfigError extends RuntimeException {
  public ConfigError(String message) {
    super(message);
  }

  public ConfigError(String message, Throwable cause) {
    super(message, cause);
  }
}
