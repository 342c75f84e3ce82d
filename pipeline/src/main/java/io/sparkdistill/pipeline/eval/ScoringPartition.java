package io.sparkdistill.pipeline.eval;

import ai.djl.Device;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.spark.BatchedRows;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/**
 * One model scored over one partition of test rows, {@code batchSize} rows per forward pass on the
 * task's device ({@link BatchedRows#inTask}), so a partition never holds more than one batch. The
 * image and the text evaluations differ only in how a batch is read, run and turned into
 * prediction rows.
 */
public abstract class ScoringPartition implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  /** The {@code k} of the {@code top5_correct} column. */
  protected static final int TOP_K = 5;

  /** The {@code model} column. */
  protected final String name;
  /** The folder of the model's {@code model.json}. */
  protected final String dir;
  /** Its {@code model.json}. */
  protected final ModelInfo info;
  /** Test rows per forward pass. */
  protected final int batchSize;

  /**
   * @param name the {@code model} column
   * @param dir the folder of the model's {@code model.json}
   * @param info its {@code model.json}
   * @param batchSize test rows per forward pass
   */
  protected ScoringPartition(String name, String dir, ModelInfo info, int batchSize) {
    this.name = name;
    this.dir = dir;
    this.info = info;
    this.batchSize = batchSize;
  }

  @Override
  public final Iterator<Row> call(Iterator<Row> rows) {
    return BatchedRows.inTask(rows, this::predictBatch, BatchedRows.NO_FAILURE);
  }

  /** Reads up to {@code batchSize} rows, runs the model on them and queues their prediction rows. */
  protected abstract void predictBatch(Device device, Iterator<Row> rows, ArrayDeque<Row> out);
}
