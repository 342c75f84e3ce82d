package io.sparkdistill.pipeline.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-parallel training of one run by synchronous periodic model averaging (local SGD: Stich
 * 2019; Lin et al. 2020; Deeplearning4j's ParameterAveraging), as ordinary Spark jobs: every round
 * broadcasts the model state (parameters, BatchNorm statistics, optimiser moments), each of N
 * tasks trains K local steps on its own part of the data from that state, and a weighted {@code
 * treeAggregate} averages their end states into the next round's. No barrier is needed: a failed
 * task is retried by Spark from the same broadcast and, since a worker's data and draws depend only
 * on (seed, round, worker), gives the same state. With one worker the average is the worker's own
 * state, so training equals uninterrupted single-JVM training.
 */
public final class ParameterAveraging {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterAveraging.class);

  private ParameterAveraging() {}

  /**
   * The state that travels between rounds.
   *
   * @param arrays every averaged array by name (parameters, BatchNorm statistics, optimiser state)
   * @param shapes the shape of each array
   * @param counters integer state that is the same on every worker after a round (update counts)
   * @param step steps trained so far (per worker: a round of K steps adds K)
   */
  public record State(Map<String, float[]> arrays, Map<String, long[]> shapes, Map<String, Integer> counters, int step)
      implements Serializable {}

  /**
   * One round's part for one worker.
   *
   * @param round round index from 0
   * @param firstStep the step the round starts at
   * @param steps local steps of this round (K)
   * @param worker this worker's index
   * @param workers the number of workers (N)
   */
  public record Round(int round, int firstStep, int steps, int worker, int workers) implements Serializable {}

  /**
   * A worker's end state after its K steps.
   *
   * @param state the state after the round
   * @param samples examples it trained on, the weight of its state in the average
   * @param loss the mean training loss of its steps
   */
  public record Trained(State state, long samples, double loss) implements Serializable {}

  /** Trains one worker's round; runs in a Spark task holding the JVM's training slot. */
  public interface Worker extends Serializable {
    Trained train(State start, Round round, TrainingTasks.Resources resources) throws Exception;
  }

  /** Told after every averaged round, on the driver (progress, checkpoints every M rounds). */
  @FunctionalInterface
  public interface RoundListener {
    void onRound(Round round, State averaged, double loss);
  }

  /**
   * Trains from {@code start} until {@code totalSteps} local steps per worker.
   *
   * @param localSteps K for the round that starts at a given step (e.g. 4 while warming up, 16 later)
   * @return the averaged state after the last round
   */
  public static State train(
      SparkSession spark,
      String description,
      Worker worker,
      State start,
      int workers,
      int totalSteps,
      IntUnaryOperator localSteps,
      RoundListener listener) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    SparkContext sc = spark.sparkContext();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    int cores = TrainingTasks.coresPerRun(sc);
    SerializableConfiguration hadoop = new SerializableConfiguration(sc.hadoopConfiguration());
    State state = start;
    int round = 0;
    // Rounds are numbered from the state's step, so a resumed run continues the same sequence.
    for (int s = 0; s < state.step(); round++) {
      s += Math.max(1, localSteps.applyAsInt(s));
    }
    String previous = sc.getLocalProperty(TrainingTasks.JOB_DESCRIPTION);
    try {
      while (state.step() < totalSteps) {
        int k = Math.min(Math.max(1, localSteps.applyAsInt(state.step())), totalSteps - state.step());
        List<Round> parts = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
          parts.add(new Round(round, state.step(), k, w, workers));
        }
        sc.setJobDescription(description + ": round " + round + " (steps " + state.step() + "-" + (state.step() + k) + ")");
        Broadcast<State> shared = jsc.broadcast(state);
        org.apache.spark.api.java.JavaRDD<Trained> trained =
            jsc.parallelize(parts, workers)
                .map(part -> TrainingTasks.inTask(new RoundRun(worker, shared.value(), part), cores, hadoop.value()));
        Trained sum;
        if (workers == 1) {
          // The mean of one state is that state: taken as it is, so one worker equals single-JVM training bit for bit.
          Trained only = trained.collect().get(0);
          sum = new Trained(only.state(), only.samples(), only.loss() * only.samples());
          state = new State(only.state().arrays(), only.state().shapes(), only.state().counters(), state.step() + k);
        } else {
          sum = trained.map(ParameterAveraging::weighted).treeAggregate(null, ParameterAveraging::add, ParameterAveraging::add);
          state = average(sum, state.step() + k);
        }
        shared.destroy();
        Round done = new Round(round, state.step() - k, k, 0, workers);
        double loss = sum.loss() / sum.samples();
        LOG.info("[{}] round {}: steps {}/{} on {} workers, loss {}", description, round, state.step(), totalSteps, workers,
            String.format("%.4f", loss));
        if (listener != null) {
          listener.onRound(done, state, loss);
        }
        round++;
      }
    } finally {
      sc.setJobDescription(previous);
    }
    return state;
  }

  /** A worker's state multiplied by its weight, and its loss summed, ready to be added. */
  private static Trained weighted(Trained t) {
    Map<String, float[]> arrays = new LinkedHashMap<>();
    t.state().arrays().forEach((name, values) -> {
      float[] scaled = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        scaled[i] = values[i] * t.samples();
      }
      arrays.put(name, scaled);
    });
    State s = t.state();
    return new Trained(new State(arrays, s.shapes(), s.counters(), s.step()), t.samples(), t.loss() * t.samples());
  }

  private static Trained add(Trained a, Trained b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    if (!a.state().arrays().keySet().equals(b.state().arrays().keySet())) {
      throw new IllegalStateException(
          "workers returned different state arrays: " + a.state().arrays().keySet() + " vs " + b.state().arrays().keySet());
    }
    Map<String, float[]> arrays = new LinkedHashMap<>();
    a.state().arrays().forEach((name, x) -> {
      float[] y = b.state().arrays().get(name);
      float[] z = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        z[i] = x[i] + y[i];
      }
      arrays.put(name, z);
    });
    State s = a.state();
    return new Trained(new State(arrays, s.shapes(), s.counters(), s.step()), a.samples() + b.samples(), a.loss() + b.loss());
  }

  private static State average(Trained sum, int step) {
    Map<String, float[]> arrays = new LinkedHashMap<>();
    double samples = sum.samples();
    sum.state().arrays().forEach((name, x) -> {
      float[] mean = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        mean[i] = (float) (x[i] / samples);
      }
      arrays.put(name, mean);
    });
    return new State(arrays, sum.state().shapes(), sum.state().counters(), step);
  }

  /** A worker's round as a {@link TrainingTasks.Run}. */
  private record RoundRun(Worker worker, State start, Round round) implements TrainingTasks.Run<Trained> {
    @Override
    public String id() {
      return "round " + round.round() + " worker " + round.worker() + "/" + round.workers();
    }

    @Override
    public Trained train(TrainingTasks.Resources resources) throws Exception {
      return worker.train(start, round, resources);
    }
  }
}
