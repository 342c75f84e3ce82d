package io.sparkdistill.pipeline.ensemble;

import io.sparkdistill.pipeline.config.MissingMass;
import io.sparkdistill.pipeline.config.LogitPrecision;
import io.sparkdistill.pipeline.distill.SoftLabelDistribution;
import io.sparkdistill.pipeline.config.MissingMass;
import io.sparkdistill.pipeline.softlabels.SoftLabelStore;
import io.sparkdistill.pipeline.softlabels.SoftLabelTable;
import io.sparkdistill.pipeline.distill.TopK;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.Tuple2;

/**
 * Merges the rows of one (example, view), one per teacher, into the ensemble's row: the mean of
 * the teachers' probabilities ({@link SoftLabelDistribution}, T = 1, missing mass spread), of
 * which the {@code topK} largest are kept and stored as {@code logit = ln(mean p)} with {@code
 * log_sum_exp = 0}, so that {@code exp(logit - log_sum_exp)} is the mean probability itself (up to
 * the storage precision). Rows come and go in {@link SoftLabelTable#SCHEMA} order.
 */
final class TeacherMerge implements MapGroupsFunction<Tuple2<String, Integer>, Row, Row> {
  private static final int TEACHER = SoftLabelTable.SCHEMA.fieldIndex(SoftLabelTable.TEACHER);
  private static final int TOPK_IDS = SoftLabelTable.SCHEMA.fieldIndex(SoftLabelTable.TOPK_IDS);
  private static final int TOPK_LOGITS = SoftLabelTable.SCHEMA.fieldIndex(SoftLabelTable.TOPK_LOGITS);
  private static final int LOGIT_BITS = SoftLabelTable.SCHEMA.fieldIndex(SoftLabelTable.LOGIT_BITS);
  private static final int LOG_SUM_EXP = SoftLabelTable.SCHEMA.fieldIndex(SoftLabelTable.LOG_SUM_EXP);

  /** The columns every teacher's row of an (example, view) must agree on, after the key. */
  static final List<String> VIEW_COLUMNS =
      List.of(
          SoftLabelTable.SPLIT,
          SoftLabelTable.SHARD,
          SoftLabelTable.CROP_TOP,
          SoftLabelTable.CROP_LEFT,
          SoftLabelTable.CROP_HEIGHT,
          SoftLabelTable.CROP_WIDTH,
          SoftLabelTable.FLIP);

  private final List<String> teachers;
  private final int classes;
  private final int topK;
  private final LogitPrecision precision;

  /**
   * @param teachers the teachers merged, each expected exactly once per (example, view)
   * @param classes number of classes
   * @param topK classes kept per merged row (0: all)
   * @param precision how the merged logits are packed
   */
  TeacherMerge(List<String> teachers, int classes, int topK, LogitPrecision precision) {
    this.teachers = List.copyOf(teachers);
    this.classes = classes;
    this.topK = topK == 0 ? classes : Math.min(topK, classes);
    this.precision = precision;
  }

  /** The grouping key of a soft-label row: (example_id, view_id). */
  static Tuple2<String, Integer> key(Row row) {
    return new Tuple2<>(
        row.getString(SoftLabelTable.SCHEMA.fieldIndex(SoftLabelTable.EXAMPLE_ID)),
        row.getInt(SoftLabelTable.SCHEMA.fieldIndex(SoftLabelTable.VIEW_ID)));
  }

  @Override
  public Row call(Tuple2<String, Integer> key, Iterator<Row> rows) {
    return merge(key._1(), key._2(), rows);
  }

  /** The merged row of one (example, view); fails unless there is exactly one row per teacher. */
  Row merge(String exampleId, int viewId, Iterator<Row> rows) {
    Row[] byTeacher = new Row[teachers.size()];
    while (rows.hasNext()) {
      Row row = rows.next();
      String teacher = row.getString(TEACHER);
      int t = teachers.indexOf(teacher);
      if (t < 0) {
        throw problem(exampleId, viewId, "has a row from teacher '" + teacher + "', which is not merged");
      }
      if (byTeacher[t] != null) {
        throw problem(exampleId, viewId, "has more than one row from teacher '" + teacher + "'");
      }
      byTeacher[t] = row;
    }
    for (int t = 0; t < teachers.size(); t++) {
      if (byTeacher[t] == null) {
        throw problem(exampleId, viewId, "has no row from teacher '" + teachers.get(t) + "'");
      }
    }
    Row first = byTeacher[0];
    for (int t = 1; t < teachers.size(); t++) {
      for (String column : VIEW_COLUMNS) {
        int i = SoftLabelTable.SCHEMA.fieldIndex(column);
        if (!Objects.equals(first.get(i), byTeacher[t].get(i))) {
          throw problem(
              exampleId,
              viewId,
              "has different views: " + column + " is " + first.get(i) + " for teacher '" + teachers.get(0)
                  + "' but " + byTeacher[t].get(i) + " for '" + teachers.get(t) + "'");
        }
      }
    }

    double[] mean = new double[classes];
    for (Row row : byTeacher) {
      List<Integer> idList = row.getList(TOPK_IDS);
      int[] ids = idList.stream().mapToInt(Integer::intValue).toArray();
      float[] logits = SoftLabelTable.logits(row, TOPK_LOGITS);
      float[] p =
          SoftLabelDistribution.probabilities(
              ids, logits, row.getFloat(LOG_SUM_EXP), classes, 1.0, MissingMass.SPREAD);
      for (int c = 0; c < classes; c++) {
        mean[c] += p[c] / teachers.size();
      }
    }
    float[] logMean = new float[classes];
    for (int c = 0; c < classes; c++) {
      logMean[c] = (float) Math.log(mean[c]);
    }
    TopK kept = TopK.of(logMean, topK); // its own log-sum-exp is ~0 and not stored

    Object[] values = new Object[SoftLabelTable.SCHEMA.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = first.get(i); // key and view columns
    }
    values[TEACHER] = SoftLabelStore.ENSEMBLE_TEACHER;
    values[TOPK_IDS] = kept.ids();
    values[TOPK_LOGITS] = precision.round(kept.logits());
    values[LOGIT_BITS] = precision.bits();
    values[LOG_SUM_EXP] = 0f;
    values[SoftLabelTable.SCHEMA.fieldIndex(SoftLabelTable.TEACHER_TOP1)] = kept.top1();
    return RowFactory.create(values);
  }

  private static IllegalStateException problem(String exampleId, int viewId, String what) {
    return new IllegalStateException("example '" + exampleId + "' view " + viewId + " " + what);
  }
}
