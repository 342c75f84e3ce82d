package io.sparkdistill.pipeline.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run per run root: the lease, its refusal of a second run, and the take-over of a stale one. */
class RunLockTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  @TempDir Path dir;

  private RunLayout layout() {
    return new RunLayout(dir.resolve("run").toString(), new Configuration());
  }

  private RunLock acquire(Instant now, String runName) {
    return RunLock.acquire(
        layout(), runName, List.of(StageName.INGEST), TIMEOUT, Clock.fixed(now, ZoneOffset.UTC), () -> "app-1");
  }

  private Path lease() {
    return dir.resolve("run").resolve(RunLock.FILE);
  }

  @Test
  void aSecondRunIsRefusedNamingTheHolderAndTheFirstKeepsItsLease() throws Exception {
    try (RunLock first = acquire(T0, "first")) {
      String before = Files.readString(lease());

      assertThatThrownBy(() -> acquire(T0.plus(Duration.ofMinutes(9)), "second"))
          .isInstanceOf(RunLockedException.class)
          .hasMessageContaining("is in use by another run: host ")
          .hasMessageContaining("pid " + ProcessHandle.current().pid())
          .hasMessageContaining("application app-1, run 'first' [ingest]")
          .hasMessageContaining("last heartbeat PT9M ago")
          .hasMessageContaining("run.lock-timeout PT10M");
      assertThat(Files.readString(lease())).isEqualTo(before);
      first.assertHeld();
    }
    assertThat(lease()).doesNotExist();
    assertThat(Launcher.classify(new RunLockedException("x"))).isEqualTo(ExitCode.LOCKED);
  }

  @Test
  void aStaleLeaseIsTakenOverAndItsFormerHolderStopsAtItsNextHeartbeat() throws Exception {
    RunLock stalled = acquire(T0, "stalled");
    try (RunLock next = acquire(T0.plus(TIMEOUT).plusSeconds(1), "next")) {
      assertThat(Files.readString(lease())).contains("\"run_name\" : \"next\"");

      stalled.beat();

      assertThatThrownBy(stalled::assertHeld)
          .isInstanceOf(RunLockedException.class)
          .hasMessageContaining("was taken over by another run (host ")
          .hasMessageContaining("run 'next'");
      stalled.close(); // does not delete the lease it lost
      assertThat(Files.readString(lease())).contains("\"run_name\" : \"next\"");
      next.assertHeld();
    }
    try (Stream<Path> files = Files.list(dir.resolve("run"))) {
      assertThat(files).isEmpty(); // neither the lease nor the stale one moved aside is left
    }
  }

  @Test
  void theHeartbeatRefreshesTheLeaseSoItIsNotTakenForStale() throws Exception {
    MutableClock clock = new MutableClock(T0);
    try (RunLock lock =
        RunLock.acquire(layout(), "run", List.of(), TIMEOUT, clock, () -> "app-2")) {
      clock.now = T0.plus(Duration.ofMinutes(8));
      lock.beat();
      Instant later = T0.plus(Duration.ofMinutes(16)); // stale by the first heartbeat, fresh by the second

      assertThatThrownBy(() -> acquire(later, "other")).isInstanceOf(RunLockedException.class)
          .hasMessageContaining("last heartbeat PT8M ago");
      assertThat(RunLock.holder(layout()).orElseThrow().heartbeatAt()).isEqualTo(clock.now.toString());
    }
  }

  @Test
  void aHalfWrittenLeaseCountsAsHeldUntilItsFileIsStale() throws Exception {
    Files.createDirectories(dir.resolve("run"));
    Files.writeString(lease(), "{\"token\" : \"abc", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> acquire(Instant.now(), "run"))
        .isInstanceOf(RunLockedException.class)
        .hasMessageContaining("unknown (lease being written)");
    try (RunLock lock = acquire(Instant.now().plus(TIMEOUT).plusSeconds(5), "run")) {
      lock.assertHeld();
    }
  }

  /** A run killed with no chance to release its lease does not block the root past the timeout. */
  @Test
  void aRunTakesOverTheStaleLeaseOfAKilledRunAndReleasesItsOwn() throws Exception {
    Files.createDirectories(dir.resolve("run"));
    String killed = Instant.now().minus(Duration.ofMinutes(11)).toString();
    Files.writeString(lease(),
        "{\"token\":\"killed\",\"host\":\"old-host\",\"pid\":7,\"run_name\":\"r\",\"stages\":[],"
            + "\"started_at\":\"" + killed + "\",\"heartbeat_at\":\"" + killed + "\"}");
    DagRunnerTest.FileStage ingest = new DagRunnerTest.FileStage(StageName.INGEST, "ingest");
    DagRunner runner = DagRunnerTest.runner(dir, DagRunnerTest.registry(ingest));

    assertThat(runner.run(List.of(StageName.INGEST), false)).singleElement().matches(PlannedStage::runs);

    assertThat(ingest.runs).isEqualTo(1);
    assertThat(lease()).doesNotExist();
    assertThatThrownBy(() -> DagRunnerTest.runner(dir, DagRunnerTest.registry(ingest), "run.lock-timeout=0s"))
        .hasMessageContaining("run.lock-timeout: must be a positive duration");
  }

  /**
   * The scheduler retry: a second run starts on the same root while the first is inside
   * its first stage. It is refused before it touches anything; the first run completes.
   */
  @Test
  void aConcurrentRunIsRefusedAndTheFirstCompletesWithItsFilesUntouched() throws Exception {
    DagRunnerTest.FileStage ingest = new DagRunnerTest.FileStage(StageName.INGEST, "ingest");
    ingest.started = new CountDownLatch(1);
    ingest.proceed = new CountDownLatch(1);
    StageRegistry registry = DagRunnerTest.registry(ingest);
    DagRunner first = DagRunnerTest.runner(dir, registry);
    CompletableFuture<List<PlannedStage>> running =
        CompletableFuture.supplyAsync(() -> {
          try {
            return first.run(List.of(StageName.INGEST), false);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    assertThat(ingest.started.await(60, TimeUnit.SECONDS)).isTrue();
    Map<String, String> during = snapshot();

    DagRunner second = DagRunnerTest.runner(dir, registry);
    assertThatThrownBy(() -> second.run(List.of(StageName.INGEST), true))
        .isInstanceOf(RunLockedException.class)
        .hasMessageContaining("is in use by another run");
    assertThat(snapshot()).isEqualTo(during);
    assertThat(ingest.runs).isEqualTo(1);

    ingest.proceed.countDown();
    assertThat(running.get(60, TimeUnit.SECONDS)).singleElement().matches(PlannedStage::runs);
    assertThat(dir.resolve("run/ingest/" + RunLayout.MANIFEST)).exists();
    assertThat(lease()).doesNotExist();
    assertThat(second.verify().get(0).damaged()).isFalse();
    ingest.proceed = null;
    assertThat(second.run(List.of(StageName.INGEST), false).get(0).reason()).startsWith("up to date");
  }

  /** Every file under the run root with its content, except the lease (its heartbeat may move). */
  private Map<String, String> snapshot() throws Exception {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir.resolve("run"))) {
      for (Path p : walk.filter(Files::isRegularFile).filter(p -> !p.endsWith(RunLock.FILE)).toList()) {
        files.put(dir.relativize(p).toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
      }
    }
    return files;
  }

  private static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
