package io.sparkdistill.pipeline.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests list their files; a truncated, deleted or extra file is found before a stage reads
 * the table: the stage re-runs when the run includes it, and the run stops with exit code 3 and the
 * command that redoes it when it does not.
 */
class OutputCheckTest {
  @TempDir Path dir;

  private final DagRunnerTest.FileStage ingest = new DagRunnerTest.FileStage(StageName.INGEST, "ingest");
  private final DagRunnerTest.FileStage teachers = new DagRunnerTest.FileStage(StageName.TRAIN_TEACHERS, "run.name");

  private DagRunner runner() throws Exception {
    return DagRunnerTest.runner(dir, DagRunnerTest.registry(ingest, teachers));
  }

  private Path part() {
    return dir.resolve("run/ingest/part-0");
  }

  private Manifest manifest(StageName stage) {
    return new ManifestStore(new RunLayout(dir.resolve("run").toString(), new Configuration())).read(stage).orElseThrow();
  }

  @Test
  void theManifestListsTheStagesFilesWithTheirSizes() throws Exception {
    runner().run(List.of(StageName.INGEST), false);

    Manifest written = manifest(StageName.INGEST);
    assertThat(written.formatVersion()).isEqualTo(2);
    assertThat(written.files()).containsExactly(new Manifest.TableFile("part-0", 4));
    assertThat(runner().verify()).first().matches(r -> r.verifiable() && !r.damaged());
  }

  @Test
  void aTruncatedFileMakesTheStageIncompleteAndTheNextRunRedoesIt() throws Exception {
    runner().run(List.of(StageName.INGEST, StageName.TRAIN_TEACHERS), false);
    Files.write(part(), new byte[] {1, 2}); // truncated after the stage completed

    DagRunner runner = runner();
    List<PlannedStage> plan = runner.plan(runner.select(List.of(), null), false);
    List<PlannedStage> done = runner.run(runner.select(List.of(), null), false);

    assertThat(plan.get(0))
        .isEqualTo(new PlannedStage(StageName.INGEST, true,
            "incomplete because file part-0 is resized (recorded 4 bytes, now 2)"));
    assertThat(plan.get(1).reason()).isEqualTo("upstream 'ingest' runs");
    assertThat(done).allMatch(PlannedStage::runs);
    assertThat(ingest.runs).isEqualTo(2);
    assertThat(teachers.runs).isEqualTo(2);
    assertThat(Files.size(part())).isEqualTo(4);
  }

  @Test
  void aDeletedFileOfAStageNotInTheRunStopsItBeforeAnyWorkNamingTheTableAndTheRedoCommand() throws Exception {
    ingest.file = "examples/part-1.parquet";
    runner().run(List.of(StageName.INGEST), false);
    Files.delete(dir.resolve("run/ingest/examples/part-1.parquet"));

    DagRunner runner = runner();
    assertThatThrownBy(() -> runner.run(List.of(StageName.TRAIN_TEACHERS), false))
        .isInstanceOf(DamagedOutputException.class)
        .hasMessage("table ingest/examples is damaged: file examples/part-1.parquet is missing (recorded 4 bytes);"
            + " 'train-teachers' reads it and 'ingest' is not part of this run; redo it with:"
            + " distill run CONF --from ingest");
    assertThatThrownBy(() -> runner.plan(List.of(StageName.TRAIN_TEACHERS), false))
        .isInstanceOf(DamagedOutputException.class);
    assertThat(teachers.runs).isZero();
    assertThat(Launcher.classify(new IllegalStateException(new DamagedOutputException(
        runner.verify().get(0), StageName.TRAIN_TEACHERS)))).isEqualTo(ExitCode.BAD_INPUT);
  }

  @Test
  void anExtraFileMakesTheStageIncomplete() throws Exception {
    runner().run(List.of(StageName.INGEST), false);
    Files.write(dir.resolve("run/ingest/part-1"), new byte[] {7, 7}); // e.g. a second writer's file

    OutputCheck.Result check = runner().verify().get(0);

    assertThat(check.damaged()).isTrue();
    assertThat(check.summary()).isEqualTo("file part-1 is extra (2 bytes, not in the manifest)");
    assertThat(runner().plan(List.of(StageName.INGEST), false).get(0).runs()).isTrue();
  }

  @Test
  void aFormatOneManifestLoadsAndIsTrustedButNotVerifiable() throws Exception {
    runner().run(List.of(StageName.INGEST), false);
    String v2 = Files.readString(dir.resolve("run/ingest/_MANIFEST.json"));
    String v1 = v2.replace("\"format_version\" : 2", "\"format_version\" : 1")
        .replaceAll("(?s),\\s*\"files\" : \\[.*?\\]", "");
    assertThat(v1).doesNotContain("files").contains("\"format_version\" : 1");
    Files.writeString(dir.resolve("run/ingest/_MANIFEST.json"), v1);
    Files.deleteIfExists(dir.resolve("run/ingest/._MANIFEST.json.crc"));
    Files.write(part(), new byte[] {1}); // undetectable without a file list

    List<PlannedStage> done = runner().run(List.of(StageName.INGEST), false);
    OutputCheck.Result check = runner().verify().get(0);

    assertThat(done.get(0).runs()).isFalse();
    assertThat(done.get(0).reason()).contains("manifest format 1 lists no files, not verifiable");
    assertThat(check.complete()).isTrue();
    assertThat(check.verifiable()).isFalse();
    assertThat(manifest(StageName.INGEST).files()).isEmpty();
  }

  @Test
  void verifyExitsWithThreeAndPrintsTheRedoCommandForADamagedStage() throws Exception {
    runner().run(List.of(StageName.INGEST), false);
    Files.delete(part());
    Path conf = dir.resolve("run.conf");

    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = Launcher.run(new String[] {"verify", conf.toString()}, null, DagRunnerTest.registry(ingest, teachers));
    } finally {
      System.setOut(out);
    }

    assertThat(code).isEqualTo(3);
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("ingest          DAMAGED    [ingest/part-0]: file part-0 is missing (recorded 4 bytes)")
        .contains("train-teachers  ABSENT     no _MANIFEST.json")
        .contains("redo with: distill run " + conf + " --from ingest");
  }
}
