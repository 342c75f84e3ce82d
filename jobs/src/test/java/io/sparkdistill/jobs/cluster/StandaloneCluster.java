package io.sparkdistill.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster on loopback: one master and one worker JVM started from a {@link
 * SparkHome}. Executors are further JVMs the worker starts per application, each in its own folder
 * {@code <workDir>/<app id>/<executor id>/}.
 */
public final class StandaloneCluster implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<ChildJvm> processes = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::stopAll, "stop-standalone-cluster");
  private String masterUrl;
  private Path workDir;

  private StandaloneCluster() {
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts a master and a worker offering {@code cores} cores and {@code memory} (e.g. "2g"), and
   * waits until the worker has registered.
   *
   * @param scratch folder for the daemons' local files
   * @param logs folder for the daemons' logs and the worker's work folder (executor logs), kept
   *     after the test for diagnosis
   */
  public static StandaloneCluster start(
      SparkHome home, Path scratch, Path logs, int cores, String memory)
      throws InterruptedException {
    StandaloneCluster cluster = new StandaloneCluster();
    try {
      cluster.startDaemons(home, scratch, logs, cores, memory);
      return cluster;
    } catch (RuntimeException | Error | InterruptedException e) {
      cluster.close();
      throw e;
    }
  }

  private void startDaemons(SparkHome home, Path scratch, Path logs, int cores, String memory)
      throws InterruptedException {
    int port = freePort();
    int masterUi = freePort();
    int workerUi = freePort();
    masterUrl = "spark://127.0.0.1:" + port;
    workDir = logs.resolve("work");
    Path logConfig = writeLogConfig(scratch);
    List<String> daemonOptions =
        List.of("-Xmx512m", "-Dlog4j2.configurationFile=" + logConfig.toUri());
    ChildJvm master =
        home.launch(
            "master",
            logs.resolve("master.log"),
            Map.of(),
            daemonOptions,
            "org.apache.spark.deploy.master.Master",
            List.of("--host", "127.0.0.1", "--port", "" + port, "--webui-port", "" + masterUi));
    processes.add(master);
    ChildJvm worker =
        home.launch(
            "worker",
            logs.resolve("worker.log"),
            Map.of(
                "SPARK_WORKER_DIR", workDir.toString(),
                "SPARK_LOCAL_DIRS", createDirectories(scratch.resolve("worker-local")).toString()),
            daemonOptions,
            "org.apache.spark.deploy.worker.Worker",
            List.of(
                "--host",
                "127.0.0.1",
                "--cores",
                "" + cores,
                "--memory",
                memory,
                "--webui-port",
                "" + workerUi,
                "--work-dir",
                workDir.toString(),
                masterUrl));
    processes.add(worker);
    awaitAliveWorkers(URI.create("http://127.0.0.1:" + masterUi + "/json/"), 1);
  }

  /** {@code spark://127.0.0.1:PORT}. */
  public String masterUrl() {
    return masterUrl;
  }

  /** The worker's work folder: {@code <app id>/<executor id>/} per executor. */
  public Path workDir() {
    return workDir;
  }

  /**
   * Polls the master's JSON status page until it is ALIVE with {@code count} alive workers; fails
   * with the daemons' log tails if that takes longer than a minute or a daemon dies.
   */
  private void awaitAliveWorkers(URI status, int count) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      for (ChildJvm p : processes) {
        if (!p.isAlive()) {
          throw new AssertionError(p.name() + " exited during startup; " + p.describe());
        }
      }
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        last = response.statusCode() + " " + response.body();
        JsonNode state = JSON.readTree(response.body());
        if ("ALIVE".equals(state.path("status").asText())
            && state.path("aliveworkers").asInt() >= count) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(250);
    }
    StringBuilder message =
        new StringBuilder(
            "the standalone cluster did not come up within "
                + STARTUP.toSeconds()
                + " s; last status from "
                + status
                + ": "
                + last);
    for (ChildJvm p : processes) {
      message.append(System.lineSeparator()).append(p.name()).append(": ").append(p.describe());
    }
    throw new AssertionError(message);
  }

  /** INFO-level logging for the daemons (the jobs jar's own log4j2.properties hides it). */
  private static Path writeLogConfig(Path scratch) {
    Path file = createDirectories(scratch).resolve("log4j2-daemons.properties");
    String config =
        String.join(
            "\n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.out.ref = out",
            "appender.out.type = Console",
            "appender.out.name = out",
            "appender.out.target = SYSTEM_ERR",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex",
            "");
    try {
      return Files.writeString(file, config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path createDirectories(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port free on loopback now (the daemon binds it a moment later). */
  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** Stops the worker (and its executors), then the master. */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down and the hook is running or has run.
    }
  }

  private synchronized void stopAll() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    processes.clear();
  }
}
