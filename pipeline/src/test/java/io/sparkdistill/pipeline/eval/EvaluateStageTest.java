package io.sparkdistill.pipeline.eval;

import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.imageclassification.ImageClassification;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sparkdistill.datasets.idx.IdxWriter;
import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.DagRunner;
import io.sparkdistill.pipeline.dag.ManifestStore;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.dag.StageRegistry;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import io.sparkdistill.pipeline.students.StudentRunTable;
import io.sparkdistill.pipeline.train.ImageArrays;
import io.sparkdistill.pipeline.train.QuadrantImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluate stage over a real ingest + train-teachers run on generated IDX files, with a fake
 * train-students table whose one student is a copy of the teacher; and its helpers with golden
 * values.
 */
class EvaluateStageTest extends LocalSparkTest {
  private static final int TRAIN = 240;
  private static final int TEST = 60;
  private static final String RUN_ID = "kd.b0.5.s7";

  @TempDir Path dir;

  @Test
  void everyTeacherAndStudentIsEvaluatedOnTheTestSplit() throws Exception {
    RunConfig config = config();
    RunLayout layout = new RunLayout(config.run().root(), new Configuration());
    new DagRunner(Stages.standard(), config, layout, () -> spark)
        .run(List.of(StageName.INGEST, StageName.TRAIN_TEACHERS), false);
    org.apache.hadoop.fs.Path teacherDir = new org.apache.hadoop.fs.Path(layout.stageDir(StageName.TRAIN_TEACHERS), "t");
    ModelInfo teacher = ModelInfo.read(layout.fs(), teacherDir);
    assertThat(teacher.testAccuracy()).as("a teacher that errs on some examples").isStrictlyBetween(0.0, 1.0);
    writeStudentRun(layout, teacherDir);

    StageOutcome outcome =
        new EvaluateStage(new ImageClassification()).run(new StageContext(config, layout, new ManifestStore(layout), () -> spark, StageName.EVALUATE));

    assertThat(outcome.rowCounts()).containsEntry("models", 2L).containsEntry("predictions", 2L * TEST);
    assertThat(outcome.metrics()).containsEntry("schema.evaluation", EvaluationTable.VERSION);
    Dataset<Row> predictions = spark.read().parquet(layout.table(StageName.EVALUATE, EvaluationTable.PREDICTIONS));
    assertThat(predictions.count()).isEqualTo(2L * TEST);
    List<Row> models =
        spark.read().parquet(layout.table(StageName.EVALUATE, EvaluationTable.MODELS)).orderBy("kind").collectAsList();
    assertThat(models).extracting(r -> r.<String>getAs("model")).containsExactly(RUN_ID, "t");
    assertThat(QuadrantImages.CLASSES).isLessThanOrEqualTo(5);
    for (Row row : models) {
      String model = row.getAs("model");
      double top1 = row.getAs("top1");
      assertThat(top1).as("%s: same model, same test set as train-teachers", model)
          .isCloseTo(teacher.testAccuracy(), within(1e-9));
      Dataset<Row> own = predictions.filter(predictions.col("model").equalTo(model));
      double recomputed = (double) own.filter("prediction = label").count() / own.count();
      assertThat(top1).isCloseTo(recomputed, within(1e-12));
      assertThat((Double) outcome.metrics().get("top1." + model)).isEqualTo(top1);
      assertThat(row.<Long>getAs("examples")).isEqualTo(TEST);
      assertThat(row.isNullAt(row.fieldIndex("top5"))).as("top5 with %d classes", QuadrantImages.CLASSES).isTrue();
      assertThat(row.<Double>getAs("ece")).isBetween(0.0, 1.0);

      List<scala.collection.Seq<Long>> rows = row.getList(row.fieldIndex("confusion"));
      List<List<Long>> confusion = rows.stream().map(r -> scala.jdk.javaapi.CollectionConverters.asJava(r)).toList();
      assertThat(confusion).hasSize(QuadrantImages.CLASSES).allSatisfy(r -> assertThat(r).hasSize(QuadrantImages.CLASSES));
      long total = 0;
      long diagonal = 0;
      for (int t = 0; t < confusion.size(); t++) {
        for (int p = 0; p < confusion.size(); p++) {
          total += confusion.get(t).get(p);
          diagonal += t == p ? confusion.get(t).get(p) : 0;
        }
      }
      assertThat(total).isEqualTo(TEST);
      assertThat((double) diagonal / total).isCloseTo(top1, within(1e-12));
      assertThat(row.<Double>getList(row.fieldIndex("per_class_accuracy")))
          .hasSize(QuadrantImages.CLASSES)
          .allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
    }
    Row student = models.get(0);
    assertThat(student.<String>getAs("kind")).isEqualTo(EvaluationTable.KIND_STUDENT);
    assertThat(student.<String>getAs("variant")).isEqualTo("kd");
    assertThat(student.<Double>getAs("budget_fraction")).isEqualTo(0.5);
    assertThat(student.<Long>getAs("seed")).isEqualTo(7L);
    Row teacherRow = models.get(1);
    assertThat(teacherRow.isNullAt(teacherRow.fieldIndex("variant"))).isTrue();
    assertThat(teacherRow.isNullAt(teacherRow.fieldIndex("seed"))).isTrue();
    assertThat(teacherRow.<Double>getAs("ece")).as("the copy is the same model").isCloseTo(student.<Double>getAs("ece"), within(1e-12));
  }

