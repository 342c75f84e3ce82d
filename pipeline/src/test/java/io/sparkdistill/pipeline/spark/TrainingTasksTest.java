package io.sparkdistill.pipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.TaskContext;
import org.junit.jupiter.api.Test;

class TrainingTasksTest extends LocalSparkTest {

  /** Reports where and when it ran, and what it saw. */
  record Probe(String id, long sleepMillis) implements TrainingTasks.Run<long[]> {
    @Override
    public long[] train(TrainingTasks.Resources resources) throws Exception {
      long start = System.nanoTime();
      Thread.sleep(sleepMillis);
      long inTask = TaskContext.get() == null ? 0 : 1;
      long marker = "yes".equals(resources.hadoop().get("distill.test.marker")) ? 1 : 0;
      return new long[] {start, System.nanoTime(), inTask, resources.cores(), marker};
    }
  }

  @Test
  void runsEveryRunInItsOwnTaskOneAtATimePerJvmAndReturnsResultsInOrder() {
    spark.sparkContext().hadoopConfiguration().set("distill.test.marker", "yes");
    List<Probe> runs = IntStream.range(0, 4).mapToObj(i -> new Probe("run-" + i, 150)).toList();
    List<long[]> results = TrainingTasks.run(spark, "test-training", runs);
    assertThat(results).hasSize(4);
    assertThat(spark.sparkContext().getLocalProperty(TrainingTasks.JOB_DESCRIPTION)).as("description restored").isNull();
    List<long[]> byStart = new ArrayList<>(results);
    byStart.sort((a, b) -> Long.compare(a[0], b[0]));
    for (int i = 1; i < byStart.size(); i++) {
      assertThat(byStart.get(i)[0]).as("run started before the previous one ended").isGreaterThanOrEqualTo(byStart.get(i - 1)[1]);
    }
    for (long[] r : results) {
      assertThat(r[2]).as("ran inside a Spark task").isEqualTo(1);
      assertThat(r[3]).as("local[2]: every local core").isEqualTo(2);
      assertThat(r[4]).as("the job's Hadoop configuration reached the task").isEqualTo(1);
    }
  }

  record Broken(String id) implements TrainingTasks.Run<Integer> {
    @Override
    public Integer train(TrainingTasks.Resources resources) {
      throw new IllegalArgumentException("out of shape");
    }
  }

  @Test
  void aFailedRunFailsTheJobNamingTheRun() {
    Broken broken = new Broken("kd-best.b1.s2");
    assertThatThrownBy(() -> TrainingTasks.run(spark, "test-training", List.of(broken)))
        .hasStackTraceContaining("training run kd-best.b1.s2 failed: out of shape");
  }
}
