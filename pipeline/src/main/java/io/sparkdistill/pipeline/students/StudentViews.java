package io.sparkdistill.pipeline.students;

import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.pipeline.softlabels.SoftLabelTable;
import io.sparkdistill.pipeline.views.View;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.example.data.Group;

/**
 * One train example as a student streams it from {@link StudentViewTable}: pixels, label, and
 * per source the stored views' top-k targets. Every source must have labelled the same views (the
 * same soft-labels seed), which is checked here, per example.
 *
 * @param exampleId the example
 * @param label its class
 * @param height image height
 * @param width image width
 * @param channels image channels
 * @param pixels HWC bytes, shared by the example's views
 * @param views the stored views, by view id
 * @param targets {@code targets[source][view]}
 */
public record StudentViews(
    String exampleId, int label, int height, int width, int channels, byte[] pixels, List<View> views,
    TopK[][] targets) {

  /**
   * One source's stored top-k for one view.
   *
   * @param ids the k class ids, largest logit first
   * @param logits their logits
   * @param logSumExp log-sum-exp of all the teacher's logits
   */
  public record TopK(int[] ids, float[] logits, float logSumExp) {}

  /**
   * One training item: view {@code view} of an example.
   *
   * @param example the example
   * @param view index into {@link StudentViews#views()}
   */
  public record Item(StudentViews example, int view) {}

  /** The table's columns a student reads, for {@link io.sparkdistill.pipeline.stream.ChunkReader}. */
  public static List<String> columns(int sources) {
    List<String> columns = new ArrayList<>(StudentViewTable.EXAMPLE_COLUMNS);
    for (int i = 0; i < sources; i++) {
      columns.add(StudentViewTable.sourceColumn(i));
    }
    return columns;
  }

  /**
   * Decodes one row read with {@link #columns}; every example must have {@code viewsPerExample} views.
   *
   * @throws IllegalStateException naming the example when sources disagree on its views or it
   *     has another number of views
   */
  public static StudentViews decode(Group row, int sources, int viewsPerExample) {
    String id = row.getString(ExampleTable.EXAMPLE_ID, 0);
    TopK[][] targets = new TopK[sources][];
    List<View> views = null;
    for (int s = 0; s < sources; s++) {
      Group list = row.getGroup(StudentViewTable.sourceColumn(s), 0);
      int n = list.getFieldRepetitionCount(0);
      if (n != viewsPerExample) {
        throw new IllegalStateException(
            "example " + id + " has " + n + " stored views in source " + s + ", expected " + viewsPerExample);
      }
      List<View> seen = new ArrayList<>(n);
      targets[s] = new TopK[n];
      for (int v = 0; v < n; v++) {
        Group e = list.getGroup(0, v).getGroup(0, 0);
        seen.add(
            new View(
                e.getInteger(SoftLabelTable.VIEW_ID, 0), e.getInteger(SoftLabelTable.CROP_TOP, 0),
                e.getInteger(SoftLabelTable.CROP_LEFT, 0), e.getInteger(SoftLabelTable.CROP_HEIGHT, 0),
                e.getInteger(SoftLabelTable.CROP_WIDTH, 0), e.getBoolean(SoftLabelTable.FLIP, 0)));
        targets[s][v] =
            new TopK(
                ints(e.getGroup(SoftLabelTable.TOPK_IDS, 0)),
                floats(e.getGroup(SoftLabelTable.TOPK_LOGITS, 0)),
                e.getFloat(SoftLabelTable.LOG_SUM_EXP, 0));
      }
      if (views != null && !views.equals(seen)) {
        throw new IllegalStateException(
            "example " + id + ": the target sources were run on different views (different soft-labels seeds?)");
      }
      views = seen;
    }
    return new StudentViews(
        id, row.getInteger(ExampleTable.LABEL, 0), row.getInteger(ExampleTable.HEIGHT, 0),
        row.getInteger(ExampleTable.WIDTH, 0), row.getInteger(ExampleTable.CHANNELS, 0),
        row.getBinary(ExampleTable.PIXELS, 0).getBytes(), views, targets);
  }

  /** This example's items, one per view. */
  public List<Item> items() {
    List<Item> items = new ArrayList<>(views.size());
    for (int v = 0; v < views.size(); v++) {
      items.add(new Item(this, v));
    }
    return items;
  }

  private static float[] floats(Group list) {
    int n = list.getFieldRepetitionCount(0);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = list.getGroup(0, i).getFloat(0, 0);
    }
    return values;
  }

  private static int[] ints(Group list) {
    int n = list.getFieldRepetitionCount(0);
    int[] values = new int[n];
    for (int i = 0; i < n; i++) {
      values[i] = list.getGroup(0, i).getInteger(0, 0);
    }
    return values;
  }
}
