package io.sparkdistill.pipeline.students;

import io.sparkdistill.pipeline.Stages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.DagRunner;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import io.sparkdistill.pipeline.train.QuadrantImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train-students -> evaluate -> report on a small generated dataset, through the real runner: every
 * policy trains, the tables hold what the matrix asks for, and a stage killed in the middle of a
 * run resumes from its checkpoints to the same curves.
 */
class TrainStudentsStageTest extends LocalSparkTest {
  @TempDir static Path dir;

  private static final String VARIANTS =
      "students { architecture = cnn, width = 4, depth = 1, batch-size = 16, epochs = 2,"
          + " budgets = [0.5, 1.0], seeds = [1], evaluate-every = 5, checkpoint-every = 5,"
          + " temperature = 2.0, optimizer { learning-rate = 0.01, warmup-steps = 0 }\n"
          + " variants {\n"
          + "  baseline { policy = none }\n"
          + "  kd { teachers = [good] }\n"
          + "  online { policy = online, teachers = [good] }\n"
          + "  mean { policy = mean }\n"
          + "  random { policy = random, teachers = [good, weak] }\n"
          + "  stop { teachers = [good], stop-fraction = 0.5 } } }\n";

  private static RunConfig config() throws Exception {
    QuadrantImages.writeIdx(dir.resolve("idx"), 240, 60);
    Path conf = dir.resolve("run.conf");
    Files.writeString(
        conf,
        "run.root = \"" + dir.resolve("run") + "\"\n"
            + QuadrantImages.idxConfig(dir.resolve("idx"))
            + "teacher-defaults { depth = 1, epochs = 2, batch-size = 16, augment = false,"
            + "  optimizer { learning-rate = 0.01, warmup-steps = 0 } }\n"
            + "teachers { good { width = 8 }, weak { width = 2, epochs = 1 } }\n"
            + "soft-labels { views = 2, top-k = 2, batch-size = 50 }\n"
            + VARIANTS);
    return ConfigLoader.load(conf, List.of());
  }

  private static void run(RunConfig config, boolean force, StageName... stages) throws Exception {
    new DagRunner(Stages.standard(), config, new RunLayout(config.run().root(), new Configuration()), () -> spark)
        .run(List.of(stages), force);
  }

  /** run id -> "step:loss:accuracy" of every step, in step order. */
  private static Map<String, List<String>> curves() {
    Map<String, List<String>> curves = new HashMap<>();
    for (Row row : spark.read().parquet(dir.resolve("run/train-students/steps").toString())
        .orderBy("run_id", "step").collectAsList()) {
      Object accuracy = row.getAs("test_accuracy");
      curves.computeIfAbsent(row.getAs("run_id"), k -> new java.util.ArrayList<>())
          .add(row.getAs("step") + ":" + String.format("%.5f", (Double) row.getAs("loss")) + ":" + accuracy);
    }
    return curves;
  }

  @Test
  void everyPolicyTrainsAndAKilledStageResumesToTheSameCurves() throws Exception {
    RunConfig config = config();
    run(config, false, StageName.values());

    // 240 train examples, epochs 2, batch 16: 30 steps at the full budget, 15 at half.
    List<Row> runs = spark.read().parquet(dir.resolve("run/train-students/runs").toString()).collectAsList();
    assertThat(runs).hasSize(6 * 2);
    Map<String, Row> byId = new HashMap<>();
    runs.forEach(r -> byId.put(r.getAs("run_id"), r));
    assertThat((Integer) byId.get("kd.b1.s1").getAs("total_steps")).isEqualTo(30);
    assertThat((Integer) byId.get("kd.b0.5.s1").getAs("total_steps")).isEqualTo(15);
    assertThat((Integer) byId.get("stop.b1.s1").getAs("stop_step")).isEqualTo(15);
    assertThat((Integer) byId.get("baseline.b1.s1").getAs("stop_step")).isZero();
    assertThat((String) byId.get("mean.b1.s1").getAs("policy")).isEqualTo("mean");
    assertThat((Double) byId.get("baseline.b1.s1").getAs("final_accuracy"))
        .as("a student that learned (chance is 1/3)").isGreaterThan(0.6);

    // The kd part is there while distilling and 0 after the stop step; the baseline has none.
    for (Row step : spark.read().parquet(dir.resolve("run/train-students/steps").toString())
        .filter("run_id in ('stop.b1.s1', 'baseline.b1.s1')").collectAsList()) {
      scala.collection.Map<String, Object> losses = step.getAs("losses");
      double kd = losses.contains("kd") ? ((Number) losses.apply("kd")).doubleValue() : 0.0;
      boolean distilling = "stop.b1.s1".equals(step.getAs("run_id")) && (Integer) step.getAs("step") < 15;
      assertThat(kd > 0).as("kd at step " + step.getAs("step") + " of " + step.getAs("run_id")).isEqualTo(distilling);
    }
    // Every student and teacher evaluated; the report names every variant.
    assertThat(spark.read().parquet(dir.resolve("run/evaluate/models").toString()).count()).isEqualTo(12 + 2);
    JsonNode report = new ObjectMapper().readTree(dir.resolve("run/report/report.json").toFile());
    assertThat(report.get("variants")).hasSize(6);
    assertThat(report.get("target_accuracy").asDouble())
        .isCloseTo(spark.read().parquet(dir.resolve("run/evaluate/models").toString())
            .filter("variant = 'baseline' and budget_fraction = 1.0").first().<Double>getAs("top1"), within(1e-12));
    Map<String, List<String>> whole = curves();

    // Kill the stage in the middle of a run, after its checkpoint at step 10, then run it again.
    spark.conf().set(TrainStudentsStage.KILL_CONF, "kd.b1.s1@12");
    try {
      assertThatThrownBy(() -> run(config, true, StageName.TRAIN_STUDENTS))
          .hasStackTraceContaining("injected kill of kd.b1.s1 after step 12");
    } finally {
      spark.conf().unset(TrainStudentsStage.KILL_CONF);
    }
    assertThat(dir.resolve("run/train-students/_MANIFEST.json")).doesNotExist();
    Path checkpoints = dir.resolve("run/_checkpoints/train-students");
    try (Stream<Path> files = Files.walk(checkpoints)) {
      assertThat(files.map(p -> p.getFileName().toString())).contains("step-000000010");
    }

    run(config, false, StageName.TRAIN_STUDENTS);
    assertThat(curves()).isEqualTo(whole);
    assertThat(checkpoints).isEmptyDirectory(); // removed once the stage's tables are written
  }
}
