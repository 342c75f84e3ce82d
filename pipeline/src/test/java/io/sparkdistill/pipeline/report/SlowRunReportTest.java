package io.sparkdistill.pipeline.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdistill.pipeline.Stages;
import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.DagRunner;
import io.sparkdistill.pipeline.dag.RunLayout;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import io.sparkdistill.pipeline.students.TrainStudentsStage;
import io.sparkdistill.pipeline.train.QuadrantImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real straggler: train-students on a tiny generated dataset (baseline and kd, budgets 0.5 and 1,
 * seeds 1 and 2: eight runs of 15 or 30 steps of a few milliseconds), then train-students and
 * report again (evaluate's scores stay valid: training is deterministic) with every step of {@code
 * kd.b1.s2} sleeping 100 ms inside its timing ({@link TrainStudentsStage#SLOW_CONF}). The slowed
 * run is flagged, the step speed-ups do not change, and the robust wall figures ignore the sleep.
 * No timing is asserted beyond what the sleep guarantees, and the bounds are generous: at this
 * size the undisturbed runs' paces differ by up to 1.7x on a loaded machine, so they may be
 * flagged too.
 */
class SlowRunReportTest extends LocalSparkTest {
  private static final String SLOW_RUN = "kd.b1.s2";
  private static final long SLEEP_MS = 100;

  @TempDir Path dir;

  private RunConfig config() throws Exception {
    String settings =
        "teacher-defaults { depth = 1, epochs = 1, batch-size = 16, augment = false,"
            + "  optimizer { learning-rate = 0.01, warmup-steps = 0 } }\n"
            + "teachers { good { width = 4 } }\n"
            + "soft-labels { views = 1, top-k = 2, batch-size = 60 }\n"
            + "students { architecture = cnn, width = 4, depth = 1, batch-size = 16, epochs = 2,"
            + " budgets = [0.5, 1.0], seeds = [1, 2], evaluate-every = 0, checkpoint-every = 100,"
            + " optimizer { learning-rate = 0.01, warmup-steps = 0 }\n"
            + " variants { baseline { policy = none }, kd { teachers = [good] } } }\n";
    return ConfigLoader.load(QuadrantImages.writeRun(dir, 240, 60, settings), List.of());
  }

  private void run(RunConfig config, boolean force, StageName... stages) throws Exception {
    new DagRunner(Stages.standard(), config, new RunLayout(config.run().root(), new Configuration()), () -> spark)
        .run(List.of(stages), force);
  }

  private JsonNode report() throws Exception {
    return new ObjectMapper().readTree(dir.resolve("run/report/report.json").toFile());
  }

  private static JsonNode kd(JsonNode report) {
    for (JsonNode v : report.get("variants")) {
      if (v.get("name").asText().equals("kd")) {
        return v;
      }
    }
    throw new AssertionError("no variant kd");
  }

  @Test
  void aRunSlowedThroughATestHookIsFlaggedAndLeavesTheSpeedUpsAlone() throws Exception {
    RunConfig config = config();
    run(config, false, StageName.values());
    JsonNode quiet = report();

    spark.conf().set(TrainStudentsStage.SLOW_CONF, SLOW_RUN + "@" + SLEEP_MS);
    try {
      run(config, true, StageName.TRAIN_STUDENTS, StageName.REPORT);
    } finally {
      spark.conf().unset(TrainStudentsStage.SLOW_CONF);
    }
    JsonNode slowed = report();

    // The sleep is training time: the slowed run took at least 30 x 100 ms.
    double rawWall =
        spark.read().parquet(dir.resolve("run/train-students/runs").toString())
            .filter("run_id = '" + SLOW_RUN + "'").first().<Double>getAs("wall_seconds");
    assertThat(rawWall).isGreaterThanOrEqualTo(30 * SLEEP_MS / 1000.0);

    // Flagged, in report.json and in the stage's warnings, with the factor.
    assertThat(slowed.get("stragglers")).extracting(s -> s.get("run_id").asText()).contains(SLOW_RUN);
    JsonNode straggler = null;
    for (JsonNode s : slowed.get("stragglers")) {
      if (s.get("run_id").asText().equals(SLOW_RUN)) {
        straggler = s;
      }
    }
    assertThat(straggler.get("ratio").asDouble()).isGreaterThan(1.5);
    // Its robust seconds are its variant's pace, not its own: well under the measured ones.
    assertThat(straggler.get("wall_s").asDouble()).isLessThan(straggler.get("raw_wall_s").asDouble() / 2);
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("run/report/_MANIFEST.json").toFile());
    assertThat(manifest.get("warnings")).anySatisfy(w -> assertThat(w.asText())
        .startsWith("straggler: run " + SLOW_RUN + " took ")
        .contains("(straggler factor 1.5)"));
    assertThat(Files.readString(dir.resolve("run/report/report.md"))).contains("**Stragglers** (factor 1.5)", "| " + SLOW_RUN + " | ");

    // Training is deterministic and the sleep changes no computation: the step figures are equal.
    assertThat(kd(slowed).get("speedup_steps")).isEqualTo(kd(quiet).get("speedup_steps"));
    assertThat(kd(slowed).get("speedup_steps_by_seed")).isEqualTo(kd(quiet).get("speedup_steps_by_seed"));
    assertThat(kd(slowed).get("final_accuracy")).isEqualTo(kd(quiet).get("final_accuracy"));
    // The robust wall figures come from the other runs' pace: the same order as before, whatever the
    // machine did between the two trainings (generous bounds), where the sleep alone is 3 s.
    double robustBefore = kd(quiet).get("budgets").get(1).get("wall_s").asDouble();
    double robustAfter = kd(slowed).get("budgets").get(1).get("wall_s").asDouble();
    assertThat(robustAfter).isLessThan(rawWall / 2).isBetween(robustBefore / 4, robustBefore * 4);
    if (!kd(quiet).get("speedup_wall").isNull() && !kd(slowed).get("speedup_wall").isNull()) {
      assertThat(kd(slowed).get("speedup_wall").asDouble() / kd(quiet).get("speedup_wall").asDouble()).isBetween(0.25, 4.0);
    }
  }
}
