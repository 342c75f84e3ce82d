package io.sparkdistill.pipeline.dag;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run per {@code run.root}: a lease file {@code <run.root>/_RUN_LOCK.json} created with
 * create-if-absent ({@code FileSystem.create(path, overwrite = false)}) before the first stage,
 * refreshed by a heartbeat thread every quarter of {@code run.lock-timeout}, and deleted when the
 * run ends, whether it succeeded or failed (and from a shutdown hook when the process is told to
 * stop). A second run finds the lease and is refused at once, naming the holder. A lease whose
 * heartbeat is older than the timeout belonged to a run that was killed without releasing it: it
 * is moved aside (one rename, so of two runs taking it over only one wins) and replaced, and the
 * take-over is logged.
 *
 * <p>The creation is as atomic as the file system's create-if-absent: on HDFS it is; on a local
 * disk and on S3A the check and the create are two steps, so every new lease is read back and a
 * run that finds another's token there does not hold the lock. The holder's heartbeat also reads
 * the lease first: a run whose lease was taken over (it stalled for longer than the timeout) stops
 * before its next stage or manifest ({@link #assertHeld()}).
 */
public final class RunLock implements AutoCloseable {
  public static final String FILE = "_RUN_LOCK.json";
  /** The token of a lease that could not be parsed (caught half-written). */
  private static final String UNREADABLE = "unreadable";
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);

  /**
   * The lease's content.
   *
   * @param token this run's unique id
   * @param host the driver's host name
   * @param pid the driver's process id
   * @param applicationId the Spark application id once the run has started Spark, else null
   * @param runName {@code run.name}
   * @param stages the stages the run was asked for
   * @param startedAt ISO-8601 instant the lease was taken
   * @param heartbeatAt ISO-8601 instant of the last heartbeat
   */
  public record Lease(
      String token,
      String host,
      long pid,
      String applicationId,
      String runName,
      List<String> stages,
      String startedAt,
      String heartbeatAt) {
    /** Who holds it, in words. */
    public String holder() {
      return "host " + host + ", pid " + pid + ", application " + (applicationId == null ? "(Spark not started)" : applicationId)
          + ", run '" + runName + "' " + stages + ", started " + startedAt;
    }

    Lease beat(Instant now, String applicationId) {
      return new Lease(token, host, pid, applicationId, runName, stages, startedAt, now.toString());
    }
  }

  private final FileSystem fs;
  private final Path path;
  private final Duration timeout;
  private final Clock clock;
  private final Supplier<String> applicationId;
  private final ScheduledExecutorService heartbeat;
  private final Runnable shutdownHook = this::release;
  private volatile Lease lease;
  private volatile String lostTo;
  private boolean released;

  private RunLock(
      FileSystem fs, Path path, Duration timeout, Clock clock, Supplier<String> applicationId, Lease lease) {
    this.fs = fs;
    this.path = path;
    this.timeout = timeout;
    this.clock = clock;
    this.applicationId = applicationId;
    this.lease = lease;
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "distill-run-lock");
              thread.setDaemon(true);
              return thread;
            });
    long period = period(timeout).toMillis();
    heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
    // Before Hadoop closes its file systems (priority 10), so that the release can still write.
    ShutdownHookManager.get().addShutdownHook(shutdownHook, FileSystem.SHUTDOWN_HOOK_PRIORITY + 1);
  }

  /**
   * Takes the lock of {@code layout}'s root, taking over a stale lease.
   *
   * @param applicationId the Spark application id, or null while Spark has not started
   * @throws RunLockedException when another run holds a fresh lease
   */
  public static RunLock acquire(
      RunLayout layout, String runName, List<StageName> stages, Duration timeout, Clock clock,
      Supplier<String> applicationId) {
    FileSystem fs = layout.fs();
    Path path = path(layout);
    Instant now = clock.instant();
    Lease mine =
        new Lease(UUID.randomUUID().toString(), host(), ProcessHandle.current().pid(), applicationId.get(), runName,
            stages.stream().map(StageName::id).toList(), now.toString(), now.toString());
    try {
      for (int attempt = 0; attempt < 3; attempt++) {
        try {
          write(fs, path, mine, false);
        } catch (FileAlreadyExistsException e) {
          Lease held = read(fs, path).orElse(null);
          if (held != null) {
            Duration age = Duration.between(Instant.parse(held.heartbeatAt()), clock.instant());
            if (age.compareTo(timeout) <= 0) {
              throw locked(path, held, age, timeout);
            }
            takeOver(fs, path, held, age, timeout, mine.token());
          }
          continue; // gone, or moved aside: try to create it again
        }
        Lease written = read(fs, path).orElse(null);
        if (written == null || !written.token().equals(mine.token())) {
          // A concurrent create on a file system whose create-if-absent is check-then-create.
          throw locked(path, written == null ? mine : written, Duration.ZERO, timeout);
        }
        LOG.info("run lock {} taken (heartbeat every {}, stale after {})", path, period(timeout), timeout);
        return new RunLock(fs, path, timeout, clock, applicationId, mine);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot take the run lock " + path, e);
    }
    throw new RunLockedException("run.root " + path.getParent() + " is being locked and unlocked by other runs; try again");
  }

  /** The lease of {@code layout}'s root, if a run holds one (for {@code verify} and dry runs). */
  public static Optional<Lease> holder(RunLayout layout) {
    try {
      return read(layout.fs(), path(layout));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the run lock " + path(layout), e);
    }
  }

  public static Path path(RunLayout layout) {
    return new Path(layout.root(), FILE);
  }

  /** Throws when the lease was taken over by another run while this one stalled. */
  public void assertHeld() {
    if (lostTo != null) {
      throw new RunLockedException(
          "the run lock " + path + " was taken over by another run (" + lostTo + ") after this run's heartbeat"
              + " stalled for longer than run.lock-timeout " + timeout + "; this run stops");
    }
  }

  /** Stops the heartbeat and deletes the lease, if it is still this run's. */
  @Override
  public void close() {
    try {
      ShutdownHookManager.get().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down; the hook is running or has run
    }
    release();
  }

  private synchronized void release() {
    if (released) {
      return;
    }
    released = true;
    heartbeat.shutdownNow();
    try {
      Optional<Lease> current = read(fs, path);
      if (current.isPresent() && current.get().token().equals(lease.token())) {
        fs.delete(path, false);
        LOG.info("run lock {} released", path);
      }
    } catch (IOException e) {
      LOG.warn("cannot release the run lock {} ({}); the next run takes it over after run.lock-timeout {}",
          path, e.getMessage(), timeout);
    }
  }

  /** One heartbeat: checks that the lease is still this run's, then rewrites its heartbeat. */
  synchronized void beat() {
    if (released || lostTo != null) {
      return;
    }
    try {
      Optional<Lease> current = read(fs, path);
      String token = current.map(Lease::token).orElse(lease.token());
      if (!token.equals(lease.token()) && !token.equals(UNREADABLE)) {
        lostTo = current.get().holder();
        LOG.error("run lock {} was taken over by {}", path, lostTo);
        return;
      }
      lease = lease.beat(clock.instant(), applicationId.get());
      write(fs, path, lease, current.isPresent()); // re-created if it vanished
    } catch (IOException e) {
      LOG.warn("run lock heartbeat failed ({}); retrying in {}", e.getMessage(), period(timeout));
    }
  }

  /** A quarter of the timeout (at least 100 ms): three heartbeats may fail before the lease is stale. */
  private static Duration period(Duration timeout) {
    return Duration.ofMillis(Math.max(100, timeout.toMillis() / 4));
  }

  private static void takeOver(
      FileSystem fs, Path path, Lease stale, Duration age, Duration timeout, String token) throws IOException {
    Path aside = new Path(path.getParent(), "." + FILE + ".stale-" + token);
    if (!fs.rename(path, aside)) {
      return; // another run moved it first
    }
    Lease moved = read(fs, aside).orElse(null);
    if (moved != null && !Objects.equals(moved.token(), stale.token())) {
      // Between our read and our rename another run replaced the stale lease: give it back.
      fs.rename(aside, path);
      throw locked(path, moved, Duration.ZERO, timeout);
    }
    fs.delete(aside, false);
    LOG.warn("run lock {}: taking over the stale lease of {} (last heartbeat {} ago, run.lock-timeout {})",
        path, stale.holder(), age.withNanos(0), timeout);
  }

  private static RunLockedException locked(Path path, Lease held, Duration age, Duration timeout) {
    return new RunLockedException(
        "run.root " + path.getParent() + " is in use by another run: " + held.holder() + ", last heartbeat "
            + age.withNanos(0) + " ago (lease " + path + "; it is taken over once its heartbeat is older than"
            + " run.lock-timeout " + timeout + ")");
  }

  private static void write(FileSystem fs, Path path, Lease lease, boolean overwrite) throws IOException {
    try (OutputStream out = fs.create(path, overwrite)) {
      out.write(ManifestStore.JSON.writeValueAsBytes(lease));
    }
  }

  /**
   * The lease at {@code path}; empty when there is none. A lease being rewritten by its
   * heartbeat can be read half-written: it then counts as fresh, with the file's time.
   */
  private static Optional<Lease> read(FileSystem fs, Path path) throws IOException {
    try {
      try (InputStream in = fs.open(path)) {
        return Optional.of(ManifestStore.JSON.readValue(in, Lease.class));
      } catch (FileNotFoundException e) {
        return Optional.empty();
      } catch (IOException e) {
        long modified = fs.getFileStatus(path).getModificationTime();
        String at = Instant.ofEpochMilli(modified).toString();
        return Optional.of(new Lease(UNREADABLE, "unknown (lease being written)", -1, null, "?", List.of(), at, at));
      }
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
