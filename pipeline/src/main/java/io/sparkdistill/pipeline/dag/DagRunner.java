package io.sparkdistill.pipeline.dag;

import io.sparkdistill.pipeline.config.RunConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs selected stages in dependency order. Every stage is created and validated before the first
 * one runs, so a bad plan fails in a second; a stage whose manifest matches its configuration and
 * inputs, and whose files are those its manifest lists ({@link OutputCheck}), is skipped unless
 * forced. A run holds the root's {@link RunLock} from before its first stage to its end.
 */
public final class DagRunner {
  private static final Logger LOG = LoggerFactory.getLogger(DagRunner.class);

  private final StageRegistry registry;
  private final RunConfig config;
  private final RunLayout layout;
  private final ManifestStore manifests;
  private final Supplier<SparkSession> spark;

  public DagRunner(
      StageRegistry registry, RunConfig config, RunLayout layout, Supplier<SparkSession> spark) {
    this.registry = registry;
    this.config = config;
    this.layout = layout;
    this.manifests = new ManifestStore(layout);
    this.spark = spark;
  }

  /**
   * The stages to run: {@code only} in DAG order if given, else {@code from} and every available
   * stage downstream of it if given, else every available stage.
   */
  public List<StageName> select(List<StageName> only, StageName from) {
    if (!only.isEmpty() && from != null) {
      throw new UsageError("use either --stages or --from, not both");
    }
    if (from != null) {
      registry.create(from, config); // an unavailable start stage is an error, not an empty plan
    }
    List<StageName> selected = new ArrayList<>();
    for (StageName stage : StageName.values()) {
      if (!only.isEmpty() ? only.contains(stage)
          : from != null ? from.withDescendants().contains(stage) && registry.available().contains(stage)
          : registry.available().contains(stage)) {
        registry.create(stage, config); // fails with the list of available stages
        selected.add(stage);
      }
    }
    return selected;
  }

  /** Decides, without running anything, which selected stages would run and why. */
  public List<PlannedStage> plan(List<StageName> selected, boolean force) {
    Map<StageName, Stage> stages = validated(selected);
    List<PlannedStage> plan = new ArrayList<>();
    List<StageName> running = new ArrayList<>();
    for (StageName name : selected) {
      Optional<StageName> upstreamRunning =
          name.dependsOn().stream().filter(running::contains).findFirst();
      PlannedStage planned =
          upstreamRunning.isPresent()
              ? new PlannedStage(name, true, "upstream '" + upstreamRunning.get() + "' runs")
              : decide(stages.get(name), force);
      if (planned.runs()) {
        running.add(name);
      }
      plan.add(planned);
    }
    return plan;
  }

  /**
   * Runs the selected stages, skipping those that are up to date; returns what was done.
   *
   * @throws RunLockedException when another run holds the root (nothing is touched)
   * @throws DamagedOutputException when a stage reads a damaged output of a stage not selected
   */
  public List<PlannedStage> run(List<StageName> selected, boolean force) throws Exception {
    try (RunLock lock =
        RunLock.acquire(
            layout, config.run().name(), selected, config.run().lockTimeout(), Clock.systemUTC(),
            DagRunner::applicationId)) {
      Map<StageName, Stage> stages = validated(selected);
      List<PlannedStage> done = new ArrayList<>();
      for (StageName name : selected) {
        lock.assertHeld();
        PlannedStage decision = decide(stages.get(name), force);
        if (!decision.runs()) {
          LOG.info("[{}] skipped: {} ({})", name, decision.reason(), layout.stageDir(name));
        } else {
          LOG.info("[{}] running: {}", name, decision.reason());
          execute(stages.get(name), lock);
        }
        done.add(decision);
      }
      return done;
    }
  }

  /** Checks every stage's recorded files against its folder; reads only, takes no lock. */
  public List<OutputCheck.Result> verify() {
    List<OutputCheck.Result> results = new ArrayList<>();
    for (StageName stage : StageName.values()) {
      results.add(OutputCheck.check(layout, stage, manifests));
    }
    return results;
  }

  private Map<StageName, Stage> validated(List<StageName> selected) {
    Map<StageName, Stage> stages = new LinkedHashMap<>();
    Map<StageName, OutputCheck.Result> checked = new java.util.EnumMap<>(StageName.class);
    for (StageName name : selected) {
      for (StageName upstream : name.dependsOn()) {
        if (selected.contains(upstream)) {
          continue;
        }
        OutputCheck.Result check = checked.get(upstream);
        if (check == null) {
          check = OutputCheck.check(layout, upstream, manifests);
          checked.put(upstream, check);
          if (check.complete() && !check.verifiable()) {
            LOG.warn("[{}] reads '{}', whose manifest (format {}) lists no files: its output cannot be verified",
                name, upstream, check.manifest().formatVersion());
          }
        }
        if (!check.complete()) {
          throw new UsageError(
              "stage '" + name + "' reads the output of '" + upstream + "', which is not complete"
                  + " under " + layout.stageDir(upstream) + " (no " + RunLayout.MANIFEST
                  + "); run it first or add it to --stages");
        }
        if (check.damaged()) {
          throw new DamagedOutputException(check, name);
        }
      }
      Stage stage = registry.create(name, config);
      stage.validate(context(name));
      stages.put(name, stage);
    }
    return stages;
  }

