package io.sparkdistill.pipeline.downstream;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.sparkdistill.datasets.text.Tokenizer;
import io.sparkdistill.datasets.text.Vocabulary;
import io.sparkdistill.datasets.text.classification.LabelledTextTable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Labelled examples as BERT inputs in memory: {@code [CLS] a [SEP]} or {@code [CLS] a [SEP] b
 * [SEP]}, padded with {@code [PAD]} to exactly the encoder's sequence length (DJL's BertBlock adds
 * its position embeddings by broadcasting, so every input has that length).
 *
 * <p>Too long an input is cut at the end of its text; of a pair, the longer text loses its last
 * token until both fit (BERT's {@code truncate_seq_pair}), so a long first text cannot crowd out
 * the second.
 */
public final class ClassificationData {
  private final int[][] tokenIds;
  private final int[][] typeIds;
  private final int[] labels;
  private final int length;
  private final int vocabularySize;

  /**
   * @param tokenIds per example, exactly {@code length} ids, {@code [PAD]} (0) after the last real
   *     one
   * @param typeIds per example, 0 or 1, same length
   * @param labels the class of each example, at least 0
   * @param vocabularySize size of the vocabulary the ids come from
   * @throws IllegalArgumentException naming the first inconsistent example
   */
  public ClassificationData(int[][] tokenIds, int[][] typeIds, int[] labels, int vocabularySize) {
    if (tokenIds.length != typeIds.length || tokenIds.length != labels.length) {
      throw new IllegalArgumentException(
          tokenIds.length
              + " token lists but "
              + typeIds.length
              + " type lists and "
              + labels.length
              + " labels");
    }
    if (tokenIds.length == 0) {
      throw new IllegalArgumentException("no examples");
    }
    this.length = tokenIds[0].length;
    for (int i = 0; i < tokenIds.length; i++) {
      if (tokenIds[i].length != length || typeIds[i].length != length) {
        throw new IllegalArgumentException(
            "example "
                + i
                + " has "
                + tokenIds[i].length
                + " ids and "
                + typeIds[i].length
                + " type ids; example 0 has "
                + length);
      }
      if (labels[i] < 0) {
        throw new IllegalArgumentException("example " + i + " has label " + labels[i]);
      }
      for (int id : tokenIds[i]) {
        if (id < 0 || id >= vocabularySize) {
          throw new IllegalArgumentException(
              "example "
                  + i
                  + " holds token id "
                  + id
                  + ", outside the vocabulary of "
                  + vocabularySize);
        }
      }
    }
    this.tokenIds = tokenIds;
    this.typeIds = typeIds;
    this.labels = labels;
    this.vocabularySize = vocabularySize;
  }

  /**
   * Tokenises collected {@link LabelledTextTable} rows (columns found by name).
   *
   * @param rows rows with {@code text}, {@code text_b} (nullable) and {@code label}
   * @param tokenizer the tokenizer of the vocabulary the encoder was pre-trained with
   * @param sequenceLength the encoder's {@code maxSequenceLength}, at least 3 (4 for pairs)
   * @return the data, in row order
   */
  public static ClassificationData of(List<Row> rows, Tokenizer tokenizer, int sequenceLength) {
    int n = rows.size();
    int[][] ids = new int[n][];
    int[][] types = new int[n][];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      Row row = rows.get(i);
      String textB = row.getAs(LabelledTextTable.TEXT_B);
      int[][] encoded =
          encode(
              tokenizer.encode(row.getAs(LabelledTextTable.TEXT)),
              textB == null ? null : tokenizer.encode(textB),
              sequenceLength);
      ids[i] = encoded[0];
      types[i] = encoded[1];
      labels[i] = row.<Integer>getAs(LabelledTextTable.LABEL);
    }
    return new ClassificationData(ids, types, labels, tokenizer.vocabulary().size());
  }

  /**
   * The token ids and type ids of one example.
   *
   * @param a ids of the first text (without special tokens)
   * @param b ids of the second text, or null for single-text tasks
   * @param length the sequence length
   * @return {token ids, type ids}, each {@code length} long
   */
  public static int[][] encode(int[] a, int[] b, int length) {
    int specials = b == null ? 2 : 3;
    if (length < specials + 1) {
      throw new IllegalArgumentException(
          "sequence length must be at least " + (specials + 1) + ", got " + length);
    }
    int room = length - specials;
    int na = a.length;
    int nb = b == null ? 0 : b.length;
    while (na + nb > room) {
      if (na >= nb) {
        na--;
      } else {
        nb--;
      }
    }
    int[] ids = new int[length];
    int[] types = new int[length];
    int p = 0;
    ids[p++] = Vocabulary.CLS_ID;
    System.arraycopy(a, 0, ids, p, na);
    p += na;
    ids[p++] = Vocabulary.SEP_ID;
    if (b != null) {
      System.arraycopy(b, 0, ids, p, nb);
      Arrays.fill(types, p, p + nb + 1, 1);
      p += nb;
      ids[p++] = Vocabulary.SEP_ID;
    }
    return new int[][] {ids, types};
  }

  /** Number of examples. */
  public int size() {
    return labels.length;
  }

  /** Ids per example. */
  public int sequenceLength() {
    return length;
  }

  /** Size of the vocabulary the ids were made with. */
  public int vocabularySize() {
    return vocabularySize;
  }

  /** The label of example {@code i}. */
  public int label(int i) {
    return labels[i];
  }

  /** The largest label. */
  public int maxLabel() {
    return Arrays.stream(labels).max().orElse(0);
  }

  /** The token ids of example {@code i} (a copy). */
  public int[] tokenIds(int i) {
    return tokenIds[i].clone();
  }

  /** The type ids of example {@code i} (a copy). */
  public int[] typeIds(int i) {
    return typeIds[i].clone();
  }

  /**
   * The arrays of the examples at {@code indices}, created in {@code manager}.
   *
   * @param manager the step's sub-manager
   * @param indices example indices
   * @return the batch
   */
  public ClassificationBatch batch(NDManager manager, int[] indices) {
    int b = indices.length;
    int[][] tokens = new int[b][];
    int[][] types = new int[b][];
    int[][] mask = new int[b][length];
    long[] classes = new long[b];
    for (int k = 0; k < b; k++) {
      int i = indices[k];
      tokens[k] = tokenIds[i];
      types[k] = typeIds[i];
      for (int s = 0; s < length; s++) {
        mask[k][s] = tokenIds[i][s] == Vocabulary.PAD_ID ? 0 : 1;
      }
      classes[k] = labels[i];
    }
    NDList inputs = new NDList(manager.create(tokens), manager.create(types), manager.create(mask));
    return new ClassificationBatch(inputs, manager.create(classes));
  }
}
