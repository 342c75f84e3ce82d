package io.sparkdistill.pipeline.ensemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sparkdistill.pipeline.imageclassification.ImageClassification;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.DagRunner;
import io.sparkdistill.pipeline.dag.Manifest;
import io.sparkdistill.pipeline.dag.ManifestStore;
import io.sparkdistill.pipeline.dag.OutputCheck;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;
import io.sparkdistill.pipeline.ingest.IngestStage;
import io.sparkdistill.pipeline.ingest.LabelTable;
import io.sparkdistill.pipeline.config.LogitPrecision;
import io.sparkdistill.pipeline.softlabels.SoftLabelStore;
import io.sparkdistill.pipeline.softlabels.SoftLabelTable;
import io.sparkdistill.pipeline.distill.TopK;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ensemble stage on hand-made soft labels of 4 classes: (e1, view 0), (e1, view 1) in train,
 * (e2, view 0) in test.
 */
class EnsembleStageTest extends LocalSparkTest {
  private static final int CLASSES = 4;

  /** Full logits of each teacher per (example, view); the tables store their top k. */
  private static final Map<String, float[]> A =
      Map.of("e1/0", new float[] {2, 1, 0, -1}, "e1/1", new float[] {0, 0, 0, 0}, "e2/0", new float[] {-1, 3, 0, 1});

  private static final Map<String, float[]> B =
      Map.of("e1/0", new float[] {0, 3, 1, 1}, "e1/1", new float[] {1, 0, 0, 2}, "e2/0", new float[] {4, 0, 0, 0});

  private static final Map<String, float[]> C =
      Map.of("e1/0", new float[] {0, 0, 5, 0}, "e1/1", new float[] {-2, 1, 1, 0}, "e2/0", new float[] {1, 2, 3, 4});

  @TempDir Path dir;
  private RunLayout layout;

  @BeforeEach
  void writeLabels() {
    layout = new RunLayout(dir.resolve("run").toString(), new Configuration());
    spark
        .createDataFrame(LabelTable.rows(List.of("w", "x", "y", "z")), LabelTable.SCHEMA)
        .write()
        .parquet(layout.table(StageName.INGEST, IngestStage.LABELS));
  }

  /** Marks ingest and soft-labels complete with the files the test wrote, as the runner would. */
  private void commitUpstream() {
    ManifestStore manifests = new ManifestStore(layout);
    for (StageName stage : List.of(StageName.INGEST, StageName.SOFT_LABELS)) {
      String now = Instant.now().toString();
      manifests.write(
          new Manifest(
              Manifest.FORMAT_VERSION, stage.id(), "test", stage.id() + "-output", "fingerprint",
              Map.of(), Map.of(), Map.of(), List.of(), now, now, 0.0, Map.of(), OutputCheck.list(layout, stage)));
    }
  }

  private RunConfig config(String body) throws IOException {
    Path conf = dir.resolve("run.conf");
    Files.writeString(
        conf, "run.root = \"" + dir.resolve("run") + "\"\nteachers { a {}, b {}, c {} }\n" + body);
    return ConfigLoader.load(conf, List.of());
  }

  private void runEnsemble(RunConfig config) throws Exception {
    commitUpstream();
    Map<StageName, Supplier<Stage>> stages = Map.of(StageName.ENSEMBLE, () -> new EnsembleStage(new ImageClassification()));
    new DagRunner(new StageRegistry(stages), config, layout, () -> spark).run(List.of(StageName.ENSEMBLE), false);
  }

  /** A stored row: the top k of {@code logits}, crop box (top, 0, 20, 20). */
  private static Row row(
      String teacher, String key, float[] logits, int k, LogitPrecision precision, int cropTop, boolean flip) {
    String exampleId = key.substring(0, key.indexOf('/'));
    int view = Integer.parseInt(key.substring(key.indexOf('/') + 1));
    TopK top = TopK.of(logits, k);
    return RowFactory.create(
        teacher, exampleId, exampleId.equals("e2") ? "test" : "train", exampleId.equals("e2") ? 1 : 0,
        view, cropTop, 0, 20, 20, flip, top.ids(), precision.round(top.logits()), precision.bits(),
        top.logSumExp(), top.top1());
  }

