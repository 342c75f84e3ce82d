package io.sparkdistill.pipeline.dag;

import java.util.List;
import java.util.Map;

/**
 * One stage of the DAG: what it reads (upstream stages, declared by its {@link StageName}, and
 * external inputs), which configuration decides its output, and how it writes that output under
 * {@link StageContext#stageDir()}.
 */
public interface Stage {
  StageName name();

  /** Configuration paths whose values determine the output; a change in any of them re-runs it. */
  List<String> configSections();

  /**
   * Fingerprints of inputs that live outside the run (raw dataset files), keyed by what they
   * are. Cheap: called for planning, also in dry runs.
   */
  default Map<String, String> externalInputs(StageContext context) {
    return Map.of();
  }

  /** Checks that need no Spark job (files exist, settings agree); throws before any work. */
  default void validate(StageContext context) {}

  /** Does the work. The stage folder is empty when this starts; the manifest is written after. */
  StageOutcome run(StageContext context) throws Exception;
}
