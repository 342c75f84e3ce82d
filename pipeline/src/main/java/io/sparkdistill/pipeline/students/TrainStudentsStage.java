package io.sparkdistill.pipeline.students;

import io.sparkdistill.pipeline.models.NetworkCheck;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.config.StudentSettings;
import io.sparkdistill.pipeline.config.VariantSettings;
import io.sparkdistill.pipeline.dag.Manifest;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.distill.KdLoss;
import io.sparkdistill.pipeline.distill.SoftTargets;
import io.sparkdistill.pipeline.config.TeacherPolicy;
import io.sparkdistill.pipeline.softlabels.SoftLabelStage;
import io.sparkdistill.pipeline.task.StudentRun;
import io.sparkdistill.pipeline.task.StudentTraining;
import io.sparkdistill.pipeline.task.Task;
import io.sparkdistill.pipeline.teachers.TrainingCurveTable;
import io.sparkdistill.pipeline.train.StepListener;
import io.sparkdistill.pipeline.train.StepMetrics;
import io.sparkdistill.pipeline.train.TrainCheckpoints;
import io.sparkdistill.pipeline.train.TrainResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains every (variant, budget, seed) of the {@code students} section on the stored train views
 * and writes under {@code train-students/}: {@code runs/} ({@link StudentRunTable}), {@code steps/}
 * ({@link StudentCurveTable}) and {@code models/<run id>/} ({@code model.json} + a DJL checkpoint),
 * which the evaluate stage scores like a teacher.
 *
 * <p>One stage serves both tasks. What differs sits behind the task's {@link StudentTraining}
 * (images: rendered image views, {@code TrainLoop}; text: masked sequence views, {@code
 * MlmTrainLoop}, held-out accuracy and perplexity). The plan matrix, validation, checkpoints and their resume, the tables and the
 * manifest are the same for both.
 *
 * <p>Every run replays the same stored views (view 0 and the sampled crops or maskings the
 * teachers saw), so the baseline and the distilled students differ only in their loss. Each budget
 * is a run of its own with its own complete schedule. Runs are trained one after another on the
 * driver (DJL allows one gradient collector per JVM); the train views must fit in its memory.
 *
 * <p>Each run checkpoints every {@code students.checkpoint-every} steps and at its end into
 * {@code <run.root>/_checkpoints/train-students/<key>/<run id>/} (on the run root's file system, so a
 * stage killed on one host resumes on another), where {@code key} hashes this stage's configuration
 * and inputs. The runner deletes this stage's output folder before a re-run, not the checkpoints:
 * a killed stage re-run resumes every run where it stopped, finished runs without training. The
 * checkpoints are deleted once the stage's tables are written.
 */
