package io.sparkdistill.jobs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Spark distribution made of the jobs module's jars: {@code jars/} (links to every runtime jar
 * plus the jobs jar), an empty {@code conf/} and an empty {@code RELEASE} file, which is how
 * Spark's launcher library recognises an installed Spark home when a worker builds its executors'
 * command line.
 */
public final class SparkHome {
  /**
   * JVM option for the test's short-lived JVMs: C1 compilation only. Master, worker, drivers and
   * executors live for seconds, and C2 compiler threads competing for two cores roughly double the
   * test's time.
   */
  public static final String QUICK_START = "-XX:TieredStopAtLevel=1";

  private final Path dir;
  private final List<String> javaFlags;

  private SparkHome(Path dir, List<String> javaFlags) {
    this.dir = dir;
    this.javaFlags = List.copyOf(javaFlags);
  }

  /**
   * Creates the home in {@code dir}.
   *
   * @param jarsDir {@code jobs/target/jars}, the runtime classpath
   * @param jobsJar {@code jobs/target/spark-distill-jobs.jar}
   * @param projectRoot the repository root, whose {@code bin/java-flags} lists the JVM flags
   */
  public static SparkHome create(Path dir, Path jarsDir, Path jobsJar, Path projectRoot) {
    try {
      Path jars = Files.createDirectories(dir.resolve("jars"));
      int linked = 0;
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(jarsDir, "*.jar")) {
        for (Path jar : entries) {
          Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
          linked++;
        }
      }
      if (linked == 0) {
        throw new IllegalStateException("no jars in " + jarsDir + "; run 'mvn package' first");
      }
      Files.createSymbolicLink(jars.resolve(jobsJar.getFileName()), jobsJar.toAbsolutePath());
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
    fullEnv.put("SPARK_HOME", dir.toString());
    fullEnv.put("SPARK_SCALA_VERSION", "2.13");
    fullEnv.put("SPARK_LOCAL_IP", "127.0.0.1");
    fullEnv.put("SPARK_CONF_DIR", dir.resolve("conf").toString());
    return ChildJvm.start(name, javaCommand(jvmOptions, mainClass, args), fullEnv, log);
  }

  /** Starts {@code spark-submit args} as a client-mode driver with a 1 GiB heap. */
  public ChildJvm submit(String name, Path log, List<String> args) {
    return launch(
        name, log, Map.of(), List.of("-Xmx1g"), "org.apache.spark.deploy.SparkSubmit", args);
  }
}
