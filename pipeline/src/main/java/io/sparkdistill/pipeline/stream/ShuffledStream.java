package io.sparkdistill.pipeline.stream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An endless, deterministic stream of training items read from a table's row groups: for every
 * epoch the row groups are put in an order drawn from (seed, epoch), this worker takes every
 * {@code workers}-th of them, reads them {@code window} at a time and emits each window's items in
 * an order drawn from (seed, epoch, window). A prefetch thread reads the next windows while the
 * current one is consumed. Memory holds at most {@code prefetch + 1} windows.
 *
 * <p>Because every order depends only on the seed, the stream can start at any item ({@link
 * Builder#optStart}) by skipping whole windows arithmetically (row counts come from the footers)
 * and reading only the window that holds the start: a resumed run, or a data-parallel round that
 * continues where the last one stopped, sees exactly the items an uninterrupted stream would.
 *
 * @param <T> one training item (a row, or one of several views of a row)
 */
public final class ShuffledStream<T> implements AutoCloseable {
  private static final Object END = new Object();

  private final List<TableChunks.Chunk> chunks;
  private final Function<TableChunks.Chunk, List<T>> read;
  private final int itemsPerRow;
  private final long seed;
  private final int window;
  private final int worker;
  private final int workers;
  private final BlockingQueue<Object> queue;
  private final Thread prefetch;
  private volatile boolean closed;
  private List<T> current = List.of();
  private int cursor;
  /** Items of the first window that come before the start. */
  private int skipFirst;

  private ShuffledStream(Builder<T> b) {
    this.chunks = b.chunks.chunks();
    this.read = b.read;
    this.itemsPerRow = b.itemsPerRow;
    this.seed = b.seed;
    this.window = b.window;
    this.worker = b.worker;
    this.workers = b.workers;
    this.queue = new ArrayBlockingQueue<>(b.prefetch);
    Position start = locate(b.start);
    this.skipFirst = start.offset();
    this.prefetch = new Thread(() -> produce(start.epoch(), start.window()), "shuffled-stream-prefetch");
    prefetch.setDaemon(true);
    prefetch.start();
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  /** The next item; blocks while the prefetch thread reads. */
  public T next() {
    while (cursor >= current.size()) {
      current = take();
      cursor = skipFirst;
      skipFirst = 0;
    }
    return current.get(cursor++);
  }

  /** The next {@code n} items. */
  public List<T> next(int n) {
    List<T> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      batch.add(next());
    }
    return batch;
  }

  /** Items of one epoch for this worker (it varies by epoch when there are several workers). */
  public long itemsInEpoch(int epoch) {
    long items = 0;
    for (List<TableChunks.Chunk> w : windows(epoch)) {
      items += items(w);
    }
    return items;
  }

  @Override
  public void close() {
    closed = true;
    prefetch.interrupt();
    queue.clear();
  }

  @SuppressWarnings("unchecked")
  private List<T> take() {
    try {
      Object next = queue.take();
      if (next instanceof Failure failure) {
        throw new IllegalStateException("reading training data failed: " + failure.error.getMessage(), failure.error);
      }
      return (List<T>) next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for training data", e);
    }
  }

  private void produce(int epoch, int firstWindow) {
    try {
      for (int e = epoch; !closed; e++) {
        List<List<TableChunks.Chunk>> windows = windows(e);
        for (int w = e == epoch ? firstWindow : 0; w < windows.size() && !closed; w++) {
          List<T> items = new ArrayList<>();
          for (TableChunks.Chunk chunk : windows.get(w)) {
            List<T> read = this.read.apply(chunk);
            if (read.size() != chunk.rows() * itemsPerRow) {
              throw new IllegalStateException(
                  chunk.file() + " row group " + chunk.rowGroup() + " gave " + read.size() + " items, expected "
                      + chunk.rows() + " rows x " + itemsPerRow);
            }
            items.addAll(read);
          }
          Collections.shuffle(items, new Random(mix(mix(seed, e), w)));
          put(items);
        }
      }
    } catch (InterruptedException e) {
      // closed
    } catch (RuntimeException | Error e) {
      try {
        put(new Failure(e));
      } catch (InterruptedException ignored) {
        // closed while failing
      }
    }
  }

  private void put(Object item) throws InterruptedException {
    while (!closed && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
      // waits for the consumer, checking for close
    }
  }

  /** This worker's windows of row groups in {@code epoch}. */
  List<List<TableChunks.Chunk>> windows(int epoch) {
    List<Integer> order = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(mix(seed, epoch)));
    List<TableChunks.Chunk> mine = new ArrayList<>();
    for (int i = worker; i < order.size(); i += workers) {
      mine.add(chunks.get(order.get(i)));
    }
    List<List<TableChunks.Chunk>> windows = new ArrayList<>();
    for (int i = 0; i < mine.size(); i += window) {
      windows.add(mine.subList(i, Math.min(mine.size(), i + window)));
    }
    return windows;
  }

  private long items(List<TableChunks.Chunk> window) {
    long rows = 0;
    for (TableChunks.Chunk chunk : window) {
      rows += chunk.rows();
    }
    return rows * itemsPerRow;
  }

  private record Position(int epoch, int window, int offset) {}

  private Position locate(long start) {
    long left = start;
    for (int e = 0; ; e++) {
      List<List<TableChunks.Chunk>> windows = windows(e);
      for (int w = 0; w < windows.size(); w++) {
        long items = items(windows.get(w));
        if (left < items) {
          return new Position(e, w, (int) left);
        }
        left -= items;
      }
    }
  }

  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private record Failure(Throwable error) {}

  /** Builds a {@link ShuffledStream}; {@code set} = required, {@code opt} = optional. */
  public static final class Builder<T> {
    private TableChunks chunks;
    private Function<TableChunks.Chunk, List<T>> read;
    private int itemsPerRow = 1;
    private Long seed;
    private int window = 4;
    private int prefetch = 2;
    private int worker = 0;
    private int workers = 1;
    private long start;

    private Builder() {}

    /** The row groups to stream. */
    public Builder<T> setChunks(TableChunks chunks) {
      this.chunks = chunks;
      return this;
    }

    /** Reads one row group into its items ({@code rows x itemsPerRow} of them, in stored order). */
    public Builder<T> setReader(Function<TableChunks.Chunk, List<T>> read) {
      this.read = read;
      return this;
    }

    /** The seed every order is drawn from. */
    public Builder<T> setSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Items each row becomes (e.g. the stored views of an example); default 1. */
    public Builder<T> optItemsPerRow(int itemsPerRow) {
      this.itemsPerRow = itemsPerRow;
      return this;
    }

    /** Row groups shuffled together; default 4. */
    public Builder<T> optWindow(int window) {
      this.window = window;
      return this;
    }

    /** Windows read ahead; default 2. */
    public Builder<T> optPrefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    /** This stream is worker {@code index} of {@code count} (data-parallel training); default 0 of 1. */
    public Builder<T> optWorker(int index, int count) {
      this.worker = index;
      this.workers = count;
      return this;
    }

    /** Items to skip from the start of epoch 0; default 0. */
    public Builder<T> optStart(long start) {
      this.start = start;
      return this;
    }

    /** Validates the settings and starts the prefetch thread. */
    public ShuffledStream<T> build() {
      if (chunks == null || read == null || seed == null) {
        throw new IllegalStateException("ShuffledStream needs setChunks, setReader and setSeed");
      }
      if (itemsPerRow < 1 || window < 1 || prefetch < 1 || start < 0) {
        throw new IllegalArgumentException(
            "itemsPerRow, window and prefetch must be at least 1 and start at least 0, got " + itemsPerRow + ", "
                + window + ", " + prefetch + ", " + start);
      }
      if (workers < 1 || worker < 0 || worker >= workers) {
        throw new IllegalArgumentException("worker must be in [0, " + workers + "), got " + worker);
      }
      if (workers > chunks.size()) {
        throw new IllegalArgumentException(
            workers + " data-parallel workers but the table has only " + chunks.size()
                + " row groups: every worker needs at least one (use fewer workers or smaller row groups)");
      }
      return new ShuffledStream<>(this);
    }
  }
}
