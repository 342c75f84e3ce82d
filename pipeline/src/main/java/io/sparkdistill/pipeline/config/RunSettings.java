package io.sparkdistill.pipeline.config;

/**
 * The {@code run} section.
 *
 * @param name name of the run
 * @param root Hadoop path under which every stage writes {@code <root>/<stage>/}
 */
public record RunSettings(String name, String root) {
  static RunSettings from(ConfigReader reader) {
    return new RunSettings(reader.nonEmptyString("run.name"), reader.nonEmptyString("run.root"));
  }
}
