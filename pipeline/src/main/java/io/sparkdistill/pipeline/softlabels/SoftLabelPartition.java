package io.sparkdistill.pipeline.softlabels;

import io.sparkdistill.pipeline.distill.TopK;
import io.sparkdistill.pipeline.config.LogitPrecision;
import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.pipeline.spark.ModelCache;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.spark.BatchedRows;
import io.sparkdistill.pipeline.train.Evaluation;
import io.sparkdistill.pipeline.train.ImageArrays;
import io.sparkdistill.pipeline.views.View;
import io.sparkdistill.pipeline.views.ViewRenderer;
import io.sparkdistill.pipeline.views.ViewSampler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Teacher inference over one partition of examples: renders each example's views (train: view 0
 * and the sampled views; other splits: view 0), runs the teacher on fixed-size batches, and emits
 * one {@link SoftLabelTable} row per (example, view). Output is produced batch by batch, so a
 * partition never holds more than one batch of images.
 */
public final class SoftLabelPartition implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final String teacherDir;
  private final ModelInfo teacher;
  private final ViewSampler sampler;
  private final int topK;
  private final LogitPrecision precision;
  private final int batchSize;
  private final int failPartition;

  /**
   * @param failPartition fault injection for tests: the first attempt of this partition dies after
   *     its first batch (-1: never)
   */
  public SoftLabelPartition(
      String teacherDir,
      ModelInfo teacher,
      ViewSampler sampler,
      int topK,
      LogitPrecision precision,
      int batchSize,
      int failPartition) {
    this.teacherDir = teacherDir;
    this.teacher = teacher;
    this.sampler = sampler;
    this.topK = topK;
    this.precision = precision;
    this.batchSize = batchSize;
    this.failPartition = failPartition;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> examples) {
    return BatchedRows.inTask(examples, this::inferBatch, failPartition);
  }

  /** Renders views until a batch is full (or the input ends), runs the teacher, queues the rows. */
  private void inferBatch(Device device, Iterator<Row> examples, ArrayDeque<Row> out) {
    Model model = ModelCache.get(teacherDir, teacher, device);
    int h = teacher.inputHeight();
    int w = teacher.inputWidth();
    int c = teacher.inputChannels();
    int bytes = h * w * c;
    List<Row> sources = new ArrayList<>(batchSize);
    List<View> views = new ArrayList<>(batchSize);
    byte[] pixels = new byte[batchSize * bytes];
    // An example's views always stay in one batch; a batch may run over by the views of one example.
    while (views.size() < batchSize && examples.hasNext()) {
      Row example = examples.next();
      byte[] image = example.getAs(ExampleTable.PIXELS);
      String id = example.getAs(ExampleTable.EXAMPLE_ID);
      List<View> exampleViews =
          "train".equals(example.getAs(ExampleTable.SPLIT)) ? sampler.viewsOf(id, h, w) : List.of(View.identity(h, w));
      for (View view : exampleViews) {
        if ((views.size() + 1) * bytes > pixels.length) {
          pixels = java.util.Arrays.copyOf(pixels, pixels.length * 2);
        }
        System.arraycopy(ViewRenderer.render(image, h, w, c, view), 0, pixels, views.size() * bytes, bytes);
        sources.add(example);
        views.add(view);
      }
    }
    int n = views.size();
    ImageArrays batch =
        new ImageArrays(java.util.Arrays.copyOf(pixels, n * bytes), new int[n], h, w, c);
    float[][] logits = Evaluation.logits(model, batch, teacher.normalization(), n);
    for (int i = 0; i < n; i++) {
      out.add(row(sources.get(i), views.get(i), logits[i]));
    }
  }

  private Row row(Row example, View view, float[] logits) {
    TopK top = TopK.of(logits, topK == 0 ? logits.length : topK);
    return RowFactory.create(
        teacher.name(),
        example.getAs(ExampleTable.EXAMPLE_ID),
        example.getAs(ExampleTable.SPLIT),
        example.getAs(ExampleTable.SHARD),
        view.viewId(),
        view.cropTop(),
        view.cropLeft(),
        view.cropHeight(),
        view.cropWidth(),
        view.flip(),
        top.ids(),
        precision.round(top.logits()),
        precision.bits(),
        top.logSumExp(),
        top.top1());
  }
}
