package io.sparkdistill.datasets.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.examples.ExampleIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class SequencePackerTest extends SparkTextTest {
  private static int[] range(int from, int to) {
    return IntStream.range(from, to).toArray();
  }

  @Test
  void packsDocumentsIntoFixedLengthSequencesWithSeparators() {
    SequencePacker packer = new SequencePacker(8); // 6 content ids per sequence
    List<SequencePacker.Sequence> sequences =
        packer.pack(List.of(range(10, 13), range(20, 22), new int[0], range(30, 39), range(40, 41)));

    assertThat(sequences).allSatisfy(s -> assertThat(s.ids()).hasSize(8));
    assertThat(sequences)
        .extracting(SequencePacker.Sequence::ids)
        .containsExactly(
            new int[] {2, 10, 11, 12, 3, 20, 21, 3}, // doc 1 [SEP] doc 2 (no room for a separator)
            new int[] {2, 30, 31, 32, 33, 34, 35, 3}, // doc 4 continues
            new int[] {2, 36, 37, 38, 3, 40, 3, 0}); // ... [SEP] doc 5, then padding
    assertThat(sequences).extracting(SequencePacker.Sequence::documents).containsExactly(2, 1, 2);
    assertThat(packer.pack(List.of())).isEmpty();
    assertThatThrownBy(() -> new SequencePacker(2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sequence length must be at least 3, got 2");
  }

  @Test
  void everyTokenSurvivesPackingInOrder() {
    SequencePacker packer = new SequencePacker(16);
    List<int[]> docs = new ArrayList<>();
    List<Integer> expected = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      int[] doc = range(100 + d * 50, 100 + d * 50 + (d * 7) % 31);
      docs.add(doc);
      IntStream.of(doc).forEach(expected::add);
    }
    List<Integer> packed = new ArrayList<>();
    for (SequencePacker.Sequence s : packer.pack(docs)) {
      assertThat(s.ids()[0]).isEqualTo(Vocabulary.CLS_ID);
      IntStream.of(s.ids()).filter(id -> !Vocabulary.isSpecial(id)).forEach(packed::add);
      int last = s.ids().length - 1;
      while (s.ids()[last] == Vocabulary.PAD_ID) {
        last--;
      }
      assertThat(s.ids()[last]).isEqualTo(Vocabulary.SEP_ID);
      assertThat(s.ids()[last - 1]).isNotEqualTo(Vocabulary.SEP_ID);
    }
    assertThat(packed).isEqualTo(expected);
  }

  private Dataset<Row> examples() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String id = "doc" + i;
      String split = i % 4 == 0 ? "test" : "train";
      rows.add(
          RowFactory.create(
              id, split, ExampleIds.shardOf(id, 3), id,
              "the cat sat on the mat number " + i + " and the dog ran"));
    }
    return spark.createDataFrame(rows, TextExampleTable.SCHEMA);
  }

  private static Map<String, List<Integer>> byId(Dataset<Row> packed) {
    return packed.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.<Integer>getList(3)));
  }

  @Test
  void packsOnExecutorsIndependentlyOfPartitioningThenMasksViews() {
    Vocabulary vocabulary = new VocabularyBuilder().setMinCount(1).fit(examples());
    Tokenizer tokenizer = new Tokenizer(vocabulary);
    SequencePacker packer = new SequencePacker(12);

    Dataset<Row> packed = packer.pack(examples(), tokenizer);
    assertThat(packed.schema()).isEqualTo(PackedTable.SCHEMA);
    Map<String, List<Integer>> once = byId(packed);
    Map<String, List<Integer>> shuffled = byId(packer.pack(examples().repartition(7), tokenizer));
    assertThat(shuffled).isEqualTo(once);
    assertThat(once.values()).allSatisfy(ids -> assertThat(ids).hasSize(12));
    assertThat(once.keySet()).allMatch(id -> id.matches("(train|test)-[0-2]-\\d+"));
    // Every token of every document is in some sequence: 12 tokens per document here (test
    // documents' numbers are not in the train vocabulary, so they count as [UNK]).
    long tokens =
        once.values().stream()
            .flatMap(List::stream)
            .filter(id -> id != Vocabulary.PAD_ID && id != Vocabulary.CLS_ID && id != Vocabulary.SEP_ID)
            .count();
    assertThat(tokens).isEqualTo(60 * 12);

    Masking masking = new Masking(Masking.Options.bert(7), vocabulary.size());
    Dataset<Row> views = MaskedViews.of(packed, masking, 3, 1);
    assertThat(views.schema()).isEqualTo(SequenceTable.SCHEMA);
    long train = packed.filter("split = 'train'").count();
    long test = packed.filter("split = 'test'").count();
    assertThat(views.count()).isEqualTo(3 * train + test);
    assertThat(views.filter("split = 'test'").select("view_id").distinct().count()).isEqualTo(1);
    Row view = views.filter("view_id = 2").orderBy("sequence_id").first();
    int[] original = once.get(view.getString(0)).stream().mapToInt(Integer::intValue).toArray();
    Masking.Masked expected = masking.mask(view.getString(0), 2, original);
    assertThat(SequenceTable.ints(view, 4)).isEqualTo(expected.inputIds());
    assertThat(SequenceTable.ints(view, 5)).isEqualTo(expected.positions());
    assertThat(SequenceTable.ints(view, 6)).isEqualTo(expected.labels());
  }
}
