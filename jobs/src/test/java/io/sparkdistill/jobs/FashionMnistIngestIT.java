package io.sparkdistill.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance check, the way a user runs it: {@code bin/distill run
 * conf/fashion-mnist-quick.conf --stages ingest} on the real Fashion-MNIST files writes 70,000
 * examples and no rejected rows, and a second run skips the stage.
 */
class FashionMnistIngestIT {
  private static final Path ROOT = Path.of(System.getProperty("distill.project.root")).toAbsolutePath().normalize();

  @TempDir Path dir;

  private record Result(int exitCode, String output) {}

  private Result distill(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/distill").toString()));
    command.addAll(List.of(args));
    Path log = dir.resolve("distill-" + System.nanoTime() + ".log");
    Process process =
        new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(process.waitFor(8, TimeUnit.MINUTES)).as("bin/distill finished").isTrue();
    return new Result(process.exitValue(), Files.readString(log));
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void ingestsAllOfFashionMnistOnceAndThenSkips() throws Exception {
    String root = "--set=run.root=\"" + dir.resolve("run") + "\"";

    Result first = distill("run", "conf/fashion-mnist-quick.conf", "--stages", "ingest", root);
    assertThat(first.exitCode()).as(first.output()).isZero();
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("run/ingest/_MANIFEST.json").toFile());
    JsonNode counts = manifest.get("row_counts");
    assertThat(counts.get("examples.train").asLong()).isEqualTo(60_000);
    assertThat(counts.get("examples.test").asLong()).isEqualTo(10_000);
    assertThat(counts.get("rejected.train").asLong() + counts.get("rejected.test").asLong()).isZero();
    assertThat(counts.get("inputs.train").asLong()).isEqualTo(60_000);

    Result second = distill("run", "conf/fashion-mnist-quick.conf", "--stages", "ingest", root);
    assertThat(second.exitCode()).as(second.output()).isZero();
    assertThat(second.output()).contains("[ingest] skipped: up to date");
    JsonNode again = new ObjectMapper().readTree(dir.resolve("run/ingest/_MANIFEST.json").toFile());
    assertThat(again.get("output_id")).isEqualTo(manifest.get("output_id"));
  }

  @Test
  void aBadConfigurationExitsWithCodeTwoAndNamesTheKey() throws Exception {
    Result result = distill("run", "conf/fashion-mnist-quick.conf", "--set", "ingest.shards=0", "--dry-run");

    assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).contains("ingest.shards: must be at least 1, got 0");
  }
}
