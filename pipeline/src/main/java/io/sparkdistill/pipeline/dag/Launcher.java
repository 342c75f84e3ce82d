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
    try {
      RunRequest request = RunRequest.parse(args, fixedStage);
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
      List<StageName> selected = runner.select(request.stages(), request.from());
      if (request.dryRun()) {
        System.out.println("plan for " + request.config() + " (run.root " + layout.root() + "):");
        runner.plan(selected, request.force()).forEach(p -> System.out.println("  " + p));
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
      err.println("distill: " + describe(code) + ": " + cause.getMessage());
      if (code == ExitCode.BAD_CONFIG && cause instanceof UsageError) {
        err.println(RunRequest.USAGE);
      }
      if (code == ExitCode.FAILURE) {
        failure.printStackTrace(err);
      }
      return code.code();
    } finally {
      session.stop();
    }
  }

  /** Maps a failure, however deeply Spark wrapped it, to an exit code. */
  public static ExitCode classify(Throwable failure) {
    Throwable kind = rootOfKind(failure);
    if (kind instanceof ConfigError) {
      return ExitCode.BAD_CONFIG;
    }
    if (kind instanceof DatasetException) {
      return ExitCode.BAD_INPUT;
    }
    return ExitCode.FAILURE;
  }

  private static Throwable rootOfKind(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConfigError || t instanceof DatasetException) {
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
