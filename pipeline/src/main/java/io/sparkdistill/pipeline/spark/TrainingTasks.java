package io.sparkdistill.pipeline.spark;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Independent training runs (teachers; the (variant, budget, seed) matrix of students) as the
 * tasks of one Spark job: one task per run, and at most one training run per executor JVM at a
 * time, because DJL allows one active gradient collector per JVM. Each run streams its own data
 * and writes its model, curve and checkpoints under the run root; only its small result returns
 * to the driver.
 *
 * <p>Off local mode the job carries a stage-level {@link ResourceProfile} whose task CPUs equal an
 * executor's cores (and one GPU per task when executors have GPUs), so the scheduler spreads the
 * runs one per executor, as XGBoost4J-Spark does for its training tasks. In local mode (one JVM)
 * and wherever a profile cannot apply, a JVM-wide training slot makes concurrent runs of one JVM
 * wait for each other, so the result is the same, only less parallel. A failed task is retried by
 * Spark ({@code spark.task.maxFailures}); a retried run resumes from its checkpoints.
 */
public final class TrainingTasks {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingTasks.class);
  /** One training run per JVM at a time (DJL's gradient collector is a per-JVM singleton). */
  private static final ReentrantLock SLOT = new ReentrantLock(true);
  /** The local property behind {@code SparkContext.setJobDescription}. */
  public static final String JOB_DESCRIPTION = "spark.job.description";
  /** The local property behind {@code SparkContext.setJobGroup}. */
  public static final String JOB_GROUP = "spark.jobGroup.id";

  private TrainingTasks() {}

  /**
   * One training run, shipped to an executor.
   *
   * @param <R> its result: small (a curve, a row), returned to the driver
   */
  public interface Run<R extends Serializable> extends Serializable {
    /** Names the run in logs and errors, e.g. {@code kd-best.b1.s2}. */
    String id();

    /** Trains; called inside a Spark task that holds the JVM's training slot. */
    R train(Resources resources) throws Exception;
  }

  /**
   * What a run gets from its task.
   *
   * @param device the GPU Spark gave the task, else the CPU
   * @param cores the CPU cores the run may use (PyTorch's intra-op threads are set to it)
   * @param hadoop the job's Hadoop configuration ({@code spark.hadoop.*} included), for every
   *     reader and writer the run opens
   */
  public record Resources(Device device, int cores, Configuration hadoop) {}

  /**
   * Runs every run as a task of one job and returns their results in the order of {@code runs}.
   *
   * @param description the job's description in the Spark UI (e.g. {@code train-students})
   * @throws RuntimeException when a run failed after Spark's retries, naming it
   */
  public static <R extends Serializable> List<R> run(
      SparkSession spark, String description, List<? extends Run<R>> runs) {
    if (runs.isEmpty()) {
      return List.of();
    }
    SparkContext sc = spark.sparkContext();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    int cores = coresPerRun(sc);
    SerializableConfiguration hadoop = new SerializableConfiguration(sc.hadoopConfiguration());
    List<Tuple2<Integer, Run<R>>> indexed = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      indexed.add(new Tuple2<>(i, runs.get(i)));
    }
    JavaRDD<Tuple2<Integer, R>> tasks =
        jsc.parallelize(indexed, runs.size())
            .map(run -> new Tuple2<>(run._1(), inTask(run._2(), cores, hadoop.value())));
    ResourceProfile profile = profile(sc, cores);
    if (profile != null) {
      tasks = tasks.withResources(profile);
    }
    String label = description + ": " + runs.size() + " training runs";
    AtomicInteger done = new AtomicInteger();
    Set<Integer> stages = ConcurrentHashMap.newKeySet();
    // Listener events arrive on Spark's bus thread, which does not see this thread's job
    // description: the job is recognised by its properties when it starts, its tasks by stage id.
    SparkListener progress =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            if (label.equals(start.properties().getProperty(TrainingTasks.JOB_DESCRIPTION))) {
              start.stageIds().foreach(id -> stages.add((Integer) id));
            }
          }

          @Override
          public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskInfo().successful() && stages.contains(end.stageId())) {
              LOG.info("[{}] {}/{} runs finished", description, done.incrementAndGet(), runs.size());
            }
          }
        };
    String previous = sc.getLocalProperty(TrainingTasks.JOB_DESCRIPTION);
    sc.setJobDescription(label);
    sc.addSparkListener(progress);
    try {
      List<Tuple2<Integer, R>> results = new ArrayList<>(tasks.collect());
      results.sort(Comparator.comparing(Tuple2::_1));
      return results.stream().map(Tuple2::_2).toList();
    } finally {
      sc.removeSparkListener(progress);
      sc.setJobDescription(previous);
    }
  }

  /** Runs one run in the current task, holding this JVM's training slot. */
  static <R extends Serializable> R inTask(Run<R> run, int cores, Configuration hadoop) throws Exception {
    TaskContext task = TaskContext.get();
    SLOT.lockInterruptibly();
    try {
      Device device = ModelCache.taskDevice(task);
      ModelCache.sizeThreads(task);
      // The engine's thread count is process-wide; a training run owns the JVM while it holds the slot.
      Engine.getEngine("PyTorch");
      JniUtils.setNumThreads(cores);
      long begin = System.nanoTime();
      LOG.info("training run {} on {} with {} cores (task attempt {})", run.id(), device, cores,
          task == null ? 0 : task.attemptNumber());
      R result = run.train(new Resources(device, cores, hadoop));
      LOG.info("training run {} finished in {} s", run.id(), String.format("%.1f", (System.nanoTime() - begin) / 1e9));
      return result;
    } catch (Exception | Error e) {
      throw new IllegalStateException("training run " + run.id() + " failed: " + e.getMessage(), e);
    } finally {
      SLOT.unlock();
    }
  }

  /**
   * Cores a run may use: every core of the local JVM in local mode; otherwise an executor's
   * cores ({@code spark.executor.cores}, or the cluster's cores over its executors).
   */
  static int coresPerRun(SparkContext sc) {
    if (sc.isLocal()) {
      return Math.max(1, sc.defaultParallelism());
    }
    if (sc.conf().contains("spark.executor.cores")) {
      return sc.conf().getInt("spark.executor.cores", 1);
    }
    int executors = Math.max(1, sc.statusTracker().getExecutorInfos().length - 1);
    return Math.max(1, sc.defaultParallelism() / executors);
  }

  /**
   * The stage-level profile that places one run per executor, or null where none applies (local
   * mode; a cluster manager that refuses task profiles is told in the log and falls back on the
   * training slot).
   */
  private static ResourceProfile profile(SparkContext sc, int cores) {
    if (sc.isLocal()) {
      return null;
    }
    TaskResourceRequests task = new TaskResourceRequests().cpus(cores);
    if (sc.conf().contains("spark.executor.resource.gpu.amount")) {
      task = task.resource("gpu", 1.0);
    }
    try {
      return new ResourceProfileBuilder().require(task).build();
    } catch (RuntimeException e) {
      LOG.warn("no stage-level resource profile for training runs ({}); runs of one executor wait for each other",
          e.getMessage());
      return null;
    }
  }
}
