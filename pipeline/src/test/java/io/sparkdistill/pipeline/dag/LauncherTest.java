package io.sparkdistill.pipeline.dag;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

class LauncherTest {
  /** A driver out of heap, however Spark wrapped it, gets the memory hint; exit code 4 stays. */
  @Test
  void outOfMemoryIsRecognisedThroughWrappers() {
    Throwable wrapped = new SparkException("Job aborted", new RuntimeException(new OutOfMemoryError("Java heap space")));

    assertThat(Launcher.outOfMemory(wrapped)).isTrue();
    assertThat(Launcher.classify(wrapped)).isEqualTo(ExitCode.FAILURE);
    assertThat(Launcher.outOfMemory(new SparkException("Job aborted", new IllegalStateException("x")))).isFalse();
  }
}
