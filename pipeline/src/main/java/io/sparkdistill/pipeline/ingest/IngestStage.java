package io.sparkdistill.pipeline.ingest;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.pipeline.config.DatasetSettings;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.task.IngestedSplits;
import io.sparkdistill.pipeline.task.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the raw dataset and writes, under {@code <run.root>/ingest/}, the task's examples table
 * (images: {@code examples/}, text: {@code documents/}), partitioned by {@code split} and sorted by
 * shard within each file, {@code rejected/} ({@code RejectedTable}: every input that could not be
 * used, with its reason), and what the task derives from the examples (images: {@code labels/};
 * text: {@code vocabulary/} and the masked {@code sequences/}).
 *
 * <p>After writing it reads the counts back and checks, per split, that inputs = examples +
 * rejected; a split that rejects more than {@code ingest.max-rejected-fraction} fails the stage
 * with a data error (its rejected rows stay on disk to be inspected; nothing is derived; no
 * manifest is written).
 */
public final class IngestStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);

  /** The image task's examples table. */
  public static final String EXAMPLES = "examples";
  public static final String REJECTED = "rejected";
  /** The image task's class names. */
  public static final String LABELS = "labels";

  private final Task task;

  public IngestStage(Task task) {
    this.task = task;
  }

  @Override
  public StageName name() {
    return StageName.INGEST;
  }

  @Override
  public List<String> configSections() {
    return task.ingestConfig();
  }

  @Override
  public void validate(StageContext context) {
    DatasetSettings dataset = context.config().dataset();
    for (String path : task.rawInputs(context.config())) {
      if (!context.exists(path)) {
        String hint = dataset.installHint().isBlank() ? "" : "; to install it: " + dataset.installHint();
        throw new DatasetException(
            "dataset '" + dataset.name() + "' not found: " + path + " does not exist" + hint);
      }
    }
  }

  @Override
  public Map<String, String> externalInputs(StageContext context) {
    Map<String, String> inputs = new TreeMap<>();
    for (String path : task.rawInputs(context.config())) {
      inputs.put(path, context.fingerprint(path));
    }
    return inputs;
  }

  @Override
  public StageOutcome run(StageContext context) throws Exception {
    LOG.info(
        "[ingest] reading {} dataset '{}' ({})",
        context.config().dataset().format(), context.config().dataset().name(), task.name());
    context.describe("read dataset " + context.config().dataset().name());
    IngestedSplits ingested = task.ingest(context);
    Map<String, Long> rowCounts = check(context, ingested);
    StageOutcome derived = task.deriveFromExamples(context);
    rowCounts.putAll(derived.rowCounts());
    Map<String, Object> metrics = new LinkedHashMap<>(ingested.metrics());
    metrics.putAll(derived.metrics());
    List<String> warnings = new ArrayList<>(ingested.warnings());
    warnings.addAll(derived.warnings());
    return new StageOutcome(rowCounts, metrics, warnings);
  }

  /** Inputs = examples + rejected in every split, few enough rejected, some train examples. */
  private static Map<String, Long> check(StageContext context, IngestedSplits ingested) {
    double maxRejected = context.config().ingest().maxRejectedFraction();
    String noun = ingested.noun();
    Map<String, Long> rowCounts = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, IngestedSplits.SplitCounts> entry : ingested.splits().entrySet()) {
      String split = entry.getKey();
      IngestedSplits.SplitCounts c = entry.getValue();
      rowCounts.put("inputs." + split, c.inputs());
      rowCounts.put(noun + "." + split, c.examples());
      rowCounts.put("rejected." + split, c.rejected());
      LOG.info(
          "[ingest] split {}: {} inputs = {} {} + {} rejected", split, c.inputs(), c.examples(), noun, c.rejected());
      if (c.inputs() != c.examples() + c.rejected()) {
        throw new IllegalStateException(
            "ingest lost rows in split '" + split + "': " + c.inputs() + " inputs but " + c.examples()
                + " " + noun + " + " + c.rejected() + " rejected were written");
      }
      if (c.inputs() > 0 && (double) c.rejected() / c.inputs() > maxRejected) {
        problems.add(
            String.format(
                "split '%s' rejected %d of %d inputs (%.2f%%, more than ingest.max-rejected-fraction"
                    + " = %s); see %s",
                split, c.rejected(), c.inputs(), 100.0 * c.rejected() / c.inputs(), maxRejected,
                ingested.rejectedTable()));
      }
    }
    IngestedSplits.SplitCounts train = ingested.splits().get("train");
    if (train == null || train.examples() == 0) {
      problems.add("no train " + noun + " were produced; see " + ingested.rejectedTable());
    }
    if (!problems.isEmpty()) {
      throw new DatasetException(String.join("; ", problems));
    }
    return rowCounts;
  }
}