  @Test
  void confidenceArgmaxAndTopKHaveGoldenValues() {
    assertThat(Scores.confidence(new float[] {1, 2, 3})).isCloseTo(0.6652409557748219, within(1e-12));
    assertThat(Scores.confidence(new float[] {1000, 0})).isEqualTo(1.0); // no overflow
    assertThat(Scores.confidence(new float[] {-1000, -1000})).isEqualTo(0.5); // no underflow
    assertThat(Scores.argmax(new float[] {0, 3, 3, 1})).isEqualTo(1);
    float[] six = {6, 5, 4, 3, 2, 1};
    assertThat(Scores.inTopK(six, 4, 5)).isTrue();
    assertThat(Scores.inTopK(six, 5, 5)).isFalse();
  }

  @Test
  void expectedCalibrationErrorHasGoldenValues() {
    StructType schema =
        new StructType()
            .add("model", DataTypes.StringType)
            .add("label", DataTypes.IntegerType)
            .add("prediction", DataTypes.IntegerType)
            .add("confidence", DataTypes.DoubleType);
    Dataset<Row> rows =
        spark.createDataFrame(
            List.of(
                // m: bin 14 (0.95 right, 0.95 wrong): |1 - 1.9| = 0.9; bin 7 (0.5 right): 0.5; bin 4 (0.3 wrong): 0.3
                RowFactory.create("m", 0, 0, 0.95),
                RowFactory.create("m", 0, 1, 0.95),
                RowFactory.create("m", 1, 1, 0.5),
                RowFactory.create("m", 2, 0, 0.3),
                // perfect: always right with confidence 1
                RowFactory.create("perfect", 0, 0, 1.0),
                RowFactory.create("perfect", 1, 1, 1.0)),
            schema);
    Map<String, Double> ece = Calibration.expectedCalibrationError(rows, Calibration.BINS);
    assertThat(ece.get("m")).isCloseTo((0.9 + 0.5 + 0.3) / 4, within(1e-12));
    assertThat(ece.get("perfect")).isEqualTo(0.0);

    List<Integer> bins =
        spark.createDataFrame(
                Arrays.stream(new double[] {0.0, 0.01, 0.06, 0.07, 0.5, 0.95, 1.0}).mapToObj(c -> RowFactory.create(c)).toList(),
                new StructType().add("c", DataTypes.DoubleType))
            .select(Calibration.bin(org.apache.spark.sql.functions.col("c"), 15))
            .collectAsList().stream().map(r -> r.getInt(0)).toList();
    assertThat(bins).containsExactly(0, 0, 0, 1, 7, 14, 14);
  }

  @Test
  void everyClassIsInTheConfusionMatrixEvenWhenTheTestSetLacksIt() {
    StructType schema = new StructType().add("label", DataTypes.IntegerType).add("prediction", DataTypes.IntegerType);
    Dataset<Row> rows =
        spark.createDataFrame(
            List.of(
                RowFactory.create(0, 0), RowFactory.create(0, 1), RowFactory.create(1, 1),
                RowFactory.create(1, 2), RowFactory.create(1, 1)),
            schema);

    ClassMetrics metrics = ClassMetrics.of(rows, 4);

    assertThat(metrics.top1()).isEqualTo(3.0 / 5);
    assertThat(metrics.confusion())
        .containsExactly(List.of(1L, 1L, 0L, 0L), List.of(0L, 2L, 1L, 0L), List.of(0L, 0L, 0L, 0L), List.of(0L, 0L, 0L, 0L));
    assertThat(metrics.perClassAccuracy()).containsExactly(0.5, 2.0 / 3, null, null);
  }

  private RunConfig config() throws Exception {
    Path idx = Files.createDirectories(dir.resolve("idx"));
    for (String split : List.of("train", "test")) {
      ImageArrays data = QuadrantImages.generate(split.equals("train") ? TRAIN : TEST, split.length());
      byte[] labels = new byte[data.size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = (byte) data.labels()[i];
      }
      IdxWriter.writeImages(idx.resolve(split + "-img.gz"), QuadrantImages.SIDE, QuadrantImages.SIDE, data.pixels());
      IdxWriter.writeLabels(idx.resolve(split + "-lbl.gz"), labels);
    }
    Path conf = dir.resolve("run.conf");
    Files.writeString(
        conf,
        "run.root = \"" + dir.resolve("run") + "\"\n"
            + "dataset.idx { dir = \"" + idx + "\", class-names = [tl, tr, bl]\n"
            + "  train-images = train-img.gz, train-labels = train-lbl.gz,"
            + "  test-images = test-img.gz, test-labels = test-lbl.gz }\n"
            + "ingest { image { height = 8, width = 8, channels = 1 }, shards = 3, partitions = 2 }\n"
            // A weak teacher (one short epoch): it makes mistakes, so matching its accuracy means something.
            + "teacher-defaults { depth = 1, epochs = 1, batch-size = 16, augment = false,"
            + "  optimizer { learning-rate = 0.005, warmup-steps = 0 } }\n"
            + "teachers { t { width = 2 } }\n");
    return ConfigLoader.load(conf, List.of());
  }

  /** What train-students will write: a runs table whose one student is a copy of the teacher. */
  private void writeStudentRun(RunLayout layout, org.apache.hadoop.fs.Path teacherDir) throws Exception {
    org.apache.hadoop.fs.Path students = layout.stageDir(StageName.TRAIN_STUDENTS);
    String modelDir = "models/" + RUN_ID;
    FileUtil.copy(layout.fs(), teacherDir, layout.fs(), new org.apache.hadoop.fs.Path(students, modelDir), false,
        layout.fs().getConf());
    Row run =
        RowFactory.create(
            RUN_ID, "kd", "single", List.of("t"), 0.5, 7L, 30, 30, 16, 480L, 1.0, 0.0, modelDir);
    spark.createDataFrame(List.of(run), StudentRunTable.SCHEMA)
        .write()
        .parquet(layout.table(StageName.TRAIN_STUDENTS, StudentRunTable.TABLE));
  }
}
