package io.sparkdistill.pipeline.students;

import io.sparkdistill.pipeline.config.MissingMass;
import static org.apache.spark.sql.functions.col;

import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.ingest.IngestTables;
import io.sparkdistill.pipeline.distill.SoftLabelDistribution;
import io.sparkdistill.pipeline.softlabels.SoftLabelStore;
import io.sparkdistill.pipeline.softlabels.SoftLabelTable;
import io.sparkdistill.pipeline.train.ImageArrays;
import io.sparkdistill.pipeline.views.View;
import io.sparkdistill.pipeline.views.ViewRenderer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What a distilling student trains on: one entry per stored (train example, view), the view's
 * pixels rendered exactly as the teachers saw them, the hard label, and each teacher's
 * distribution at the distillation temperature, all in the same order.
 *
 * @param data rendered view pixels and hard labels
 * @param exampleIds example id of each entry
 * @param viewIds view id of each entry
 * @param targets per teacher (or {@code ensemble}), row {@code i} the distribution for entry {@code i}
 */
public record StudentSet(
    ImageArrays data, String[] exampleIds, int[] viewIds, Map<String, float[][]> targets) {

  /**
   * Where one target table comes from: the soft labels of {@code teacher} in {@code stage}
   * ({@code soft-labels}, or {@code ensemble} with the teacher {@code ensemble}).
   *
   * @param stage the stage that wrote it
   * @param teacher the teacher name, also the key of {@link #targets()}
   */
  public record Source(StageName stage, String teacher) {}

  /**
   * As {@link #load(SparkSession, RunLayout, List, int, double, MissingMass)}
   * with every source in {@code stage} and no example limit.
   */
  public static StudentSet load(
      SparkSession spark,
      RunLayout layout,
      StageName stage,
      List<String> teachers,
      double temperature,
      MissingMass missing) {
    return load(spark, layout, teachers.stream().map(t -> new Source(stage, t)).toList(), 0, temperature, missing);
  }

  /**
   * Reads the train split's soft labels of every source, joins them with the examples, and renders
   * the views. Fails when the sources do not cover the same (example, view) pairs with the same
   * views.
   *
   * @param sources at least one; the first also gives the views (a baseline still needs them)
   * @param limit keep only the first n train examples by example id, with all their views (0 = all)
   */
  public static StudentSet load(
      SparkSession spark,
      RunLayout layout,
      List<Source> sources,
      int limit,
      double temperature,
      MissingMass missing) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("at least one soft-label source is needed (it also gives the views)");
    }
    List<String> teachers = sources.stream().map(Source::teacher).toList();
    int classes = IngestTables.classNames(spark, layout).size();
    Dataset<Row> examples =
        IngestTables.examples(spark, layout)
            .filter(col(ExampleTable.SPLIT).equalTo("train"))
            .select(ExampleTable.EXAMPLE_ID, ExampleTable.LABEL, ExampleTable.HEIGHT, ExampleTable.WIDTH,
                ExampleTable.CHANNELS, ExampleTable.PIXELS);
    if (limit > 0) {
      examples = examples.orderBy(ExampleTable.EXAMPLE_ID).limit(limit);
    }
    Dataset<Row> labelled = null;
    for (Source source : sources) {
      String teacher = source.teacher();
      Dataset<Row> labels =
          SoftLabelStore.read(spark, layout, source.stage(), teacher)
              .filter(col(SoftLabelTable.SPLIT).equalTo("train"))
              .select(
                  col(SoftLabelTable.EXAMPLE_ID),
                  col(SoftLabelTable.VIEW_ID),
                  col(SoftLabelTable.CROP_TOP).as(teacher + ".crop_top"),
                  col(SoftLabelTable.CROP_LEFT).as(teacher + ".crop_left"),
                  col(SoftLabelTable.CROP_HEIGHT).as(teacher + ".crop_height"),
                  col(SoftLabelTable.CROP_WIDTH).as(teacher + ".crop_width"),
                  col(SoftLabelTable.FLIP).as(teacher + ".flip"),
                  col(SoftLabelTable.TOPK_IDS).as(teacher + ".ids"),
                  col(SoftLabelTable.TOPK_LOGITS).as(teacher + ".logits"),
                  col(SoftLabelTable.LOG_SUM_EXP).as(teacher + ".lse"));
      labelled =
          labelled == null
              ? labels
              : labelled.join(labels, scala.jdk.javaapi.CollectionConverters.asScala(
                      List.of(SoftLabelTable.EXAMPLE_ID, SoftLabelTable.VIEW_ID)).toSeq());
    }
    Dataset<Row> joined = examples.join(labelled, ExampleTable.EXAMPLE_ID);
    List<Row> rows = joined.orderBy(SoftLabelTable.EXAMPLE_ID, SoftLabelTable.VIEW_ID).collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException("no train soft labels of " + sources + " under " + layout.root());
    }
    Row first = rows.get(0);
    int h = first.getAs(ExampleTable.HEIGHT);
    int w = first.getAs(ExampleTable.WIDTH);
    int c = first.getAs(ExampleTable.CHANNELS);
    int bytes = h * w * c;
    byte[] pixels = new byte[rows.size() * bytes];
    int[] labels = new int[rows.size()];
    String[] ids = new String[rows.size()];
    int[] views = new int[rows.size()];
    Map<String, float[][]> targets = new LinkedHashMap<>();
    for (String teacher : teachers) {
      targets.put(teacher, new float[rows.size()][]);
    }
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      ids[i] = row.getAs(ExampleTable.EXAMPLE_ID);
      views[i] = row.getAs(SoftLabelTable.VIEW_ID);
      labels[i] = row.getAs(ExampleTable.LABEL);
      View view = null;
      for (String teacher : teachers) {
        View seen =
            new View(
                views[i],
                row.<Integer>getAs(teacher + ".crop_top"),
                row.<Integer>getAs(teacher + ".crop_left"),
                row.<Integer>getAs(teacher + ".crop_height"),
                row.<Integer>getAs(teacher + ".crop_width"),
                row.<Boolean>getAs(teacher + ".flip"));
        if (view != null && !view.equals(seen)) {
          throw new IllegalStateException(
              "example " + ids[i] + " view " + views[i] + ": teachers " + teachers
                  + " were run on different views (different soft-labels seeds?)");
        }
        view = seen;
        int[] topIds = toInts(row.getList(row.fieldIndex(teacher + ".ids")));
        float[] logits = SoftLabelTable.logits(row, row.fieldIndex(teacher + ".logits"));
        targets.get(teacher)[i] =
            SoftLabelDistribution.probabilities(
                topIds, logits, row.<Float>getAs(teacher + ".lse"), classes, temperature, missing);
      }
      System.arraycopy(ViewRenderer.render(row.getAs(ExampleTable.PIXELS), h, w, c, view), 0, pixels, i * bytes, bytes);
    }
    return new StudentSet(new ImageArrays(pixels, labels, h, w, c), ids, views, targets);
  }

  private static int[] toInts(List<Object> values) {
    int[] ints = new int[values.size()];
    for (int i = 0; i < ints.length; i++) {
      ints[i] = ((Number) values.get(i)).intValue();
    }
    return ints;
  }

  /** Entries of this set, as the training loop indexes them. */
  public int size() {
    return exampleIds.length;
  }

  /** Teacher names, in load order. */
  public List<String> teachers() {
    return new ArrayList<>(targets.keySet());
  }
}
