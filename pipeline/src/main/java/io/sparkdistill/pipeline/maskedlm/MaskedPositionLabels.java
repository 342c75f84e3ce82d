package io.sparkdistill.pipeline.maskedlm;

import ai.djl.Device;
import io.sparkdistill.pipeline.config.LogitPrecision;
import io.sparkdistill.pipeline.spark.ModelCache;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.spark.ModelPool;
import io.sparkdistill.pipeline.spark.BatchedRows;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/**
 * A masked-language-model teacher over one partition of sequence views (rows of {@link
 * MlmSequences#columns()}, sorted by shard, sequence id and view id): {@code batchSize} views per
 * forward pass, one {@link TextSoftLabelTable} row per masked position, emitted in input order and
 * ascending position, so sorted input gives sorted output. A partition never holds more than one
 * batch. The model comes from the {@link ModelPool} (one instance per concurrent task, each loaded
 * once per JVM), not {@link ModelCache}: DJL's BERT blocks cannot serve two tasks at once.
 */
final class MaskedPositionLabels implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final String teacherDir;
  private final ModelInfo teacher;
  private final int topK;
  private final LogitPrecision precision;
  private final int batchSize;
  private final int failPartition;

  /**
   * @param teacherDir the folder of the teacher's {@code model.json}
   * @param teacher its {@code model.json}
   * @param topK ids kept per position (at least 1; the vocabulary size keeps all)
   * @param precision how the logits are packed
   * @param batchSize views per forward pass
   * @param failPartition fault injection for tests: the first attempt of this partition dies after
   *     its first batch (-1: never)
   */
  MaskedPositionLabels(
      String teacherDir, ModelInfo teacher, int topK, LogitPrecision precision, int batchSize, int failPartition) {
    this.teacherDir = teacherDir;
    this.teacher = teacher;
    this.topK = topK;
    this.precision = precision;
    this.batchSize = batchSize;
    this.failPartition = failPartition;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> views) {
    return BatchedRows.inTask(views, this::inferBatch, failPartition);
  }

  private void inferBatch(Device device, Iterator<Row> views, ArrayDeque<Row> out) {
    // The stage keeps only views with a masked position, so MlmSequences skips none here.
    MlmSequences.Loaded loaded = MlmSequences.of(BatchedRows.take(views, batchSize));
    try (ModelPool.Lease lease = ModelPool.borrow(teacherDir, teacher, device)) {
      out.addAll(
          TextSoftLabelTable.compute(
              teacher.name(), lease.model(), loaded.data(), loaded.keys(), topK, precision, batchSize));
    }
  }
}
