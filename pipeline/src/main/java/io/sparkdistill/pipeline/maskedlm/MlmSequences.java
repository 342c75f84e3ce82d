package io.sparkdistill.pipeline.maskedlm;

import static org.apache.spark.sql.functions.col;

import io.sparkdistill.datasets.text.SequenceTable;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.maskedlm.CorpusTables;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Masked sequences of text ingest's {@code sequences} table ({@link SequenceTable}) as {@link
 * MlmData}, each with the {@link TextSoftLabelTable.SequenceKey} that names it: the one way the text
 * stages turn stored views into model input, on the driver (training, evaluation) and on the
 * executors (soft labels, predictions).
 *
 * <p>A sequence with no masked position (every token special, e.g. all {@code [UNK]}) has nothing
 * to learn or score; it is left out and counted in {@link Loaded#skipped()}.
 *
 * @see SequenceTable
 */
public final class MlmSequences {

  /** The order every loader keeps: shard, sequence id, view id. */
  private static final Comparator<TextSoftLabelTable.SequenceKey> ORDER =
      Comparator.comparingInt(TextSoftLabelTable.SequenceKey::shard)
          .thenComparing(TextSoftLabelTable.SequenceKey::sequenceId)
          .thenComparingInt(TextSoftLabelTable.SequenceKey::viewId);

  private MlmSequences() {}

  /**
   * Loaded views.
   *
   * @param data the masked sequences, in {@code keys} order
   * @param keys which (sequence, view) each entry of {@code data} is
   * @param skipped views left out because they have no masked position
   */
  public record Loaded(MlmData data, List<TextSoftLabelTable.SequenceKey> keys, long skipped) {
    public Loaded {
      keys = List.copyOf(keys);
      if (keys.size() != data.size()) {
        throw new IllegalArgumentException(keys.size() + " keys for " + data.size() + " sequences");
      }
    }

    /** Number of distinct sequences (a train sequence has several views). */
    public long sequences() {
      return keys.stream().map(TextSoftLabelTable.SequenceKey::sequenceId).distinct().count();
    }
  }

  /**
   * Every view of the {@code split} sequences, collected to the driver in (shard, sequence id,
   * view id) order.
   *
   * @param spark the session
   * @param layout the run's folders
   * @param split train or test
   * @param limit keep the first {@code limit} sequences in that order, with all their views (0 =
   *     all)
   * @return the views
   * @throws IllegalStateException when the split has no sequence with a masked position
   */
  public static Loaded load(SparkSession spark, RunLayout layout, String split, int limit) {
    Dataset<Row> sequences =
        CorpusTables.sequences(spark, layout).filter(col(SequenceTable.SPLIT).equalTo(split));
    if (limit > 0) {
      Dataset<Row> first =
          sequences
              .select(SequenceTable.SHARD, SequenceTable.SEQUENCE_ID)
              .distinct()
              .orderBy(SequenceTable.SHARD, SequenceTable.SEQUENCE_ID)
              .limit(limit);
      sequences =
          sequences.join(
              first,
              CollectionConverters.asScala(List.of(SequenceTable.SHARD, SequenceTable.SEQUENCE_ID)).toSeq());
    }
    List<Row> rows = sequences.select(columns()).collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException(
          "ingest/sequences has no " + split + " sequence; re-run ingest or check dataset.text");
    }
    return of(rows);
  }

  /**
   * The columns {@link #of} reads, in order: select them before collecting or mapping partitions.
   */
  public static Column[] columns() {
    return new Column[] {
      col(SequenceTable.SEQUENCE_ID), col(SequenceTable.SPLIT), col(SequenceTable.SHARD),
      col(SequenceTable.VIEW_ID), col(SequenceTable.INPUT_IDS), col(SequenceTable.MASK_POSITIONS),
      col(SequenceTable.MASK_LABELS)
    };
  }

  /**
   * Views from rows of {@link #columns()}, sorted by (shard, sequence id, view id).
   *
   * @param rows sequence rows, any order
   * @return the views with a masked position; {@link MlmData} refuses an empty list
   * @throws IllegalStateException when no row has a masked position
   */
  public static Loaded of(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(MlmSequences::key, ORDER));
    List<TextSoftLabelTable.SequenceKey> keys = new ArrayList<>(sorted.size());
    List<int[]> ids = new ArrayList<>(sorted.size());
    List<int[]> positions = new ArrayList<>(sorted.size());
    List<int[]> labels = new ArrayList<>(sorted.size());
    long skipped = 0;
    for (Row row : sorted) {
      int[] p = SequenceTable.ints(row, 5);
      if (p.length == 0) {
        skipped++;
        continue;
      }
      keys.add(key(row));
      ids.add(SequenceTable.ints(row, 4));
      positions.add(p);
      labels.add(SequenceTable.ints(row, 6));
    }
    if (keys.isEmpty()) {
      throw new IllegalStateException(
          rows.size() + " sequence views, none with a masked position: nothing to train or score");
    }
    MlmData data =
        new MlmData(
            ids.toArray(new int[0][]), positions.toArray(new int[0][]), labels.toArray(new int[0][]));
    return new Loaded(data, keys, skipped);
  }

  private static TextSoftLabelTable.SequenceKey key(Row row) {
    return new TextSoftLabelTable.SequenceKey(row.getString(0), row.getString(1), row.getInt(2), row.getInt(3));
  }
}
