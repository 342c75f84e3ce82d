package io.sparkdistill.pipeline.dag;

import io.sparkdistill.pipeline.config.ConfigError;

/** The command line asks for something that cannot be done; exits like a configuration error. */
public class UsageError extends ConfigError {
  public UsageError(String message) {
    super(message);
  }
}
