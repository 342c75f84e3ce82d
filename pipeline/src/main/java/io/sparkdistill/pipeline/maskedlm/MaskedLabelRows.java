package io.sparkdistill.pipeline.maskedlm;

import static org.apache.spark.sql.functions.col;

import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.softlabels.SoftLabelStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A text teacher's stored soft labels ({@link TextSoftLabelTable} rows of {@code soft-labels/},
 * one per masked position) lined up with the student's train data: entry {@code r} is the row of
 * {@code MlmData} row number {@code r}, matched by (sequence id, view id, position), as {@code
 * KdLoss} looks targets up.
 */
final class MaskedLabelRows {
  private MaskedLabelRows() {}

  /**
   * {@code teacher}'s train rows of {@code soft-labels/}, one per masked position of {@code
   * train}, in its row order ({@code rowOffset(view) + j} is position {@code j} of the view).
   *
   * @throws IllegalStateException naming the first (sequence, view, position) without a row, or
   *     one with two
   */
  static List<MaskedSoftLabel> load(
      SparkSession spark, RunLayout layout, String teacher, MlmSequences.Loaded train, boolean limited) {
    String where = SoftLabelStore.path(layout, StageName.SOFT_LABELS, teacher);
    try {
      if (!layout.fs().exists(new Path(where))) {
        throw new IllegalStateException(
            "no soft labels of teacher '" + teacher + "': " + where + " does not exist; run soft-labels");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + where, e);
    }
    Dataset<Row> all =
        SoftLabelStore.read(spark, layout, StageName.SOFT_LABELS, teacher)
            .filter(col(TextSoftLabelTable.SPLIT).equalTo("train"));
    Dataset<Row> stored = limited ? keptSequences(spark, all, train) : all;
    Column[] columns =
        Arrays.stream(TextSoftLabelTable.SCHEMA.fieldNames()).map(stored::col).toArray(Column[]::new);
    Map<PositionKey, MaskedSoftLabel> byPosition = new HashMap<>();
    for (Row row : stored.select(columns).collectAsList()) {
      PositionKey key =
          new PositionKey(
              row.getString(TextSoftLabelTable.SCHEMA.fieldIndex(TextSoftLabelTable.SEQUENCE_ID)),
              row.getInt(TextSoftLabelTable.SCHEMA.fieldIndex(TextSoftLabelTable.VIEW_ID)),
              row.getInt(TextSoftLabelTable.SCHEMA.fieldIndex(TextSoftLabelTable.POSITION)));
      if (byPosition.put(key, TextSoftLabelTable.label(row)) != null) {
        throw new IllegalStateException(
            where + " has two rows for train sequence " + key.sequenceId() + " view " + key.viewId()
                + " position " + key.position() + " of teacher '" + teacher + "'");
      }
    }
    MlmData data = train.data();
    List<MaskedSoftLabel> rows = new ArrayList<>(data.rows());
    for (int i = 0; i < data.size(); i++) {
      TextSoftLabelTable.SequenceKey sequence = train.keys().get(i);
      for (int position : data.positions(i)) {
        MaskedSoftLabel label = byPosition.get(new PositionKey(sequence.sequenceId(), sequence.viewId(), position));
        if (label == null) {
          throw new IllegalStateException(
              where + " has no soft label for train sequence " + sequence.sequenceId() + " view "
                  + sequence.viewId() + " position " + position + " of teacher '" + teacher
                  + "'; re-run soft-labels (--force) for the current ingest output");
        }
        rows.add(label);
      }
    }
    return rows;
  }

  /**
   * The rows of the sequences {@code students.train-examples} kept, filtered by Spark rather than
   * collected whole.
   */
  private static Dataset<Row> keptSequences(SparkSession spark, Dataset<Row> rows, MlmSequences.Loaded train) {
    List<String> ids =
        train.keys().stream().map(TextSoftLabelTable.SequenceKey::sequenceId).distinct().toList();
    Dataset<Row> kept = spark.createDataset(ids, Encoders.STRING()).toDF(TextSoftLabelTable.SEQUENCE_ID);
    return rows.join(
        kept, rows.col(TextSoftLabelTable.SEQUENCE_ID).equalTo(kept.col(TextSoftLabelTable.SEQUENCE_ID)), "left_semi");
  }

  /** One masked position of one view: the key of a stored soft-label row. */
  private record PositionKey(String sequenceId, int viewId, int position) {}
}
