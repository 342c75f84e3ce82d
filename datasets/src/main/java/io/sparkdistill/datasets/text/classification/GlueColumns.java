package io.sparkdistill.datasets.text.classification;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which columns of a GLUE task's TSV files hold the texts and the label, chosen by header name, and
 * how labels become class ids.
 *
 * @param text header of the (first) text column, e.g. {@code sentence}, {@code #1 String}
 * @param textB header of the second text column of a sentence-pair task, or null (or empty) for
 *     single-text tasks
 * @param label header of the label column, e.g. {@code label}, {@code Quality}
 * @param labels label values in class-id order ({@code entailment}, {@code not_entailment}: ids 0,
 *     1); empty when the labels are already ids (non-negative integers, as in SST-2 and MRPC)
 */
public record GlueColumns(String text, String textB, String label, List<String> labels)
    implements Serializable {

  /** SST-2: {@code sentence}, {@code label} (0 negative, 1 positive). */
  public static final GlueColumns SST_2 = new GlueColumns("sentence", null, "label", List.of());

  /** MRPC: {@code #1 String}, {@code #2 String}, {@code Quality} (1 = paraphrase). */
  public static final GlueColumns MRPC =
      new GlueColumns("#1 String", "#2 String", "Quality", List.of());

  /** QNLI: {@code question}, {@code sentence}, {@code label} (entailment, not_entailment). */
  public static final GlueColumns QNLI =
      new GlueColumns("question", "sentence", "label", List.of("entailment", "not_entailment"));

  /** RTE: {@code sentence1}, {@code sentence2}, {@code label} (entailment, not_entailment). */
  public static final GlueColumns RTE =
      new GlueColumns("sentence1", "sentence2", "label", List.of("entailment", "not_entailment"));

  /** QQP: {@code question1}, {@code question2}, {@code is_duplicate}. */
  public static final GlueColumns QQP =
      new GlueColumns("question1", "question2", "is_duplicate", List.of());

  private static final Map<String, GlueColumns> PRESETS =
      Map.of("sst-2", SST_2, "mrpc", MRPC, "qnli", QNLI, "rte", RTE, "qqp", QQP);

  /** Validates; an empty {@code textB} means none. */
  public GlueColumns {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("text column must be a non-empty header name");
    }
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("label column must be a non-empty header name");
    }
    if (textB != null && textB.isBlank()) {
      textB = null;
    }
    labels = List.copyOf(labels == null ? List.of() : labels);
    if (labels.stream().distinct().count() != labels.size()) {
      throw new IllegalArgumentException("labels must be distinct, got " + labels);
    }
  }

  /**
   * The columns of a GLUE task by its name ({@code sst-2}, {@code mrpc}, {@code qnli}, {@code rte},
   * {@code qqp}; case and {@code _} / {@code -} ignored).
   *
   * @throws IllegalArgumentException for another name, listing the known ones
   */
  public static GlueColumns preset(String task) {
    String key = task == null ? "" : task.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    GlueColumns columns = PRESETS.get(key.equals("sst2") ? "sst-2" : key);
    if (columns == null) {
      throw new IllegalArgumentException(
          "no GLUE preset '"
              + task
              + "'; known: "
              + PRESETS.keySet().stream().sorted().toList()
              + " (or give the columns)");
    }
    return columns;
  }

  /** Whether the task has a second text. */
  public boolean pairs() {
    return textB != null;
  }

  /** Number of classes, or -1 when the labels are integers (the data decide). */
  public int classes() {
    return labels.isEmpty() ? -1 : labels.size();
  }

  /** The class id of a label value, or -1 when it is not a known label. */
  int classOf(String value) {
    if (labels.isEmpty()) {
      if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(Character::isDigit)) {
        return -1;
      }
      return Integer.parseInt(value);
    }
    return labels.indexOf(value);
  }

  /** What a valid label looks like, for messages. */
  String expected() {
    return labels.isEmpty() ? "a non-negative integer" : "one of " + labels;
  }
}
