package io.sparkdistill.pipeline.spark;

import ai.djl.Device;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;

/**
 * The output iterator of a batched {@code mapPartitions}: input rows are turned into output rows
 * one batch at a time, only when the consumer asks for more, so a partition never holds more than
 * one batch (model inference over a partition: soft labels, predictions).
 */
public final class BatchedRows {
  /** The {@code failPartition} of {@link #inTask} that injects no failure. */
  public static final int NO_FAILURE = -1;

  private BatchedRows() {}

  /** Reads one batch of input rows and queues its output rows, running the model on the task's device. */
  @FunctionalInterface
  public interface DeviceBatch {
    /**
     * @param device where the model runs
     * @param input the partition's rows (at least one left)
     * @param out where the batch's output rows go
     */
    void read(Device device, Iterator<Row> input, ArrayDeque<Row> out);
  }

  /**
   * Model inference over the partition of the current Spark task: PyTorch's threads are sized to
   * the task's cores before the engine starts, and every batch runs on the GPU Spark gave the task,
   * if any ({@link ModelCache#sizeThreads}, {@link ModelCache#taskDevice}).
   *
   * @param input the partition's rows
   * @param batch reads one batch and queues its output rows
   * @param failPartition fault injection for tests: the first attempt of this partition dies after
   *     its first batch ({@link #NO_FAILURE}: never)
   */
  public static Iterator<Row> inTask(Iterator<Row> input, DeviceBatch batch, int failPartition) {
    TaskContext task = TaskContext.get();
    ModelCache.sizeThreads(task);
    Device device = ModelCache.taskDevice(task);
    boolean failAfterFirstBatch =
        task != null && task.partitionId() == failPartition && task.attemptNumber() == 0;
    return of(
        input,
        (in, out) -> batch.read(device, in, out),
        index -> {
          if (failAfterFirstBatch && index == 1) {
            throw new IllegalStateException("injected failure of partition " + failPartition + " (test)");
          }
        });
  }

  /** The next {@code size} rows of {@code input}, or all it has left when that is fewer. */
  public static List<Row> take(Iterator<Row> input, int size) {
    List<Row> rows = new ArrayList<>(size);
    while (rows.size() < size && input.hasNext()) {
      rows.add(input.next());
    }
    return rows;
  }

  /**
   * @param input the partition's rows
   * @param batch reads one batch from the input (at least one row) and queues its output rows
   * @param beforeBatch told the 0-based index of each batch before it is read (fault injection)
   */
  private static Iterator<Row> of(
      Iterator<Row> input, BiConsumer<Iterator<Row>, ArrayDeque<Row>> batch, IntConsumer beforeBatch) {
    return new Iterator<>() {
      private final ArrayDeque<Row> ready = new ArrayDeque<>();
      private int batches;

      @Override
      public boolean hasNext() {
        while (ready.isEmpty() && input.hasNext()) {
          beforeBatch.accept(batches++);
          batch.accept(input, ready);
        }
        return !ready.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }
    };
  }
}
