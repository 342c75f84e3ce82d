package io.sparkdistill.pipeline.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.pipeline.config.ConfigLoader;
import io.sparkdistill.pipeline.config.RunConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's bookkeeping, with stages that write plain files (no Spark needed). */
class DagRunnerTest {
  private static final Supplier<SparkSession> NO_SPARK =
      () -> {
        throw new AssertionError("these stages need no Spark");
      };

  @TempDir Path dir;

  /** A stage that writes one file and counts its runs; it can be told to die part-way. */
  static final class FileStage implements Stage {
    final StageName name;
    final String section;
    int runs;
    boolean dieAfterPartialWrite;
    Map<String, String> external = Map.of();
    /** The file it writes, relative to its folder. */
    String file = "part-0";
    /** When set, the stage counts {@code started} down after its first file and waits for it. */
    CountDownLatch started;
    CountDownLatch proceed;

    FileStage(StageName name, String section) {
      this.name = name;
      this.section = section;
    }

    @Override
    public StageName name() {
      return name;
    }

    @Override
    public List<String> configSections() {
      return List.of(section);
    }

    @Override
    public Map<String, String> externalInputs(StageContext context) {
      return external;
    }

    @Override
    public StageOutcome run(StageContext context) throws IOException {
      runs++;
      org.apache.hadoop.fs.Path part = new org.apache.hadoop.fs.Path(context.stageDir(), file);
      try (OutputStream out = context.layout().fs().create(part)) {
        out.write(new byte[] {1, 2, 3, 4});
      }
      if (proceed != null) {
        started.countDown();
        try {
          proceed.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      if (dieAfterPartialWrite) {
        throw new IllegalStateException("killed part-way");
      }
      return new StageOutcome(Map.of("rows", 1L), Map.of("runs", runs), List.of());
    }
  }

  private final FileStage ingest = new FileStage(StageName.INGEST, "ingest");
  private final FileStage teachers = new FileStage(StageName.TRAIN_TEACHERS, "run.name");

  /** A registry of the given stages (by their names), the same objects on every request. */
  static StageRegistry registry(Stage... stages) {
    Map<StageName, Supplier<Stage>> suppliers = new EnumMap<>(StageName.class);
    for (Stage stage : stages) {
      suppliers.put(stage.name(), () -> stage);
    }
    return new StageRegistry(suppliers);
  }

  /** A runner over {@code <dir>/run} that must not need Spark. */
  static DagRunner runner(Path dir, StageRegistry registry, String... overrides) throws IOException {
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, "run.root = \"" + dir.resolve("run") + "\"\n");
    RunConfig config = ConfigLoader.load(conf, List.of(overrides));
    return new DagRunner(registry, config, new RunLayout(config.run().root(), new Configuration()), NO_SPARK);
  }

  private DagRunner runner(String... overrides) throws IOException {
    return runner(dir, registry(ingest, teachers), overrides);
  }

  private List<StageName> all(DagRunner runner) {
    return runner.select(List.of(), null);
  }

  private Manifest manifest(StageName stage) {
    return new ManifestStore(new RunLayout(dir.resolve("run").toString(), new Configuration()))
        .read(stage)
        .orElseThrow();
  }

  @Test
  void runsInDependencyOrderAndSkipsWhatIsUpToDate() throws Exception {
    DagRunner runner = runner();
    List<PlannedStage> first = runner.run(all(runner), false);
    String ingestOutput = manifest(StageName.INGEST).outputId();

    List<PlannedStage> second = runner().run(all(runner), false);

    assertThat(first).extracting(PlannedStage::stage).containsExactly(StageName.INGEST, StageName.TRAIN_TEACHERS);
    assertThat(first).allMatch(PlannedStage::runs);
    assertThat(second).noneMatch(PlannedStage::runs);
    assertThat(second.get(0).reason()).startsWith("up to date");
    assertThat(ingest.runs).isEqualTo(1);
    assertThat(teachers.runs).isEqualTo(1);
    Manifest written = manifest(StageName.INGEST);
    assertThat(written.outputId()).isEqualTo(ingestOutput);
    assertThat(written.rowCounts()).containsEntry("rows", 1L);
    assertThat(written.versions()).containsKeys("spark_distill", "spark", "java");
    assertThat(manifest(StageName.TRAIN_TEACHERS).inputFingerprints()).containsEntry("ingest", ingestOutput);
  }