public final class TrainStudentsStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(TrainStudentsStage.class);
  static final String MODELS = "models";

  /**
   * Spark setting for kill-and-resume tests: {@code <run id>@<step>} makes the stage die right
   * after that step of that run (after its checkpoint, if one falls there), as a killed driver would.
   */
  public static final String KILL_CONF = "spark.distill.faults.kill-student";

  /**
   * Spark setting for straggler tests: {@code <run id>@<milliseconds>} makes every step of that run
   * sleep that long inside its timing, as a busy node would slow it.
   */
  public static final String SLOW_CONF = "spark.distill.faults.slow-student";
  private static final String CHECKPOINTS = "_checkpoints";
  private static final int WARM_UP_STEPS = 200;

  private final Task task;

  public TrainStudentsStage(Task task) {
    this.task = task;
  }

  @Override
  public StageName name() {
    return StageName.TRAIN_STUDENTS;
  }

  @Override
  public List<String> configSections() {
    return List.of("students");
  }

  @Override
  public void validate(StageContext context) {
    RunConfig config = context.config();
    StudentSettings students = config.students();
    NetworkCheck.check(students.network());
    if (students.variants().isEmpty()) {
      throw new ConfigError(
          "train-students: no variants declared; add e.g. students.variants { baseline { policy = none } }");
    }
    long baselines = students.variants().stream().filter(v -> v.policy() == TeacherPolicy.NONE).count();
    if (baselines == 0) {
      throw new ConfigError(
          "students.variants: no variant with policy = none; the report measures every variant against"
              + " such a baseline");
    }
    List<String> softLabelled = SoftLabelStage.teachers(config);
    for (VariantSettings variant : students.variants()) {
      for (String teacher : variant.teachers()) {
        if (variant.policy() != TeacherPolicy.ONLINE && !softLabelled.contains(teacher)) {
          throw new ConfigError(
              "students.variants." + variant.name() + ".teachers: teacher '" + teacher
                  + "' has no soft labels (soft-labels.teachers is " + softLabelled + ")");
        }
      }
    }
    // students.architecture against dataset.format is checked when the configuration loads.
    task.checkStudents(config);
  }

  @Override
  public StageOutcome run(StageContext context) throws IOException {
    SparkSession spark = context.spark();
    StudentSettings settings = context.config().students();
    Path checkpointRoot = checkpointRoot(context);
    FileSystem checkpointFs = context.layout().fs();
    List<Row> runRows = new ArrayList<>();
    List<Row> stepRows = new ArrayList<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    String kill = spark.conf().get(KILL_CONF, "");
    String slow = spark.conf().get(SLOW_CONF, "");
    List<StudentRun> plans;
    long examples;
    int trainViews;
    context.describe("load training data");
    try (StudentTraining trainer = task.studentTraining(context)) {
      examples = trainer.examples();
      trainViews = trainer.trainViews();
      plans = plans(settings, examples);
      long t0 = System.nanoTime();
      trainer.warmUp(WARM_UP_STEPS);
      LOG.info("[train-students] warm-up ({} untimed steps) in {}s", WARM_UP_STEPS, secondsSince(t0));
      for (int i = 0; i < plans.size(); i++) {
        StudentRun plan = plans.get(i);
        context.describe(plan.runId());
        String label =
            String.format(Locale.ROOT, "[train-students] %s (run %d/%d)", plan.runId(), i + 1, plans.size());
        List<StepListener> listeners = new ArrayList<>();
        listeners.add(StepListener.logging(label, Math.max(1, plan.steps() / 10)));
        if (kill.startsWith(plan.runId() + "@")) {
          int killStep = Integer.parseInt(kill.substring(kill.indexOf('@') + 1));
          listeners.add((m, total) -> {
            if (m.step() == killStep) {
              throw new IllegalStateException("injected kill of " + plan.runId() + " after step " + killStep + " (test)");
            }
          });
        }
        if (slow.startsWith(plan.runId() + "@")) {
          listeners.add(sleepingBeforeEachStep(Long.parseLong(slow.substring(slow.indexOf('@') + 1))));
        }
        TrainResult result =
            trainer.train(
                plan, new TrainCheckpoints(checkpointFs, new Path(checkpointRoot, plan.runId())), listeners,
                new Path(context.stageDir(), MODELS + "/" + plan.runId()));
        runRows.add(runRow(plan, settings, trainer.teachers(plan.variant()), result));
        for (Row step : TrainingCurveTable.rows(result.steps())) {
          Object[] values = new Object[4 + step.size()];
          values[0] = plan.runId();
          values[1] = plan.variant().name();
          values[2] = plan.budget();
          values[3] = plan.seed();
          for (int k = 0; k < step.size(); k++) {
            values[4 + k] = step.get(k);
          }
          stepRows.add(RowFactory.create(values));
        }
        metrics.put("final_accuracy." + plan.runId(), result.finalTestAccuracy().orElseThrow());
        StepMetrics last = result.last();
        last.testPerplexity().ifPresent(p -> metrics.put("final_perplexity." + plan.runId(), p));
        metrics.put("samples_per_second." + plan.runId(), last.samplesSeen() / Math.max(1e-9, result.wallSeconds()));
      }
    }

    context.describe("write runs and curves");
    String runsPath = context.writeTable(StudentRunTable.TABLE, runRows, StudentRunTable.SCHEMA);
    String stepsPath = context.writeTable(StudentCurveTable.TABLE, stepRows, StudentCurveTable.SCHEMA);
    long runCount = spark.read().parquet(runsPath).count();
    long stepCount = spark.read().parquet(stepsPath).count();
    long expectedSteps = plans.stream().mapToLong(StudentRun::steps).sum();
    if (runCount != plans.size() || stepCount != expectedSteps) {
      throw new IllegalStateException(
          "train-students wrote " + runCount + " runs and " + stepCount + " steps, expected " + plans.size()
              + " and " + expectedSteps);
    }
    new TrainCheckpoints(checkpointFs, checkpointRoot).clear();
    metrics.put("schema.runs", StudentRunTable.VERSION);
    metrics.put("schema.steps", StudentCurveTable.VERSION);
    metrics.put("train_views", (long) trainViews);
    metrics.put("full_budget_steps", settings.fullSteps(examples));
    return new StageOutcome(Map.of("runs", runCount, "steps", stepCount), metrics, List.of());
  }

  /** The {@link #SLOW_CONF} hook: sleeps {@code millis} before each step, inside its timing. */
  private static StepListener sleepingBeforeEachStep(long millis) {
    return new StepListener() {
      @Override
      public void onStep(StepMetrics metrics, int totalSteps) {}

      @Override
      public void beforeStep(int step, int totalSteps) {
        try {
          Thread.sleep(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted in an injected slow step (test)", e);
        }
      }
    };
  }

  /** Seconds since {@code t0} ({@link System#nanoTime}), to one decimal, for the log. */
  public static String secondsSince(long t0) {
    return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Every (variant, budget, seed): seeds, then budgets, then variants in name order. Interleaving
   * the variants spreads any drift of the machine's speed over the run (JIT warm-up, other load)
   * across all of them, instead of charging it to whichever variant comes first.
   */
  static List<StudentRun> plans(StudentSettings settings, long examples) {
    List<StudentRun> plans = new ArrayList<>();
    for (long seed : settings.seeds()) {
      for (double budget : settings.budgets()) {
        int steps = settings.steps(examples, budget);
        for (VariantSettings variant : settings.variants()) {
          plans.add(new StudentRun(runId(variant.name(), budget, seed), variant, budget, seed, steps, variant.stopStep(steps)));
        }
      }
    }
    return plans;
  }

  /** {@code <variant>.b<budget>.s<seed>}, e.g. {@code kd-best.b0.25.s1}. */
  static String runId(String variant, double budget, long seed) {
    return variant + ".b" + java.math.BigDecimal.valueOf(budget).stripTrailingZeros().toPlainString() + ".s" + seed;
  }

  private static Row runRow(StudentRun plan, StudentSettings settings, List<String> teachers, TrainResult result) {
    VariantSettings v = plan.variant();
    StepMetrics last = result.last();
    return RowFactory.create(
        plan.runId(),
        v.name(),
        v.policy().name().toLowerCase(Locale.ROOT),
        scala.jdk.javaapi.CollectionConverters.asScala(teachers).toSeq(),
        plan.budget(),
        plan.seed(),
        plan.steps(),
        v.distils() ? plan.stopStep() : 0,
        settings.batchSize(),
        last.samplesSeen(),
        result.wallSeconds(),
        result.finalTestAccuracy().orElseThrow(),
        MODELS + "/" + plan.runId());
  }

  /**
   * Where this configuration's checkpoints live: keyed by the stage's configuration and the ids of
   * the upstream outputs it reads, so a changed configuration or input never resumes a stale run.
   */
  private static Path checkpointRoot(StageContext context) {
    StringBuilder key = new StringBuilder(context.config().fingerprint(List.of("students")));
    for (StageName upstream : StageName.TRAIN_STUDENTS.dependsOn()) {
      key.append('|').append(context.manifests().read(upstream).map(Manifest::outputId).orElse("-"));
    }
    String hash = RunConfig.sha256(key.toString()).substring(0, 16);
    return new Path(context.layout().root(), CHECKPOINTS + "/" + StageName.TRAIN_STUDENTS.id() + "/" + hash);
  }

}
