package io.sparkdistill.pipeline.task;

import java.util.List;
import java.util.Map;

/**
 * What a task's ingest wrote and counted, for the stage's checks (inputs = examples + rejected per
 * split, the rejected fraction) and its manifest.
 *
 * @param noun what one example is called in row counts and messages ({@code examples}, {@code
 *     documents})
 * @param rejectedTable the path of the rejected table
 * @param splits per split, the counts read back from the written tables
 * @param metrics figures of the read for the manifest (schema versions, throughput)
 * @param warnings things a person should know that are not failures
 */
public record IngestedSplits(
    String noun,
    String rejectedTable,
    Map<String, SplitCounts> splits,
    Map<String, Object> metrics,
    List<String> warnings) {

  /** One split's inputs, accepted examples and rejected inputs. */
  public record SplitCounts(long inputs, long examples, long rejected) {}
}
