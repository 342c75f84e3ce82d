package io.sparkdistill.pipeline.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.pipeline.spark.LocalSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ShuffledStreamTest extends LocalSparkTest {
  private static final int ROWS = 3_000;
  private static TableChunks chunks;
  private static ChunkReader<Long> reader;

  @BeforeAll
  static void writeTable() throws Exception {
    Path dir = Files.createTempDirectory("shuffled-stream");
    String table = dir.resolve("t").toString();
    // Small row groups, so the table has many: ids 0..ROWS-1 with a padding column to fill them.
    spark.range(ROWS)
        .withColumn("pad", functions.expr("repeat('x', 200)"))
        .repartition(3)
        .sortWithinPartitions("id")
        .write()
        .option("parquet.block.size", "65536")
        .parquet(table);
    Files.writeString(dir.resolve("t").resolve("_SUCCESS.extra"), "not data");
    chunks = TableChunks.list(new Configuration(), table);
    reader = new ChunkReader<>(new Configuration(), List.of("id"), row -> row.getLong("id", 0));
  }

  private static ShuffledStream.Builder<Long> stream(long seed) {
    return ShuffledStream.<Long>builder().setChunks(chunks).setReader(reader::read).setSeed(seed).optWindow(2);
  }

  @Test
  void listsEveryRowGroupFromTheFooters() {
    assertThat(chunks.rows()).isEqualTo(ROWS);
    assertThat(chunks.size()).isGreaterThan(6);
    long read = chunks.chunks().stream().mapToLong(c -> reader.read(c).size()).sum();
    assertThat(read).isEqualTo(ROWS);
  }

  @Test
  void everyEpochHoldsEveryRowOnceInAnOrderDrawnFromTheSeed() {
    List<Long> first;
    List<Long> again;
    List<Long> other;
    try (ShuffledStream<Long> a = stream(7).build();
        ShuffledStream<Long> b = stream(7).build();
        ShuffledStream<Long> c = stream(8).build()) {
      first = a.next(2 * ROWS);
      again = b.next(2 * ROWS);
      other = c.next(ROWS);
    }
    assertThat(first).isEqualTo(again);
    assertThat(new HashSet<>(first.subList(0, ROWS))).hasSize(ROWS);
    assertThat(new HashSet<>(first.subList(ROWS, 2 * ROWS))).hasSize(ROWS);
    assertThat(first.subList(0, ROWS)).isNotEqualTo(first.subList(ROWS, 2 * ROWS));
    assertThat(other).isNotEqualTo(first.subList(0, ROWS));
    // Shuffled within windows, not only by row group: neighbours are rarely consecutive ids.
    int consecutive = 0;
    for (int i = 1; i < ROWS; i++) {
      consecutive += Math.abs(first.get(i) - first.get(i - 1)) == 1 ? 1 : 0;
    }
    assertThat(consecutive).isLessThan(ROWS / 20);
  }

  @Test
  void startsAnywhereWithTheItemsAnUninterruptedStreamGives() {
    List<Long> whole;
    try (ShuffledStream<Long> s = stream(3).build()) {
      whole = s.next(ROWS + 700);
    }
    for (long start : new long[] {0, 1, 450, ROWS - 1, ROWS, ROWS + 123}) {
      try (ShuffledStream<Long> s = stream(3).optStart(start).build()) {
        int n = (int) (ROWS + 700 - start);
        assertThat(s.next(n)).as("start %d", start).isEqualTo(whole.subList((int) start, (int) start + n));
      }
    }
  }

  @Test
  void workersSplitEachEpochWithoutOverlap() {
    Set<Long> seen = new HashSet<>();
    long total = 0;
    for (int w = 0; w < 3; w++) {
      try (ShuffledStream<Long> s = stream(5).optWorker(w, 3).build()) {
        long items = s.itemsInEpoch(0);
        total += items;
        List<Long> mine = s.next((int) items);
        seen.addAll(mine);
        assertThat(new HashSet<>(mine)).hasSize((int) items);
      }
    }
    assertThat(total).isEqualTo(ROWS);
    assertThat(seen).hasSize(ROWS);
  }

  @Test
  void aFailingReadReachesTheConsumer() {
    try (ShuffledStream<Long> s =
        ShuffledStream.<Long>builder()
            .setChunks(chunks)
            .setReader(c -> { throw new IllegalStateException("disk on fire"); })
            .setSeed(1)
            .build()) {
      assertThatThrownBy(s::next).hasMessageContaining("reading training data failed: disk on fire");
    }
  }

  @Test
  void refusesMoreWorkersThanRowGroupsAndMissingColumns() {
    assertThatThrownBy(() -> stream(1).optWorker(0, chunks.size() + 1).build())
        .hasMessageContaining("row groups: every worker needs at least one");
    ChunkReader<Long> bad = new ChunkReader<>(new Configuration(), List.of("nope"), row -> 0L);
    assertThatThrownBy(() -> bad.read(chunks.chunks().get(0))).hasMessageContaining("has no column 'nope'");
  }
}
