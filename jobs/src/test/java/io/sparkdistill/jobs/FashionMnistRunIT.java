package io.sparkdistill.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance checks the way a user runs them, {@code bin/distill} on the real Fashion-MNIST files:
 * ingest writes 70,000 examples and no rejected rows and a second run skips it; the quick run goes
 * through the whole DAG and writes a report whose every number agrees with the tables it came from;
 * a soft-label file truncated afterwards is found before train-students reads it.
 */
class FashionMnistRunIT {

  @TempDir Path dir;

  private DistillCommand.Result distill(String... args) throws IOException, InterruptedException {
    return DistillCommand.run(dir, 15, args);
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void ingestsAllOfFashionMnistOnceAndThenSkips() throws Exception {
    String root = "--set=run.root=\"" + dir.resolve("run") + "\"";

    DistillCommand.Result first = distill("run", "conf/fashion-mnist-quick.conf", "--stages", "ingest", root);
    assertThat(first.exitCode()).as(first.output()).isZero();
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("run/ingest/_MANIFEST.json").toFile());
    JsonNode counts = manifest.get("row_counts");
    assertThat(counts.get("examples.train").asLong()).isEqualTo(60_000);
    assertThat(counts.get("examples.test").asLong()).isEqualTo(10_000);
    assertThat(counts.get("rejected.train").asLong() + counts.get("rejected.test").asLong()).isZero();
    assertThat(counts.get("inputs.train").asLong()).isEqualTo(60_000);

    DistillCommand.Result second = distill("run", "conf/fashion-mnist-quick.conf", "--stages", "ingest", root);
    assertThat(second.exitCode()).as(second.output()).isZero();
    assertThat(second.output()).contains("[ingest] skipped: up to date");
    JsonNode again = new ObjectMapper().readTree(dir.resolve("run/ingest/_MANIFEST.json").toFile());
    assertThat(again.get("output_id")).isEqualTo(manifest.get("output_id"));
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void theQuickRunGoesFromRawFilesToAReportConsistentWithItsTables() throws Exception {
    String root = "--set=run.root=\"" + dir.resolve("dag") + "\"";

    DistillCommand.Result result = distill("run", "conf/fashion-mnist-quick.conf", root);

    assertThat(result.exitCode()).as(result.output()).isZero();
    ObjectMapper json = new ObjectMapper();
    JsonNode teachers = json.readTree(dir.resolve("dag/train-teachers/_MANIFEST.json").toFile());
    assertThat(teachers.get("row_counts").get("teachers").asLong()).isEqualTo(2);
    assertThat(teachers.get("metrics").get("test_accuracy.cnn-w32").asDouble()).isGreaterThan(0.7);
    JsonNode softLabels = json.readTree(dir.resolve("dag/soft-labels/_MANIFEST.json").toFile());
    long rows = 60_000 * 2 + 10_000; // quick run: view 0 and one view per train example
    assertThat(softLabels.get("row_counts").get("rows.cnn-w32").asLong()).isEqualTo(rows);
    assertThat(softLabels.get("row_counts").get("rows.cnn-w8-weak").asLong()).isEqualTo(rows);
    JsonNode ensemble = json.readTree(dir.resolve("dag/ensemble/_MANIFEST.json").toFile());
    assertThat(ensemble.get("row_counts").get("rows").asLong()).isEqualTo(rows);
    assertThat(result.output())
        .contains("[train-teachers] cnn-w32 step")
        .contains("[train-students] baseline.b1.s2 (run")
        .contains("run complete");

    ReportCheck.check(dir.resolve("dag"), json.readTree(dir.resolve("dag/report/report.json").toFile()));
    String markdown = Files.readString(dir.resolve("dag/report/report.md"));
    for (String variant : List.of("baseline", "kd-best", "kd-weakest", "ensemble-mean", "random-teacher", "kd-best-stop-half")) {
      assertThat(markdown).contains("| " + variant + " |");
    }
    for (String chart : List.of("accuracy_vs_wall.png", "training_curves.png")) {
      byte[] png = Files.readAllBytes(dir.resolve("dag/report/" + chart));
      assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }
    assertThat(dir.resolve("dag/_RUN_LOCK.json")).doesNotExist();
    damagedSoftLabelsAreFoundBeforeUse(root);
  }

  /**
   * The damaged upstream table: one soft-label file truncated after its stage completed.
   * train-students alone cannot redo it and stops before any work with exit code 3 and the command
   * that does; a dry run of the whole DAG plans soft-labels again and says why; verify agrees.
   */
  private void damagedSoftLabelsAreFoundBeforeUse(String root) throws Exception {
    DistillCommand.Result intact = distill("verify", "conf/fashion-mnist-quick.conf", root);
    assertThat(intact.exitCode()).as(intact.output()).isZero();
    assertThat(intact.output()).contains("soft-labels     OK ");
    Path part;
    try (Stream<Path> files = Files.walk(dir.resolve("dag/soft-labels"))) {
      part = files.filter(p -> p.getFileName().toString().matches("part-.*\\.parquet")).sorted().findFirst().orElseThrow();
    }
    try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() / 2);
    }
    String file = dir.resolve("dag/soft-labels").relativize(part).toString();

    DistillCommand.Result alone = distill("run", "conf/fashion-mnist-quick.conf", "--stages", "train-students", root);
    assertThat(alone.exitCode()).as(alone.output()).isEqualTo(3);
    assertThat(alone.output())
        .contains("is damaged: file " + file + " is resized")
        .contains("redo it with: distill run conf/fashion-mnist-quick.conf --from soft-labels");

    DistillCommand.Result plan = distill("run", "conf/fashion-mnist-quick.conf", "--dry-run", root);
    assertThat(plan.exitCode()).as(plan.output()).isZero();
    assertThat(plan.output())
        .containsPattern("soft-labels +RUN +incomplete because file " + Pattern.quote(file) + " is resized")
        .containsPattern("train-students +RUN +upstream 'soft-labels' runs");

    DistillCommand.Result verify = distill("verify", "conf/fashion-mnist-quick.conf", root);
    assertThat(verify.exitCode()).as(verify.output()).isEqualTo(3);
    assertThat(verify.output()).contains("redo with: distill run conf/fashion-mnist-quick.conf --from soft-labels");
  }

  @Test
  void aBadConfigurationExitsWithCodeTwoAndNamesTheKey() throws Exception {
    DistillCommand.Result result = distill("run", "conf/fashion-mnist-quick.conf", "--set", "ingest.shards=0", "--dry-run");

    assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).contains("ingest.shards: must be at least 1, got 0");
  }
}
