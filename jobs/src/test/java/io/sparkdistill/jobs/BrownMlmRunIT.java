package io.sparkdistill.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text path's quick run the way a user runs it, {@code bin/distill run
 * conf/brown-mlm-quick.conf}, on the installed Brown corpus and SpamAssassin: the whole DAG
 * (ingest, an MLM teacher, its soft labels at every masked position, students baseline / KD / KD
 * stopped at 30 %, evaluation with the downstream fine-tuning, the report); every table's counts
 * against each other, the report recomputed from the tables ({@link ReportCheck#checkText}), and a
 * second run that skips every stage.
 */
class BrownMlmRunIT {
  private static final Path BROWN = Path.of("/usr/share/datasets/brown/cr09");
  private static final Path SPAM = Path.of("/usr/share/datasets/spam-assassin/data/spam-2");
  private static final List<String> STAGES =
      List.of("ingest", "train-teachers", "soft-labels", "ensemble", "train-students", "evaluate", "report");

  @TempDir Path dir;

  private DistillCommand.Result distill(String... args) throws IOException, InterruptedException {
    return DistillCommand.run(dir, 15, args);
  }

  private JsonNode manifest(Path run, String stage) throws IOException {
    return new ObjectMapper().readTree(run.resolve(stage).resolve("_MANIFEST.json").toFile());
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void runsTheWholeTextDagOnBrownAndReportsWhatItsTablesSay() throws Exception {
    Assumptions.assumeTrue(
        Files.isRegularFile(BROWN), "the Brown corpus is not installed: sudo bin/install-datasets brown");
    Assumptions.assumeTrue(
        Files.isDirectory(SPAM), "SpamAssassin is not installed: sudo bin/install-datasets spam-assassin");
    Path run = dir.resolve("run");
    String root = "--set=run.root=\"" + run + "\"";

    DistillCommand.Result first = distill("run", "conf/brown-mlm-quick.conf", root);
    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(first.output()).contains("report: ").contains("report.md");

    JsonNode counts = manifest(run, "ingest").get("row_counts");
    assertThat(counts.get("documents.train").asLong() + counts.get("documents.test").asLong()).isEqualTo(500);
    assertThat(counts.get("rejected.train").asLong() + counts.get("rejected.test").asLong()).isZero();
    assertThat(counts.get("vocabulary").asLong()).isEqualTo(5000);
    assertThat(counts.get("views.train").asLong()).isEqualTo(2 * counts.get("sequences.train").asLong());
    assertThat(Files.readAllLines(run.resolve("ingest/vocabulary/vocab.txt")).subList(0, 6))
        .containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the");

    // Soft labels: every train view, one row per masked position (15 % of the ~62 maskable ids;
    // [UNK] is never masked). The stage itself checks the exact count against ingest's table.
    JsonNode soft = manifest(run, "soft-labels").get("row_counts");
    assertThat(soft.get("views.train").asLong()).isEqualTo(counts.get("views.train").asLong());
    assertThat(soft.get("rows.teacher").asLong())
        .isBetween(5 * soft.get("views.train").asLong(), 10 * soft.get("views.train").asLong());

    // Students: 3 variants x 2 budgets x 1 seed; evaluate scores them and the teacher, and
    // fine-tunes the teacher, the full-budget students and an untrained network on SpamAssassin.
    assertThat(manifest(run, "train-students").get("row_counts").get("runs").asLong()).isEqualTo(6);
    JsonNode evaluated = manifest(run, "evaluate").get("row_counts");
    assertThat(evaluated.get("text-models").asLong()).isEqualTo(7);
    assertThat(evaluated.get("text-predictions").asLong()).isEqualTo(7 * evaluated.get("test_positions").asLong());
    assertThat(evaluated.get("downstream").asLong()).as("teacher + 3 full-budget students + untrained").isEqualTo(5);
    assertThat(evaluated.get("downstream.examples.train").asLong() + evaluated.get("downstream.rejected.train").asLong()
            + evaluated.get("downstream.examples.test").asLong() + evaluated.get("downstream.rejected.test").asLong())
        .as("every SpamAssassin message is an example or a rejected row")
        .isEqualTo(6046);

    JsonNode report = new ObjectMapper().readTree(run.resolve("report/report.json").toFile());
    assertThat(report.get("metric").asText()).isEqualTo("held-out masked-token accuracy");
    assertThat(report.get("downstream").get("task").asText()).isEqualTo("spam-assassin");
    assertThat(report.get("variants")).extracting(v -> v.get("name").asText())
        .containsExactly("baseline", "kd", "kd-stop-30");
    for (JsonNode v : report.get("variants")) {
      assertThat(v.get("final_perplexity").asDouble()).as(v.get("name").asText()).isGreaterThan(1);
      assertThat(v.get("downstream_accuracy").asDouble()).isBetween(0.0, 1.0);
    }
    ReportCheck.checkText(run, report);
    assertThat(Files.readString(run.resolve("report/report.md")))
        .contains("held-out masked-token accuracy")
        .contains("spam-assassin accuracy");

    DistillCommand.Result second = distill("run", "conf/brown-mlm-quick.conf", root);
    assertThat(second.exitCode()).as(second.output()).isZero();
    for (String stage : STAGES) {
      assertThat(second.output()).contains("[" + stage + "] skipped: up to date");
    }
  }
}