  private PlannedStage decide(Stage stage, boolean force) {
    StageName name = stage.name();
    Optional<Manifest> existing = manifests.read(name);
    if (force) {
      return new PlannedStage(name, true, "--force");
    }
    if (existing.isEmpty()) {
      return new PlannedStage(name, true, "no complete output (no " + RunLayout.MANIFEST + ")");
    }
    Manifest manifest = existing.get();
    String fingerprint = config.fingerprint(stage.configSections());
    if (!manifest.configFingerprint().equals(fingerprint)) {
      return new PlannedStage(name, true, "configuration changed (" + stage.configSections() + ")");
    }
    Map<String, String> inputs = inputFingerprints(stage);
    if (!manifest.matches(fingerprint, inputs)) {
      return new PlannedStage(
          name, true,
          manifest.formatVersion() > Manifest.FORMAT_VERSION
              ? "manifest format " + manifest.formatVersion() + " is newer than this build's " + Manifest.FORMAT_VERSION
              : "inputs changed: " + changedKeys(manifest.inputFingerprints(), inputs));
    }
    if (!manifest.listsFiles()) {
      return new PlannedStage(
          name, false,
          "up to date (finished " + manifest.finishedAt() + "; manifest format " + manifest.formatVersion()
              + " lists no files, not verifiable: --force to redo and record them)");
    }
    OutputCheck.Result check = OutputCheck.check(layout, name, manifests);
    if (check.damaged()) {
      return new PlannedStage(name, true, "incomplete because " + check.summary());
    }
    return new PlannedStage(name, false, "up to date (finished " + manifest.finishedAt() + ")");
  }

  private Map<String, String> inputFingerprints(Stage stage) {
    Map<String, String> inputs = new TreeMap<>();
    for (StageName upstream : stage.name().dependsOn()) {
      inputs.put(upstream.id(), manifests.read(upstream).map(Manifest::outputId).orElse("missing"));
    }
    stage.externalInputs(context(stage.name())).forEach((key, value) -> inputs.put("external:" + key, value));
    return inputs;
  }

  private static List<String> changedKeys(Map<String, String> before, Map<String, String> now) {
    java.util.SortedSet<String> keys = new java.util.TreeSet<>(before.keySet());
    keys.addAll(now.keySet());
    List<String> changed = new ArrayList<>();
    for (String key : keys) {
      if (!java.util.Objects.equals(before.get(key), now.get(key))) {
        changed.add(key);
      }
    }
    return changed;
  }

  private void execute(Stage stage, RunLock lock) throws Exception {
    StageName name = stage.name();
    StageContext context = context(name);
    manifests.clear(name);
    Map<String, String> inputs = inputFingerprints(stage);
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    StageOutcome outcome;
    try {
      outcome = stage.run(context);
    } finally {
      context.finish();
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    lock.assertHeld(); // a run that lost its lease must not vouch for files another run may be writing
    Manifest manifest =
        new Manifest(
            Manifest.FORMAT_VERSION,
            name.id(),
            config.run().name(),
            UUID.randomUUID().toString(),
            config.fingerprint(stage.configSections()),
            inputs,
            outcome.rowCounts(),
            outcome.metrics(),
            outcome.warnings(),
            started.toString(),
            Instant.now().toString(),
            wall,
            Versions.current(),
            OutputCheck.list(layout, name));
    manifests.write(manifest);
    for (String warning : outcome.warnings()) {
      LOG.warn("[{}] {}", name, warning);
    }
    LOG.info(
        "[{}] done in {}: {} -> {}",
        name,
        Duration.ofMillis((long) (wall * 1000)),
        new TreeMap<>(outcome.rowCounts()),
        layout.stageDir(name));
  }

  /** The Spark application id, for the run lock, once a session exists; never starts one. */
  private static String applicationId() {
    try {
      scala.Option<SparkSession> session = SparkSession.getDefaultSession();
      return session.isDefined() ? session.get().sparkContext().applicationId() : null;
    } catch (RuntimeException e) {
      return null; // a session being stopped
    }
  }

  private StageContext context(StageName name) {
    return new StageContext(config, layout, manifests, spark, name);
  }
}