  private void writeTeacher(String teacher, List<Row> rows) {
    SoftLabelStore.write(
        spark.createDataFrame(rows, SoftLabelTable.SCHEMA),
        SoftLabelStore.path(layout, StageName.SOFT_LABELS, teacher),
        1 << 20);
  }

  private void writeTeacher(String teacher, Map<String, float[]> logits, int k, LogitPrecision precision) {
    List<Row> rows = new ArrayList<>();
    logits.forEach((key, z) -> rows.add(row(teacher, key, z, k, precision, key.equals("e1/1") ? 3 : 0, false)));
    writeTeacher(teacher, rows);
  }

  /** The teacher's distribution with only its top k known, the missing mass spread (by hand). */
  private static double[] spread(float[] logits, int k) {
    double[] p = new double[logits.length];
    double sum = 0;
    for (int c = 0; c < p.length; c++) {
      sum += Math.exp(logits[c]);
    }
    int[] kept = TopK.of(logits, k).ids();
    double keptMass = 0;
    for (int id : kept) {
      p[id] = Math.exp(logits[id]) / sum;
      keptMass += p[id];
    }
    for (int c = 0; c < p.length; c++) {
      final int cls = c;
      if (Arrays.stream(kept).noneMatch(id -> id == cls)) {
        p[c] = (1 - keptMass) / (p.length - k);
      }
    }
    return p;
  }

  private static double[] mean(double[]... ps) {
    double[] m = new double[ps[0].length];
    for (double[] p : ps) {
      for (int c = 0; c < m.length; c++) {
        m[c] += p[c] / ps.length;
      }
    }
    return m;
  }

