package io.sparkdistill.pipeline.students;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.pipeline.softlabels.SoftLabelTable;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import io.sparkdistill.pipeline.stream.ChunkReader;
import io.sparkdistill.pipeline.stream.ShuffledStream;
import io.sparkdistill.pipeline.stream.TableChunks;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class StudentViewTableTest extends LocalSparkTest {
  private static final int EXAMPLES = 300;
  private static final int VIEWS = 3;

  private static Dataset<Row> examples() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < EXAMPLES; i++) {
      byte[] pixels = new byte[4 * 4];
      pixels[0] = (byte) i;
      rows.add(RowFactory.create("e" + i, "train", i % 7, i % 5, "c" + (i % 5), 4, 4, 1, pixels, "src" + i));
    }
    return spark.createDataFrame(rows, ExampleTable.SCHEMA);
  }

  private static Dataset<Row> softLabels(String teacher, int offset, boolean shiftView) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < EXAMPLES; i++) {
      for (int v = VIEWS - 1; v >= 0; v--) { // written out of view order on purpose
        int top = shiftView && i == 17 && v == 1 ? 1 : 0;
        rows.add(RowFactory.create(teacher, "e" + i, "train", i % 7, v, top, 0, 3, 3, v == 2,
            List.of((i + offset) % 5, (i + offset + 1) % 5), new float[] {v + 1f, v}, 32,
            (float) (i + v), (i + offset) % 5));
      }
    }
    return spark.createDataFrame(rows, SoftLabelTable.SCHEMA);
  }

  private static List<StudentViews> readAll(String path, int sources) {
    TableChunks chunks = TableChunks.list(new Configuration(), path);
    ChunkReader<StudentViews> reader =
        new ChunkReader<>(new Configuration(), StudentViews.columns(sources), g -> StudentViews.decode(g, sources, VIEWS));
    List<StudentViews> all = new ArrayList<>();
    chunks.chunks().forEach(c -> all.addAll(reader.read(c)));
    return all;
  }

  @Test
  void joinsEveryExampleWithEachSourcesViewsInViewOrder() throws Exception {
    String path = Files.createTempDirectory("student-views").resolve("t").toString();
    StudentViewTable.write(examples(), List.of(softLabels("a", 0, false), softLabels("b", 2, false)), path, 4096);
    List<StudentViews> all = readAll(path, 2);
    assertThat(all).hasSize(EXAMPLES);
    assertThat(TableChunks.list(new Configuration(), path).size()).as("small row groups").isGreaterThan(2);
    Map<String, StudentViews> byId = new HashMap<>();
    all.forEach(e -> byId.put(e.exampleId(), e));
    StudentViews e42 = byId.get("e42");
    assertThat(e42.label()).isEqualTo(42 % 5);
    assertThat(e42.pixels()[0]).isEqualTo((byte) 42);
    assertThat(e42.views()).extracting(v -> v.viewId()).containsExactly(0, 1, 2);
    assertThat(e42.views().get(2).flip()).isTrue();
    assertThat(e42.targets()[0][1].ids()).containsExactly(42 % 5, 43 % 5);
    assertThat(e42.targets()[1][1].ids()).containsExactly(44 % 5, 45 % 5);
    assertThat(e42.targets()[1][2].logits()).containsExactly(3f, 2f);
    assertThat(e42.targets()[0][2].logSumExp()).isEqualTo(44f);
    assertThat(e42.items()).hasSize(VIEWS);
  }

  @Test
  void streamsEveryViewOnceAnEpochWithoutTheDriver() throws Exception {
    String path = Files.createTempDirectory("student-views").resolve("t").toString();
    StudentViewTable.write(examples(), List.of(softLabels("a", 0, false)), path, 4096);
    TableChunks chunks = TableChunks.list(new Configuration(), path);
    ChunkReader<StudentViews> reader =
        new ChunkReader<>(new Configuration(), StudentViews.columns(1), g -> StudentViews.decode(g, 1, VIEWS));
    try (ShuffledStream<StudentViews.Item> stream =
        ShuffledStream.<StudentViews.Item>builder()
            .setChunks(chunks)
            .setReader(c -> reader.read(c).stream().flatMap(e -> e.items().stream()).toList())
            .optItemsPerRow(VIEWS)
            .setSeed(3)
            .build()) {
      List<StudentViews.Item> epoch = stream.next(EXAMPLES * VIEWS);
      assertThat(epoch.stream().map(i -> i.example().exampleId() + "/" + i.view()).distinct()).hasSize(EXAMPLES * VIEWS);
    }
  }

  @Test
  void sourcesThatLabelledDifferentViewsAreRefusedNamingTheExample() throws Exception {
    String path = Files.createTempDirectory("student-views").resolve("t").toString();
    StudentViewTable.write(examples(), List.of(softLabels("a", 0, false), softLabels("b", 0, true)), path, 1 << 20);
    assertThatThrownBy(() -> readAll(path, 2)).hasMessageContaining("example e17: the target sources were run on different views");
  }
}
