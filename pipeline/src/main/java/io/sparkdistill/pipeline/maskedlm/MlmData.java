package io.sparkdistill.pipeline.maskedlm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.sparkdistill.datasets.text.Masking;
import io.sparkdistill.datasets.text.Vocabulary;
import java.util.List;

/**
 * Masked sequences in memory: the {@code input_ids}, {@code mask_positions} and {@code mask_labels}
 * columns of {@code SequenceTable} rows. Every sequence has the same length; each has at least one
 * masked position. Row {@code rowOffset(i) + j} is masked position {@code j} of sequence {@code i}.
 */
public final class MlmData {
  private final int[][] inputIds;
  private final int[][] positions;
  private final int[][] labels;
  private final int[] offsets;
  private final int length;

  /**
   * @param inputIds masked sequences, all of one length
   * @param maskPositions each sequence's masked positions, ascending, at least one
   * @param maskLabels the original token at each masked position
   * @throws IllegalArgumentException naming the first inconsistent sequence
   */
  public MlmData(int[][] inputIds, int[][] maskPositions, int[][] maskLabels) {
    if (inputIds.length != maskPositions.length || inputIds.length != maskLabels.length) {
      throw new IllegalArgumentException(
          inputIds.length + " sequences but " + maskPositions.length + " position lists and "
              + maskLabels.length + " label lists");
    }
    if (inputIds.length == 0) {
      throw new IllegalArgumentException("no sequences");
    }
    this.length = inputIds[0].length;
    this.offsets = new int[inputIds.length + 1];
    for (int i = 0; i < inputIds.length; i++) {
      int[] ids = inputIds[i];
      int[] p = maskPositions[i];
      if (ids.length != length) {
        throw new IllegalArgumentException(
            "sequence " + i + " has " + ids.length + " tokens, sequence 0 has " + length);
      }
      if (p.length == 0) {
        throw new IllegalArgumentException("sequence " + i + " has no masked position");
      }
      if (maskLabels[i].length != p.length) {
        throw new IllegalArgumentException(
            "sequence " + i + " has " + p.length + " masked positions but " + maskLabels[i].length
                + " labels");
      }
      for (int j = 0; j < p.length; j++) {
        if (p[j] < 0 || p[j] >= length || (j > 0 && p[j] <= p[j - 1])) {
          throw new IllegalArgumentException(
              "sequence " + i + ": masked positions must be ascending within 0.." + (length - 1)
                  + ", got " + java.util.Arrays.toString(p));
        }
      }
      offsets[i + 1] = offsets[i] + p.length;
    }
    this.inputIds = inputIds;
    this.positions = maskPositions;
    this.labels = maskLabels;
  }

  /**
   * The data of {@link Masking} views.
   *
   * @param views masked views, e.g. {@code masking.mask(id, view, ids)} for each sequence
   * @return the data, in list order
   */
  public static MlmData of(List<Masking.Masked> views) {
    int n = views.size();
    int[][] ids = new int[n][];
    int[][] p = new int[n][];
    int[][] l = new int[n][];
    for (int i = 0; i < n; i++) {
      ids[i] = views.get(i).inputIds();
      p[i] = views.get(i).positions();
      l[i] = views.get(i).labels();
    }
    return new MlmData(ids, p, l);
  }

  /** Number of sequences. */
  public int size() {
    return inputIds.length;
  }

  /** Tokens per sequence. */
  public int sequenceLength() {
    return length;
  }

  /** Masked positions over all sequences: the number of rows. */
  public int rows() {
    return offsets[offsets.length - 1];
  }

  /** Row number of the first masked position of sequence {@code i}. */
  public int rowOffset(int i) {
    return offsets[i];
  }

  /** The largest token id in the inputs and labels. */
  public int maxTokenId() {
    int max = 0;
    for (int i = 0; i < inputIds.length; i++) {
      for (int id : inputIds[i]) {
        max = Math.max(max, id);
      }
      for (int id : labels[i]) {
        max = Math.max(max, id);
      }
    }
    return max;
  }

  /** The largest number of masked positions of one sequence. */
  public int maxMasked() {
    int max = 0;
    for (int[] p : positions) {
      max = Math.max(max, p.length);
    }
    return max;
  }

  /** The masked positions of sequence {@code i} (not a copy: do not modify). */
  public int[] positions(int i) {
    return positions[i];
  }

  /** The labels of every row, in row order. */
  public int[] rowLabels() {
    int[] out = new int[rows()];
    for (int i = 0; i < labels.length; i++) {
      System.arraycopy(labels[i], 0, out, offsets[i], labels[i].length);
    }
    return out;
  }

  /**
   * The arrays of the sequences at {@code indices}, created in {@code manager}.
   *
   * @param manager the step's sub-manager
   * @param indices sequence indices
   * @return the batch
   */
  public MlmBatch batch(NDManager manager, int[] indices) {
    int b = indices.length;
    int width = 1;
    int n = 0;
    for (int index : indices) {
      width = Math.max(width, positions[index].length);
      n += positions[index].length;
    }
    int[][] tokens = new int[b][];
    int[][] mask = new int[b][length];
    int[][] masked = new int[b][width];
    boolean[] selected = new boolean[b * width];
    long[] rowLabels = new long[n];
    int[] rows = new int[n];
    int r = 0;
    for (int k = 0; k < b; k++) {
      int i = indices[k];
      tokens[k] = inputIds[i];
      for (int s = 0; s < length; s++) {
        mask[k][s] = inputIds[i][s] == Vocabulary.PAD_ID ? 0 : 1;
      }
      for (int j = 0; j < positions[i].length; j++) {
        masked[k][j] = positions[i][j];
        selected[k * width + j] = true;
        rowLabels[r] = labels[i][j];
        rows[r++] = offsets[i] + j;
      }
    }
    NDArray tokenIds = manager.create(tokens);
    NDArray inputs = manager.create(mask);
    NDList list = new NDList(tokenIds, tokenIds.zerosLike(), inputs, manager.create(masked));
    return new MlmBatch(list, manager.create(selected), manager.create(rowLabels), rows);
  }
}
