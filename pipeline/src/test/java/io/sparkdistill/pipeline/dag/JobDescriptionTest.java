package io.sparkdistill.pipeline.dag;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import io.sparkdistill.pipeline.spark.TrainingTasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Spark job of a stage carries the stage's job group and a description of its step. */
class JobDescriptionTest extends LocalSparkTest {
  @TempDir Path dir;

  /** A stage with two steps, each one Spark job (and one SQL write, several jobs). */
  static final class TwoStepStage implements Stage {
    @Override
    public StageName name() {
      return StageName.INGEST;
    }

    @Override
    public List<String> configSections() {
      return List.of("ingest");
    }

    @Override
    public StageOutcome run(StageContext context) {
      long before = context.spark().range(10).count(); // no describe yet: the stage's name only
      context.describe("write examples");
      context.spark().range(100).write().parquet(context.table("examples"));
      context.describe("count examples");
      long rows = context.spark().read().parquet(context.table("examples")).count();
      return new StageOutcome(Map.of("rows", rows + before), Map.of(), List.of());
    }
  }

  /** The description and group of every job, in the order they started. */
  private record Job(String description, String group) {}

  @Test
  void jobsAreNamedByStageAndStepAndGroupedByStage() throws Exception {
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, "run.root = \"" + dir.resolve("run") + "\"\n");
    RunConfig config = ConfigLoader.load(conf, List.of());
    DagRunner runner =
        new DagRunner(
            DagRunnerTest.registry(new TwoStepStage()), config,
            new RunLayout(config.run().root(), new Configuration()), () -> spark);
    List<Job> jobs = new CopyOnWriteArrayList<>();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            jobs.add(new Job(
                start.properties().getProperty(TrainingTasks.JOB_DESCRIPTION),
                start.properties().getProperty(TrainingTasks.JOB_GROUP)));
          }
        };
    spark.sparkContext().addSparkListener(listener);
    try {
      runner.run(List.of(StageName.INGEST), true);
      spark.range(5).count(); // after the stage: neither its group nor its description
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }

    // Spark may split one action into several jobs: the stage's come first, then the later ones.
    int stageJobs = (int) jobs.stream().filter(job -> "ingest".equals(job.group())).count();
    assertThat(stageJobs).isGreaterThanOrEqualTo(3).isLessThan(jobs.size());
    assertThat(jobs.subList(0, stageJobs)).allMatch(job -> "ingest".equals(job.group()));
    assertThat(jobs.subList(stageJobs, jobs.size())).containsOnly(new Job(null, null));
    assertThat(jobs.get(0)).isEqualTo(new Job("ingest", "ingest"));
    assertThat(jobs).extracting(Job::description)
        .contains("ingest: write examples", "ingest: count examples")
        .containsSubsequence("ingest", "ingest: write examples", "ingest: count examples");
  }
}
