package io.sparkdistill.pipeline.eval;

import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.pipeline.spark.ModelCache;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.train.Evaluation;
import io.sparkdistill.pipeline.train.ImageArrays;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One model over one partition of test examples: the images as stored (no views), fixed-size
 * batches, one {@link EvaluationTable#PREDICTIONS_SCHEMA} row per example. The model is loaded
 * once per JVM ({@link ModelCache}); a partition never holds more than one batch.
 */
public final class PredictionPartition extends ScoringPartition {
  private static final long serialVersionUID = 1L;

  /**
   * @param name the {@code model} column
   * @param dir the folder of the model's {@code model.json}
   * @param info its {@code model.json}
   * @param batchSize images per forward pass
   */
  public PredictionPartition(String name, String dir, ModelInfo info, int batchSize) {
    super(name, dir, info, batchSize);
  }

  @Override
  protected void predictBatch(Device device, Iterator<Row> examples, ArrayDeque<Row> out) {
    Model model = ModelCache.get(dir, info, device);
    int bytes = info.inputHeight() * info.inputWidth() * info.inputChannels();
    List<String> ids = new ArrayList<>(batchSize);
    int[] labels = new int[batchSize];
    byte[] pixels = new byte[batchSize * bytes];
    while (ids.size() < batchSize && examples.hasNext()) {
      Row example = examples.next();
      String id = example.getAs(ExampleTable.EXAMPLE_ID);
      byte[] image = example.getAs(ExampleTable.PIXELS);
      if (image.length != bytes) {
        throw new IllegalStateException(
            "example '" + id + "' has " + image.length + " pixel bytes, model '" + name + "' takes "
                + info.inputHeight() + "x" + info.inputWidth() + "x" + info.inputChannels() + " = " + bytes);
      }
      System.arraycopy(image, 0, pixels, ids.size() * bytes, bytes);
      labels[ids.size()] = example.<Integer>getAs(ExampleTable.LABEL);
      ids.add(id);
    }
    int n = ids.size();
    ImageArrays batch =
        new ImageArrays(
            java.util.Arrays.copyOf(pixels, n * bytes), java.util.Arrays.copyOf(labels, n),
            info.inputHeight(), info.inputWidth(), info.inputChannels());
    float[][] logits = Evaluation.logits(model, batch, info.normalization(), n);
    for (int i = 0; i < n; i++) {
      float[] l = logits[i];
      int label = labels[i];
      if (l.length != info.classes() || label >= l.length) {
        throw new IllegalStateException(
            "model '" + name + "' gave " + l.length + " logits for example '" + ids.get(i) + "' (label " + label
                + "), expected " + info.classes());
      }
      out.add(
          RowFactory.create(
              name, ids.get(i), label, Scores.argmax(l), Scores.confidence(l), Scores.inTopK(l, label, TOP_K)));
    }
  }
}
