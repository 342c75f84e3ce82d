package io.sparkdistill.pipeline.dag;

import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.RunConfig;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stages this build can run. A stage of the DAG that is not registered yet is known by name
 * ({@link StageName}) but asking for it is a clear error. A stage is made from the run's
 * configuration; the standard wiring is {@code io.sparkdistill.pipeline.Stages}, above the stages.
 */
public final class StageRegistry {
  private final Map<StageName, Function<RunConfig, Stage>> stages;

  /** Stages that are the same whatever the configuration (tests register fakes this way). */
  public StageRegistry(Map<StageName, Supplier<Stage>> stages) {
    this(fixed(stages));
  }

  private StageRegistry(EnumMap<StageName, Function<RunConfig, Stage>> stages) {
    this.stages = Collections.unmodifiableMap(stages);
  }

  /**
   * Stages chosen from the configuration: each factory sees the run's {@link RunConfig} and may
   * throw a {@link ConfigError} when the configuration has no such stage.
   */
  public static StageRegistry configured(Map<StageName, Function<RunConfig, Stage>> stages) {
    EnumMap<StageName, Function<RunConfig, Stage>> copy = new EnumMap<>(StageName.class);
    copy.putAll(stages);
    return new StageRegistry(copy);
  }

  private static EnumMap<StageName, Function<RunConfig, Stage>> fixed(
      Map<StageName, Supplier<Stage>> stages) {
    EnumMap<StageName, Function<RunConfig, Stage>> factories = new EnumMap<>(StageName.class);
    stages.forEach((name, supplier) -> factories.put(name, config -> supplier.get()));
    return factories;
  }

  public Set<StageName> available() {
    return stages.keySet();
  }

  /**
   * The stage {@code name} for the run configured by {@code config}.
   *
   * @throws UsageError when this build has no such stage
   * @throws ConfigError when the configuration's data path has no such stage
   */
  public Stage create(StageName name, RunConfig config) {
    Function<RunConfig, Stage> factory = stages.get(name);
    if (factory == null) {
      throw new UsageError(
          "stage '" + name + "' is not available in this build yet; available: " + available());
    }
    return factory.apply(config);
  }
}
