package io.sparkdistill.pipeline.dag;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.spark.SparkSessions;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Everything a job main class does: parse the command line, load and check the configuration,
 * plan, run, and turn the outcome into an {@link ExitCode}. Job classes are one line around it.
 */
public final class Launcher {
  private Launcher() {}

  /**
   * Runs a command line and returns the exit code.
   *
   * @param fixedStage the stage of a per-stage job class, or null for {@code distill run}
   */
  public static int run(String[] args, StageName fixedStage, StageRegistry registry) {
    PrintStream err = System.err;
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(RunRequest.USAGE);
      return ExitCode.OK.code();
    }
    SessionHolder session = new SessionHolder();
    String conf = "CONF";
    try {
      RunRequest request = RunRequest.parse(args, fixedStage);
      conf = request.config().toString();
      RunConfig config = ConfigLoader.load(request.config(), request.overrides());
      if (request.listDatasets()) {
        config.embeddedDatasets().forEach(System.out::println);
        return ExitCode.OK.code();
      }
      String appName = "spark-distill " + config.run().name();
      session.factory = () -> SparkSessions.create(config, appName);
      RunLayout layout =
          new RunLayout(config.run().root(), SparkSessions.hadoopConfiguration(config));
      DagRunner runner = new DagRunner(registry, config, layout, session);
      if (request.verify()) {
        return verify(runner, layout, conf);
      }
      List<StageName> selected = runner.select(request.stages(), request.from());
      if (request.dryRun()) {
        System.out.println("plan for " + request.config() + " (run.root " + layout.root() + "):");
        runner.plan(selected, request.force()).forEach(p -> System.out.println("  " + p));
        RunLock.holder(layout).ifPresent(
            lease -> System.out.println("note: run.root is locked by " + lease.holder() + ", last heartbeat "
                + lease.heartbeatAt() + "; a run now exits with " + ExitCode.LOCKED.code()));
        return ExitCode.OK.code();
      }
      runner.run(selected, request.force());
      System.out.println("run complete: " + layout.root());
      if (selected.contains(StageName.REPORT)) {
        System.out.println("report: " + new org.apache.hadoop.fs.Path(layout.stageDir(StageName.REPORT), "report.md"));
      }
      return ExitCode.OK.code();
    } catch (Throwable failure) {
      ExitCode code = classify(failure);
      Throwable cause = rootOfKind(failure);
      String message = cause instanceof DamagedOutputException damaged
          ? damaged.message(conf)
          : cause.getMessage();
      err.println("distill: " + describe(code) + ": " + message);
      if (code == ExitCode.BAD_CONFIG && cause instanceof UsageError) {
        err.println(RunRequest.USAGE);
      }
      if (code == ExitCode.FAILURE) {
        failure.printStackTrace(err);
        if (outOfMemory(failure)) {
          err.println(
              "distill: the driver ran out of memory (max heap " + Runtime.getRuntime().maxMemory() / (1 << 20)
                  + " MiB): training still loads its data into the driver; raise DISTILL_DRIVER_MEMORY"
                  + " (bin/distill) or spark.driver.memory (spark-submit), or lower"
                  + " teachers.<name>.train-examples / students.train-examples");
        }
      }
      return code.code();
    } finally {
      session.stop();
    }
  }

  /** True when {@code failure} is, or was caused by, the JVM running out of heap. */
  static boolean outOfMemory(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }

  /** Maps a failure, however deeply Spark wrapped it, to an exit code. */
  public static ExitCode classify(Throwable failure) {
    Throwable kind = rootOfKind(failure);
    if (kind instanceof ConfigError) {
      return ExitCode.BAD_CONFIG;
    }
    if (kind instanceof DatasetException || kind instanceof DamagedOutputException) {
      return ExitCode.BAD_INPUT;
    }
    if (kind instanceof RunLockedException) {
      return ExitCode.LOCKED;
    }
    return ExitCode.FAILURE;
  }

  /**
   * {@code distill verify}: every stage's files against its manifest, one line per stage, and the
   * command that redoes the first damaged stage. Exit 3 when a stage is damaged, else 0.
   */
  private static int verify(DagRunner runner, RunLayout layout, String conf) {
    System.out.println("verify " + conf + " (run.root " + layout.root() + "):");
    OutputCheck.Result firstDamaged = null;
    for (OutputCheck.Result result : runner.verify()) {
      String state;
      if (!result.complete()) {
        state = "ABSENT     no " + RunLayout.MANIFEST;
      } else if (!result.verifiable()) {
        state = "UNVERIFIED manifest format " + result.manifest().formatVersion() + " lists no files";
      } else if (result.damaged()) {
        state = "DAMAGED    " + result.tables() + ": " + result.summary();
        firstDamaged = firstDamaged == null ? result : firstDamaged;
      } else {
        long bytes = result.manifest().files().stream().mapToLong(Manifest.TableFile::bytes).sum();
        state = "OK         " + result.manifest().files().size() + " files, " + bytes + " bytes";
      }
      System.out.printf("  %-15s %s%n", result.stage().id(), state);
    }
    RunLock.holder(layout).ifPresent(
        lease -> System.out.println("note: a run holds the lock (" + lease.holder() + "); the stage it is running"
            + " may look incomplete until it finishes"));
    if (firstDamaged != null) {
      System.out.println("redo with: " + firstDamaged.redoCommand(conf));
      return ExitCode.BAD_INPUT.code();
    }
    return ExitCode.OK.code();
  }

  private static Throwable rootOfKind(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConfigError || t instanceof DatasetException || t instanceof DamagedOutputException
          || t instanceof RunLockedException) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return failure;
  }

  private static String describe(ExitCode code) {
    return switch (code) {
      case BAD_CONFIG -> "configuration error";
      case BAD_INPUT -> "input data error";
      case LOCKED -> "locked";
      default -> "failed";
    };
  }

  /** Creates the Spark session on first use and stops it at the end, if it was created. */
  private static final class SessionHolder implements Supplier<SparkSession> {
    private Supplier<SparkSession> factory;
    private SparkSession session;

    @Override
    public SparkSession get() {
      if (session == null) {
        session = factory.get();
      }
      return session;
    }

    void stop() {
      if (session != null) {
        session.stop();
      }
    }
  }
}