  @Test
  void aConfigChangeRerunsTheStageAndEverythingThatReadsIt() throws Exception {
    DagRunner runner = runner();
    runner.run(all(runner), false);

    DagRunner changed = runner("ingest.shards=5");
    List<PlannedStage> plan = changed.plan(all(changed), false);
    List<PlannedStage> done = changed.run(all(changed), false);

    assertThat(plan.get(0).reason()).contains("configuration changed");
    assertThat(plan.get(1).reason()).isEqualTo("upstream 'ingest' runs");
    assertThat(done.get(1).reason()).isEqualTo("inputs changed: [ingest]");
    assertThat(ingest.runs).isEqualTo(2);
    assertThat(teachers.runs).isEqualTo(2);
  }

  @Test
  void aChangedExternalInputRerunsTheStage() throws Exception {
    DagRunner runner = runner();
    ingest.external = Map.of("train.gz", "bytes=10");
    runner.run(List.of(StageName.INGEST), false);
    ingest.external = Map.of("train.gz", "bytes=11");

    List<PlannedStage> done = runner().run(List.of(StageName.INGEST), false);

    assertThat(done.get(0).reason()).isEqualTo("inputs changed: [external:train.gz]");
    assertThat(ingest.runs).isEqualTo(2);
  }

  @Test
  void aStageKilledPartWayLeavesNoManifestAndIsRedoneFromScratch() throws Exception {
    DagRunner runner = runner();
    runner.run(List.of(StageName.INGEST), false);
    ingest.dieAfterPartialWrite = true;

    assertThatThrownBy(() -> runner.run(List.of(StageName.INGEST), true)).hasMessage("killed part-way");
    assertThat(dir.resolve("run/ingest/_MANIFEST.json")).doesNotExist();
    assertThat(dir.resolve("run/ingest/part-0")).exists();

    ingest.dieAfterPartialWrite = false;
    List<PlannedStage> done = runner.run(List.of(StageName.INGEST), false);
    assertThat(done.get(0).reason()).contains("no complete output");
    assertThat(dir.resolve("run/ingest/_MANIFEST.json")).exists();
    assertThat(ingest.runs).isEqualTo(3);
  }

  @Test
  void forceRedoesAnUpToDateStage() throws Exception {
    DagRunner runner = runner();
    runner.run(List.of(StageName.INGEST), false);

    List<PlannedStage> done = runner.run(List.of(StageName.INGEST), true);

    assertThat(done.get(0)).isEqualTo(new PlannedStage(StageName.INGEST, true, "--force"));
    assertThat(ingest.runs).isEqualTo(2);
  }

  @Test
  void aStageWhoseUpstreamIsIncompleteIsRefusedBeforeAnyWork() throws Exception {
    DagRunner runner = runner();

    assertThatThrownBy(() -> runner.run(List.of(StageName.TRAIN_TEACHERS), false))
        .isInstanceOf(UsageError.class)
        .hasMessageContaining("'train-teachers' reads the output of 'ingest', which is not complete")
        .hasMessageContaining("run it first or add it to --stages");
    assertThat(teachers.runs).isZero();
  }

  @Test
  void selectionFollowsTheDagAndRefusesUnavailableStages() throws Exception {
    DagRunner runner = runner();

    assertThat(runner.select(List.of(StageName.TRAIN_TEACHERS, StageName.INGEST), null))
        .containsExactly(StageName.INGEST, StageName.TRAIN_TEACHERS);
    assertThat(runner.select(List.of(), StageName.TRAIN_TEACHERS)).containsExactly(StageName.TRAIN_TEACHERS);
    assertThatThrownBy(() -> runner.select(List.of(StageName.REPORT), null))
        .isInstanceOf(UsageError.class)
        .hasMessage("stage 'report' is not available in this build yet; available: [ingest, train-teachers]");
    assertThatThrownBy(() -> StageName.of("teach"))
        .isInstanceOf(UsageError.class)
        .hasMessageContaining("unknown stage 'teach'; stages are: ingest, train-teachers, soft-labels");
  }
}
