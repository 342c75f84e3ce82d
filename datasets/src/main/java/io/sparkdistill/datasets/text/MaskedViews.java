package io.sparkdistill.datasets.text;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Expands packed sequences ({@link PackedTable}) into masked views ({@link SequenceTable}) on the
 * executors: view ids {@code 0 .. views-1} of every sequence, {@code trainViews} for the {@code
 * train} split and {@code otherViews} for the others (evaluation needs one fixed masking, view 0).
 */
public final class MaskedViews {
  private MaskedViews() {}

  /**
   * @param trainViews views per train sequence, at least 1
   * @param otherViews views per sequence of the other splits, at least 0
   */
  public static Dataset<Row> of(
      Dataset<Row> packed, Masking masking, int trainViews, int otherViews) {
    if (trainViews < 1) {
      throw new IllegalArgumentException("train views must be at least 1, got " + trainViews);
    }
    if (otherViews < 0) {
      throw new IllegalArgumentException("other views must be at least 0, got " + otherViews);
    }
    return packed.mapPartitions(
        new MaskPartition(masking, trainViews, otherViews), Encoders.row(SequenceTable.SCHEMA));
  }

  private static final class MaskPartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final Masking masking;
    private final int trainViews;
    private final int otherViews;

    MaskPartition(Masking masking, int trainViews, int otherViews) {
      this.masking = masking;
      this.trainViews = trainViews;
      this.otherViews = otherViews;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> sequences) {
      return new Iterator<>() {
        private final ArrayDeque<Row> ready = new ArrayDeque<>();

        @Override
        public boolean hasNext() {
          while (ready.isEmpty() && sequences.hasNext()) {
            Row sequence = sequences.next();
            String id = sequence.getString(0);
            String split = sequence.getString(1);
            int shard = sequence.getInt(2);
            int[] ids = SequenceTable.ints(sequence, 3);
            int views = TextExampleTable.TRAIN.equals(split) ? trainViews : otherViews;
            for (int view = 0; view < views; view++) {
              Masking.Masked masked = masking.mask(id, view, ids);
              ready.add(
                  RowFactory.create(
                      id, split, shard, view, masked.inputIds(), masked.positions(),
                      masked.labels()));
            }
          }
          return !ready.isEmpty();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return ready.removeFirst();
        }
      };
    }
  }
}
