package io.sparkdistill.pipeline.downstream;

import io.sparkdistill.pipeline.config.DownstreamSettings;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.Model;
import io.sparkdistill.datasets.text.SequenceTable;
import io.sparkdistill.datasets.text.Tokenizer;
import io.sparkdistill.datasets.text.Vocabulary;
import io.sparkdistill.datasets.text.classification.LabelledTextSourceResult;
import io.sparkdistill.datasets.text.classification.LabelledTextTable;
import io.sparkdistill.datasets.text.classification.SpamAssassinSource;
import io.sparkdistill.pipeline.maskedlm.MlmData;
import io.sparkdistill.pipeline.models.MlmSpec;
import io.sparkdistill.pipeline.maskedlm.MlmTrainLoop;
import io.sparkdistill.pipeline.maskedlm.MlmTrainResult;
import io.sparkdistill.pipeline.models.ModelCheckpoint;
import io.sparkdistill.pipeline.config.OptimizerSettings;
import io.sparkdistill.pipeline.train.StepListener;
import io.sparkdistill.pipeline.train.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not part of the default build (minutes): fine-tunes a tiny MLM pre-trained on the Brown corpus
 * and the same shape with random parameters on the real SpamAssassin corpus and prints both
 * accuracies. Needs {@code bin/install-datasets spam-assassin} and a text ingest's {@code
 * vocabulary} and {@code sequences} under {@code -Ddownstream.measure.ingest=DIR}; {@code
 * -Ddownstream.measure.checkpoint=DIR} reuses a pre-trained MLM instead of pre-training one, {@code
 * -Ddownstream.measure.epochs=N} sets the fine-tuning epochs (default 3).
 *
 * <pre>
 * ./mvnw -o -pl pipeline test -Dtest=SpamAssassinMeasurement -Ddownstream.measure=true \
 *   -Ddownstream.measure.ingest=/tmp/helper-downstream -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * or {@link #main} with the test classpath.
 */
@EnabledIfSystemProperty(named = "downstream.measure", matches = "true")
class SpamAssassinMeasurement {
  /** Runs the measurement outside Surefire (from a snapshot of the classpath). */
  public static void main(String[] args) throws Exception {
    new SpamAssassinMeasurement().pretrainedAgainstRandomEncoder();
  }

  @Test
  void pretrainedAgainstRandomEncoder() throws Exception {
    TestEngine.configure();
    Path ingest =
        Path.of(System.getProperty("downstream.measure.ingest", "/tmp/helper-downstream"));
    int pretrainSteps = Integer.getInteger("downstream.measure.pretrain-steps", 1500);
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("downstream-measure")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
    try {
      Vocabulary vocabulary =
          Vocabulary.load(
              ingest.resolve("vocabulary").toString(), spark.sparkContext().hadoopConfiguration());
      Tokenizer tokenizer = new Tokenizer(vocabulary);

      long t0 = System.nanoTime();
      List<Row> train;
      List<Row> test;
      try (SpamAssassinSource source =
          new SpamAssassinSource("/usr/share/datasets/spam-assassin/data", 0.2)) {
        LabelledTextSourceResult result = source.read(spark);
        System.out.println(
            "MEASURE spam-assassin read in "
                + seconds(t0)
                + " s: inputs "
                + result.inputsBySplit()
                + ", counts "
                + result.reconcile(result.examples(), result.rejected())
                + ", warnings "
                + result.warnings());
        result
            .rejected()
            .groupBy("reason")
            .count()
            .collectAsList()
            .forEach(r -> System.out.println("MEASURE rejected " + r));
        result
            .examples()
            .groupBy("split", "label")
            .count()
            .orderBy("split", "label")
            .collectAsList()
            .forEach(r -> System.out.println("MEASURE examples " + r));
        train = LabelledTextTable.sample(result.examples(), "train", 2000).collectAsList();
        test = LabelledTextTable.sample(result.examples(), "test", 1000).collectAsList();
      }

      Dataset<Row> sequences = spark.read().parquet(ingest.resolve("sequences").toString());
      MlmData pretrainData = mlmData(sequences.filter("split = 'train'").collectAsList());
      MlmData heldOut = mlmData(sequences.filter("split = 'test'").limit(512).collectAsList());
      MlmSpec spec =
          new MlmSpec(vocabulary.size(), 32, 2, 2, 128, pretrainData.sequenceLength(), 0.1);
      String given = System.getProperty("downstream.measure.checkpoint", "");
      Path checkpoint =
          given.isEmpty()
              ? Files.createTempDirectory("mlm-measure").resolve("brown-mlm")
              : Path.of(given);
      if (given.isEmpty()) {
        long t1 = System.nanoTime();
        try (Model model = spec.newModel("brown-mlm", Device.cpu())) {
          MlmTrainResult pretrained =
              MlmTrainLoop.builder()
                  .setModel(model)
                  .setSpec(spec)
                  .setTrainData(pretrainData)
                  .setBatchSize(32)
                  .setTotalSteps(pretrainSteps)
                  .setOptimizer(OptimizerSettings.adamW(2e-3, 0.01).withCosine(pretrainSteps / 20))
                  .optEvaluation(heldOut, 0)
                  .optSeed(3)
                  .optListener(StepListener.logging("[pretrain]", 250))
                  .build()
                  .run();
          System.out.println(
              "MEASURE pre-training "
                  + pretrainSteps
                  + " steps on "
                  + pretrainData.size()
                  + " Brown sequences: "
                  + seconds(t1)
                  + " s, held-out MLM "
                  + pretrained.evaluations().get(pretrained.evaluations().size() - 1));
          ModelCheckpoint.save(model, spec, checkpoint, Map.of());
        }
      } else {
        spec = ModelCheckpoint.load(checkpoint).mlmSpec();
      }

      ClassificationData trainData =
          ClassificationData.of(train, tokenizer, spec.maxSequenceLength());
      ClassificationData testData =
          ClassificationData.of(test, tokenizer, spec.maxSequenceLength());
      int epochs = Integer.getInteger("downstream.measure.epochs", 3);
      for (DownstreamSettings.Pooling pooling : DownstreamSettings.Pooling.values()) {
        for (long seed : new long[] {1, 2}) {
          for (boolean usePretrained : new boolean[] {true, false}) {
            FineTuner.Builder builder =
                FineTuner.builder()
                    .setTask("spam-assassin")
                    .setTrainData(trainData)
                    .setTestData(testData)
                    .optEpochs(epochs)
                    .optBatchSize(32)
                    .optLearningRate(1e-3)
                    .optSeed(seed)
                    .optPooling(pooling);
            if (usePretrained) {
              builder.setPretrained(checkpoint);
            } else {
              builder.setRandomEncoder(spec);
            }
            long t2 = System.nanoTime();
            FineTuneResult result = builder.build().run();
            System.out.println(
                "MEASURE "
                    + pooling
                    + " "
                    + (usePretrained ? "pretrained" : "random    ")
                    + " seed "
                    + seed
                    + ": "
                    + result
                    + " (wall incl. load+eval "
                    + seconds(t2)
                    + " s)");
            assertThat(result.accuracy()).isGreaterThan(0.5);
          }
        }
      }
    } finally {
      spark.stop();
    }
  }

  private static MlmData mlmData(List<Row> rows) {
    int n = rows.size();
    int[][] ids = new int[n][];
    int[][] positions = new int[n][];
    int[][] labels = new int[n][];
    for (int i = 0; i < n; i++) {
      Row row = rows.get(i);
      ids[i] = ints(row.getList(row.fieldIndex(SequenceTable.INPUT_IDS)));
      positions[i] = ints(row.getList(row.fieldIndex(SequenceTable.MASK_POSITIONS)));
      labels[i] = ints(row.getList(row.fieldIndex(SequenceTable.MASK_LABELS)));
    }
    return new MlmData(ids, positions, labels);
  }

  private static int[] ints(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double seconds(long start) {
    return Math.round((System.nanoTime() - start) / 1e7) / 100.0;
  }
}
