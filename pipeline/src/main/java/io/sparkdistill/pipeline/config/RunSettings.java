package io.sparkdistill.pipeline.config;

import java.time.Duration;

/**
 * The {@code run} section.
 *
 * @param name name of the run
 * @param root Hadoop path under which every stage writes {@code <root>/<stage>/}
 * @param lockTimeout a run lock whose last heartbeat is older than this is stale and taken over
 */
public record RunSettings(String name, String root, Duration lockTimeout) {
  static RunSettings from(ConfigReader reader) {
    return new RunSettings(
        reader.nonEmptyString("run.name"),
        reader.nonEmptyString("run.root"),
        reader.positiveDuration("run.lock-timeout"));
  }
}