  /** Stored ensemble rows by "example/view", as class id to exp(logit - log_sum_exp). */
  private Map<String, Map<Integer, Double>> storedProbabilities(List<Row> rows) {
    Map<String, Map<Integer, Double>> result = new HashMap<>();
    for (Row r : rows) {
      List<Integer> ids = r.getList(r.fieldIndex(SoftLabelTable.TOPK_IDS));
      float[] logits = SoftLabelTable.logits(r, r.fieldIndex(SoftLabelTable.TOPK_LOGITS));
      float lse = r.getFloat(r.fieldIndex(SoftLabelTable.LOG_SUM_EXP));
      Map<Integer, Double> p = new HashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        p.put(ids.get(i), Math.exp(logits[i] - lse));
      }
      result.put(r.getString(r.fieldIndex(SoftLabelTable.EXAMPLE_ID)) + "/" + r.getInt(r.fieldIndex(SoftLabelTable.VIEW_ID)), p);
    }
    return result;
  }

  private List<Row> ensembleRows() {
    return SoftLabelStore.read(spark, layout, StageName.ENSEMBLE, SoftLabelStore.ENSEMBLE_TEACHER).collectAsList();
  }

  @Test
  void storesTheMeanProbabilitiesOfADenseAndATopTwoTeacher() throws Exception {
    writeTeacher("a", A, CLASSES, LogitPrecision.FP32);
    writeTeacher("b", B, 2, LogitPrecision.FP16);

    runEnsemble(config("soft-labels.teachers = [a, b]\nsoft-labels.precision = fp32\nensemble.top-k = 0\n"));

    List<Row> rows = ensembleRows();
    assertThat(rows).hasSize(3);
    Map<String, Map<Integer, Double>> stored = storedProbabilities(rows);
    // e1/0 by hand: a = softmax(2,1,0,-1) = (.64391, .23688, .08714, .03206); b keeps classes 1
    // and 2 of softmax(0,3,1,1) = (.75731, .10249), and spreads 1 - .85980 over classes 0 and 3.
    assertThat(stored.get("e1/0").get(0)).isCloseTo(0.357006, within(1e-3));
    assertThat(stored.get("e1/0").get(1)).isCloseTo(0.497098, within(1e-3));
    assertThat(stored.get("e1/0").get(2)).isCloseTo(0.094818, within(1e-3));
    assertThat(stored.get("e1/0").get(3)).isCloseTo(0.051078, within(1e-3));
    for (String key : List.of("e1/0", "e1/1", "e2/0")) {
      double[] expected = mean(spread(A.get(key), CLASSES), spread(B.get(key), 2));
      assertThat(stored.get(key)).hasSize(CLASSES);
      for (int c = 0; c < CLASSES; c++) {
        // b's logits went through fp16: 1e-3 is its rounding, not the merge's
        assertThat(stored.get(key).get(c)).as("%s class %d", key, c).isCloseTo(expected[c], within(1e-3));
      }
    }
    for (Row r : rows) {
      assertThat(r.getString(r.fieldIndex(SoftLabelTable.TEACHER))).isEqualTo(SoftLabelStore.ENSEMBLE_TEACHER);
      assertThat(r.getInt(r.fieldIndex(SoftLabelTable.LOGIT_BITS))).isEqualTo(32);
      assertThat(r.getFloat(r.fieldIndex(SoftLabelTable.LOG_SUM_EXP))).isZero();
      String key = r.getString(r.fieldIndex(SoftLabelTable.EXAMPLE_ID)) + "/" + r.getInt(r.fieldIndex(SoftLabelTable.VIEW_ID));
      assertThat(r.getInt(r.fieldIndex(SoftLabelTable.CROP_TOP))).isEqualTo(key.equals("e1/1") ? 3 : 0);
      assertThat(r.getInt(r.fieldIndex(SoftLabelTable.CROP_HEIGHT))).isEqualTo(20);
      assertThat(r.getString(r.fieldIndex(SoftLabelTable.SPLIT))).isEqualTo(key.startsWith("e2") ? "test" : "train");
      assertThat(r.getInt(r.fieldIndex(SoftLabelTable.SHARD))).isEqualTo(key.startsWith("e2") ? 1 : 0);
    }
    Row e20 = rows.stream().filter(r -> r.getString(r.fieldIndex(SoftLabelTable.EXAMPLE_ID)).equals("e2")).findFirst().orElseThrow();
    // e2/0: a puts .83 on class 1, b .95 on class 0: class 0 wins, then 1, 3, 2
    assertThat(e20.getInt(e20.fieldIndex(SoftLabelTable.TEACHER_TOP1))).isEqualTo(0);
    assertThat(e20.<Integer>getList(e20.fieldIndex(SoftLabelTable.TOPK_IDS))).containsExactly(0, 1, 3, 2);

    Manifest manifest = new ManifestStore(layout).read(StageName.ENSEMBLE).orElseThrow();
    assertThat(manifest.rowCounts())
        .containsEntry("rows", 3L)
        .containsEntry("rows.train", 2L)
        .containsEntry("rows.test", 1L)
        .containsEntry("teachers", 2L);
    assertThat(manifest.metrics())
        .containsEntry("schema.soft_labels", SoftLabelTable.VERSION)
        .containsEntry("teachers", "a,b")
        .containsKey("wall_seconds");
    assertThat(((Number) manifest.metrics().get("bytes_per_row")).doubleValue()).isPositive();
  }

  @Test
  void keepsTheTopKOfTheMeanOfEveryTeacherInHalfPrecision() throws Exception {
    writeTeacher("a", A, CLASSES, LogitPrecision.FP32);
    writeTeacher("b", B, 2, LogitPrecision.FP32);
    writeTeacher("c", C, 3, LogitPrecision.FP16);

    runEnsemble(config("ensemble.top-k = 2\nsoft-labels.precision = fp16\n")); // every teacher

    List<Row> rows = ensembleRows();
    Map<String, Map<Integer, Double>> stored = storedProbabilities(rows);
    for (String key : List.of("e1/0", "e1/1", "e2/0")) {
      double[] expected = mean(spread(A.get(key), CLASSES), spread(B.get(key), 2), spread(C.get(key), 3));
      Integer[] order = {0, 1, 2, 3};
      Arrays.sort(order, (x, y) -> Double.compare(expected[y], expected[x]));
      assertThat(stored.get(key)).containsOnlyKeys(order[0], order[1]);
      for (int c : List.of(order[0], order[1])) {
        assertThat(stored.get(key).get(c)).as("%s class %d", key, c).isCloseTo(expected[c], within(2e-3));
      }
    }
    assertThat(rows).allSatisfy(r -> assertThat(r.getInt(r.fieldIndex(SoftLabelTable.LOGIT_BITS))).isEqualTo(16));
    assertThat(new ManifestStore(layout).read(StageName.ENSEMBLE).orElseThrow().metrics())
        .containsEntry("teachers", "a,b,c");
  }

  @Test
  void aMissingOrDuplicatedTeacherRowFailsNamingTheExampleViewAndTeacher() throws Exception {
    writeTeacher("a", A, CLASSES, LogitPrecision.FP32);
    writeTeacher(
        "b",
        List.of(
            row("b", "e1/0", B.get("e1/0"), 2, LogitPrecision.FP32, 0, false),
            row("b", "e2/0", B.get("e2/0"), 2, LogitPrecision.FP32, 0, false),
            row("b", "e2/0", B.get("e2/0"), 2, LogitPrecision.FP32, 0, false)));

    assertThatThrownBy(() -> runEnsemble(config("ensemble.teachers = [a, b]\n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("2 of 3 (example, view) pairs")
        .hasMessageContaining("example 'e1' view 1 has no row from teacher 'b'")
        .hasMessageContaining("example 'e2' view 0 has 2 rows from teacher 'b'");
    assertThat(new ManifestStore(layout).read(StageName.ENSEMBLE)).isEmpty();
  }

  @Test
  void teachersWhoseViewsDifferFail() throws Exception {
    writeTeacher("a", A, CLASSES, LogitPrecision.FP32);
    writeTeacher(
        "b",
        List.of(
            row("b", "e1/0", B.get("e1/0"), 2, LogitPrecision.FP32, 0, false),
            row("b", "e1/1", B.get("e1/1"), 2, LogitPrecision.FP32, 5, true),
            row("b", "e2/0", B.get("e2/0"), 2, LogitPrecision.FP32, 0, false)));

    assertThatThrownBy(() -> runEnsemble(config("ensemble.teachers = [a, b]\n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("example 'e1' view 1 has different views for its teachers")
        .hasMessageContaining("a: split=train shard=0 crop=(3,0 20x20) flip=false")
        .hasMessageContaining("b: split=train shard=0 crop=(5,0 20x20) flip=true")
        .hasMessageContaining("different view seeds");
  }

  @Test
  void theConfigurationMustNameTwoSoftLabelledTeachersWithTables() throws Exception {
    writeTeacher("a", A, CLASSES, LogitPrecision.FP32);
    writeTeacher("b", B, 2, LogitPrecision.FP32);

    assertThatThrownBy(() -> runEnsemble(config("ensemble.teachers = [a]\n")))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("ensemble.teachers: an ensemble needs at least two teachers, got [a]")
        .hasMessageContaining("run.conf");
    // Implicitly one teacher (ensemble.teachers empty): the stage completes, writes no table and says why.
    runEnsemble(config("soft-labels.teachers = [a]\n"));
    assertThat(new ManifestStore(layout).read(StageName.ENSEMBLE).orElseThrow().warnings())
        .singleElement().asString().contains("no ensemble written: only [a] soft-labelled");
    assertThatThrownBy(() -> runEnsemble(config("soft-labels.teachers = [a, b]\nensemble.teachers = [a, c]\n")))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("names teacher 'c', but the soft-labels stage does not produce it")
        .hasMessageContaining("add it to soft-labels.teachers");
    assertThatThrownBy(() -> runEnsemble(config(""))) // a, b and c, but c has no table
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("the soft-labels stage did not produce teacher 'c'")
        .hasMessageContaining("teacher=c");
  }
}
