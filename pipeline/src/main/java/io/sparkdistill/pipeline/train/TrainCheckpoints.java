package io.sparkdistill.pipeline.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.optimizer.Optimizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Checkpoints of one training run in a local folder, so that a killed run resumes to the same
 * curve: {@code step-<n>/} holds the block's parameters ({@code parameters.bin}, DJL's own format),
 * the optimiser state ({@code optimizer.bin}, see {@link OptimizerState}) and the progress ({@code
 * progress.json}: next step, samples seen, training seconds and the metrics of every step so far).
 *
 * <p>Each checkpoint is written to a hidden temporary folder and renamed into place, so {@link
 * #latest()} never sees a half-written one; older checkpoints are deleted after a new one lands.
 */
public final class TrainCheckpoints {
  private static final String PREFIX = "step-";
  private static final ObjectMapper JSON =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  private final Path dir;

  /** Checkpoints kept in {@code dir} (created when the first one is saved). */
  public TrainCheckpoints(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /**
   * What a checkpoint restores.
   *
   * @param folder the checkpoint folder
   * @param nextStep the first step still to train
   * @param samplesSeen examples consumed before {@code nextStep}
   * @param trainSeconds training time before {@code nextStep}, without evaluations
   * @param steps metrics of steps {@code 0 .. nextStep-1}
   */
  public record Saved(Path folder, int nextStep, long samplesSeen, double trainSeconds, List<StepMetrics> steps) {}

  /** Progress as stored in {@code progress.json}. */
  record Progress(int nextStep, long samplesSeen, double trainSeconds, List<StepRecord> steps) {}

  /** One step's metrics as stored in {@code progress.json}. */
  record StepRecord(int step, long samplesSeen, double wallSeconds, double learningRate,
      Map<String, Double> losses, Double testAccuracy, Double testPerplexity) {}

  /** Writes a checkpoint taken after step {@code nextStep - 1}. */
  public void save(Block block, Optimizer optimizer, int nextStep, long samplesSeen, double trainSeconds,
      List<StepMetrics> steps) {
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
      Files.createDirectories(tmp);
      try (DataOutputStream out = data(tmp.resolve("parameters.bin"))) {
        block.saveParameters(out);
      }
      try (DataOutputStream out = data(tmp.resolve("optimizer.bin"))) {
        writeOptimizer(OptimizerState.export(optimizer, block), out);
      }
      List<StepRecord> records = new ArrayList<>(steps.size());
      for (StepMetrics m : steps) {
        records.add(new StepRecord(m.step(), m.samplesSeen(), m.wallSeconds(), m.learningRate(), m.losses(),
            boxed(m.testAccuracy()), boxed(m.testPerplexity())));
      }
      JSON.writeValue(tmp.resolve("progress.json").toFile(), new Progress(nextStep, samplesSeen, trainSeconds, records));
      Path target = dir.resolve(String.format("%s%09d", PREFIX, nextStep));
      deleteTree(target);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      for (Path old : checkpoints()) {
        if (!old.equals(target)) {
          deleteTree(old);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a checkpoint under " + dir, e);
    }
  }

  /** The newest complete checkpoint, if any. */
  public Optional<Saved> latest() {
    try {
      List<Path> all = checkpoints();
      if (all.isEmpty()) {
        return Optional.empty();
      }
      Path folder = all.get(all.size() - 1);
      Progress p = JSON.readValue(folder.resolve("progress.json").toFile(), Progress.class);
      List<StepMetrics> steps = new ArrayList<>(p.steps().size());
      for (StepRecord r : p.steps()) {
        steps.add(new StepMetrics(r.step(), r.samplesSeen(), r.wallSeconds(), r.learningRate(), r.losses(),
            optional(r.testAccuracy()), optional(r.testPerplexity())));
      }
      return Optional.of(new Saved(folder, p.nextStep(), p.samplesSeen(), p.trainSeconds(), steps));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoints under " + dir, e);
    }
  }

  /** Loads a checkpoint's parameters into {@code block}, an initialised block of the same spec. */
  public static void restoreParameters(Saved saved, Block block, NDManager manager) {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
        Files.newInputStream(saved.folder().resolve("parameters.bin"))))) {
      block.loadParameters(manager, in);
    } catch (IOException | MalformedModelException e) {
      throw new IllegalStateException("cannot load the parameters of checkpoint " + saved.folder() + ": " + e, e);
    }
  }

  /** Loads a checkpoint's optimiser state into a fresh {@code optimizer} training {@code block}. */
  public static void restoreOptimizer(Saved saved, Block block, Optimizer optimizer, NDManager manager) {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
        Files.newInputStream(saved.folder().resolve("optimizer.bin"))))) {
      OptimizerState.restore(optimizer, block, readOptimizer(in), manager);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the optimiser state of checkpoint " + saved.folder(), e);
    }
  }

  /** Deletes every checkpoint (after the run's results are safely written). */
  public void clear() {
    try {
      deleteTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  private List<Path> checkpoints() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isRegularFile(p.resolve("progress.json")))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
  }

  /** An optional metric as stored in {@code progress.json}: null when absent. */
  private static Double boxed(OptionalDouble value) {
    return value.isPresent() ? value.getAsDouble() : null;
  }

  /** A metric read from {@code progress.json}; a checkpoint written before the field existed has null. */
  private static OptionalDouble optional(Double value) {
    return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
  }

  private static DataOutputStream data(Path file) throws IOException {
    return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)));
  }

  private static void writeOptimizer(OptimizerState.Snapshot s, DataOutputStream out) throws IOException {
    out.writeInt(1); // format version
    out.writeInt(s.numUpdate());
    out.writeInt(s.counts().size());
    for (Map.Entry<String, Integer> e : s.counts().entrySet()) {
      out.writeUTF(e.getKey());
      out.writeInt(e.getValue());
    }
    out.writeInt(s.arrays().size());
    for (Map.Entry<String, float[]> e : s.arrays().entrySet()) {
      out.writeUTF(e.getKey());
      long[] shape = s.shapes().get(e.getKey());
      out.writeInt(shape.length);
      for (long d : shape) {
        out.writeLong(d);
      }
      out.writeInt(e.getValue().length);
      for (float v : e.getValue()) {
        out.writeFloat(v);
      }
    }
  }

  private static OptimizerState.Snapshot readOptimizer(DataInputStream in) throws IOException {
    int version = in.readInt();
    if (version != 1) {
      throw new IOException("optimizer.bin format version " + version + ", expected 1");
    }
    int numUpdate = in.readInt();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = in.readInt(); i > 0; i--) {
      counts.put(in.readUTF(), in.readInt());
    }
    Map<String, float[]> arrays = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (int i = in.readInt(); i > 0; i--) {
      String key = in.readUTF();
      long[] shape = new long[in.readInt()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = in.readLong();
      }
      float[] values = new float[in.readInt()];
      for (int v = 0; v < values.length; v++) {
        values[v] = in.readFloat();
      }
      arrays.put(key, values);
      shapes.put(key, shape);
    }
    return new OptimizerState.Snapshot(counts, numUpdate, arrays, shapes);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
