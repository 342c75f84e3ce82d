package io.sparkdistill.jobs.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spark distribution as a platform team installs it: {@code jars/} (links to Spark's own jars
 * only; the application comes as its own jar through spark-submit), an empty {@code conf/} and an
 * empty {@code RELEASE} file, which is how Spark's launcher library recognises an installed Spark
 * home when it builds a driver's or an executor's command line.
 */
public final class SparkHome {
  /**
   * JVM option for the test's short-lived JVMs: C1 compilation only. Master, worker, drivers and
   * executors live for seconds, and C2 compiler threads competing for two cores roughly double the
   * test's time.
   */
  public static final String QUICK_START = "-XX:TieredStopAtLevel=1";

  private static final Duration LAUNCHER_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final List<String> javaFlags;

  private SparkHome(Path dir, List<String> javaFlags) {
    this.dir = dir;
    this.javaFlags = List.copyOf(javaFlags);
  }

  /**
   * Creates the home in {@code dir}.
   *
   * @param sparkJars {@code jobs/target/spark-home/jars}: Spark's own jars, nothing else
   * @param projectRoot the repository root, whose {@code bin/java-flags} lists the JVM flags the
   *     master and worker daemons get
   */
  public static SparkHome create(Path dir, Path sparkJars, Path projectRoot) {
    try {
      Path jars = Files.createDirectories(dir.resolve("jars"));
      int linked = 0;
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(sparkJars, "*.jar")) {
        for (Path jar : entries) {
          Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
          linked++;
        }
      }
      if (linked == 0) {
        throw new IllegalStateException(
            "no jars in " + sparkJars + "; run 'mvn verify' (phase pre-integration-test) first");
      }
      Files.createFile(dir.resolve("RELEASE"));
      Files.createDirectories(dir.resolve("conf"));
      return new SparkHome(dir, readJavaFlags(projectRoot.resolve("bin/java-flags")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a Spark home in " + dir, e);
    }
  }

  /**
   * The JVM flags Spark needs on Java 17, from {@code bin/java-flags} (a bash array, one flag a
   * line), so that the launcher scripts and this test share one list.
   */
  static List<String> readJavaFlags(Path file) throws IOException {
    List<String> flags = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String flag = line.strip();
      int comment = flag.indexOf(" #");
      if (comment >= 0) {
        flag = flag.substring(0, comment).strip();
      }
      if (flag.startsWith("-")) {
        flags.add(flag);
      }
    }
    if (flags.stream().noneMatch(f -> f.startsWith("--add-opens="))) {
      throw new IllegalStateException("no --add-opens flags found in " + file + ": " + flags);
    }
    return flags;
  }

  public Path dir() {
    return dir;
  }

  /** {@code java <flags> QUICK_START <jvmOptions> -cp 'HOME/jars/*' mainClass args}. */
  public List<String> javaCommand(List<String> jvmOptions, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(javaFlags);
    command.add(QUICK_START);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(dir.resolve("jars") + "/*");
    command.add(mainClass);
    command.addAll(args);
    return command;
  }

  /** Starts {@code mainClass} from this home's jars, loopback-only, logging to {@code log}. */
  public ChildJvm launch(
      String name,
      Path log,
      Map<String, String> env,
      List<String> jvmOptions,
      String mainClass,
      List<String> args) {
    Map<String, String> fullEnv = new HashMap<>(env);
    fullEnv.putAll(environment());
    return ChildJvm.start(name, javaCommand(jvmOptions, mainClass, args), fullEnv, log);
  }

  /**
   * The driver's command line for {@code spark-submit args}, built the way Spark's {@code
   * bin/spark-submit} builds it: {@code bin/spark-class} runs the launcher library ({@code
   * org.apache.spark.launcher.Main}), which prints the command, and runs that. So the driver gets
   * what a real spark-submit gives it: {@code --driver-memory} as its heap, {@code
   * spark.driver.extraJavaOptions}, and the Java 17 module flags that Spark's launcher adds by
   * itself; {@link #QUICK_START} comes through {@code SPARK_SUBMIT_OPTS}, as a user would pass it.
   */
  public List<String> driverCommand(List<String> args) throws InterruptedException {
    List<String> launcher = new ArrayList<>();
    launcher.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    launcher.addAll(List.of("-Xmx128m", "-cp", dir.resolve("jars") + "/*"));
    launcher.addAll(List.of("org.apache.spark.launcher.Main", "org.apache.spark.deploy.SparkSubmit"));
    launcher.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(launcher)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().putAll(environment());
    try {
      Process process = builder.start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(LAUNCHER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("Spark's launcher did not finish: " + launcher);
      }
      String printed = new String(out, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new AssertionError(
            "Spark's launcher exited " + process.exitValue() + " for " + args + ": " + printed);
      }
      return launcherCommand(printed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run Spark's launcher", e);
    }
  }

  /**
   * The command in the launcher's output: messages line by line, then a line holding a single NUL,
   * then the command's words, each followed by a NUL (what {@code bin/spark-class} reads).
   */
  static List<String> launcherCommand(String printed) {
    int start = 0;
    if (!printed.startsWith("\0\n")) {
      int at = printed.indexOf("\n\0\n");
      if (at < 0) {
        throw new AssertionError("no command in the launcher's output: " + printed);
      }
      start = at + 1;
    }
    String messages = printed.substring(0, start).strip();
    if (!messages.isEmpty()) {
      System.out.println("[spark launcher] " + messages);
    }
    List<String> command = new ArrayList<>(List.of(printed.substring(start + 2).split("\0")));
    command.removeIf(String::isEmpty);
    return command;
  }

  /** Starts a driver command from {@link #driverCommand}, logging to {@code log}. */
  public ChildJvm start(String name, Path log, List<String> command) {
    return ChildJvm.start(name, command, environment(), log);
  }

  /** {@code spark-submit args}: {@link #driverCommand}, then {@link #start}. */
  public ChildJvm submit(String name, Path log, List<String> args) throws InterruptedException {
    return start(name, log, driverCommand(args));
  }

  /** What every JVM of this home gets in its environment (as spark-class and the worker set it). */
  private Map<String, String> environment() {
    return Map.of(
        "SPARK_HOME", dir.toString(),
        "SPARK_SCALA_VERSION", "2.13",
        "SPARK_LOCAL_IP", "127.0.0.1",
        "SPARK_CONF_DIR", dir.resolve("conf").toString(),
        "SPARK_SUBMIT_OPTS", QUICK_START);
  }
}
