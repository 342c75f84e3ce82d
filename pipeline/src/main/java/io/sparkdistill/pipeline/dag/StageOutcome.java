package io.sparkdistill.pipeline.dag;

import java.util.List;
import java.util.Map;

/**
 * What a finished stage reports for its manifest.
 *
 * @param rowCounts rows per table (and split), e.g. {@code examples.train}
 * @param metrics measured figures (throughput, bytes per example) and schema versions
 * @param warnings things a person should know that are not failures
 */
public record StageOutcome(
    Map<String, Long> rowCounts, Map<String, Object> metrics, List<String> warnings) {
  public StageOutcome {
    rowCounts = Map.copyOf(rowCounts);
    metrics = Map.copyOf(metrics);
    warnings = List.copyOf(warnings);
  }
}
