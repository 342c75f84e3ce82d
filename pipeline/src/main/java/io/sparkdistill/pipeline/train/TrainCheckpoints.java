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
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;

/**
 * Checkpoints of one training run in a folder of any Hadoop file system (under the run root, so
 * that a run killed on one host resumes on another), so that a killed run resumes to the same
 * curve: {@code step-<n>/} holds the block's parameters ({@code parameters.bin}, DJL's own format),
 * the optimiser state ({@code optimizer.bin}, see {@link OptimizerState}) and the progress ({@code
 * progress.json}: next step, samples seen, training seconds and the metrics of every step so far).
 *
 * <p>Each checkpoint is written to a hidden temporary folder, renamed into place and then marked
 * complete with a {@code _COMMITTED} file, so {@link #latest()} never takes a half-written one, even
 * on object stores whose rename copies file by file; older checkpoints are deleted after a new one
 * lands.
 */
public final class TrainCheckpoints {
  private static final String PREFIX = "step-";
  private static final ObjectMapper JSON =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  private static final String COMMITTED = "_COMMITTED";

  private final FileSystem fs;
  private final Path dir;

  /** Checkpoints kept in {@code dir} of {@code fs} (created when the first one is saved). */
  public TrainCheckpoints(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = fs.makeQualified(dir);
  }

  /** Checkpoints kept in a local folder. */
  public TrainCheckpoints(java.nio.file.Path dir) {
    this(local(), new Path(dir.toUri()));
  }

  private static FileSystem local() {
    try {
      return FileSystem.getLocal(new Configuration());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the local file system", e);
    }
  }

  /** The local folder of a store made with {@link #TrainCheckpoints(java.nio.file.Path)}. */
  public java.nio.file.Path dir() {
    return java.nio.file.Path.of(dir.toUri());
  }

  /** The folder, on its file system. */
  public Path location() {
    return dir;
  }

  /**
   * What a checkpoint restores.
   *
   * @param fs the file system of the folder
   * @param folder the checkpoint folder
   * @param nextStep the first step still to train
   * @param samplesSeen examples consumed before {@code nextStep}
   * @param trainSeconds training time before {@code nextStep}, without evaluations
   * @param steps metrics of steps {@code 0 .. nextStep-1}
   */
  public record Saved(FileSystem fs, Path folder, int nextStep, long samplesSeen, double trainSeconds, List<StepMetrics> steps) {}

  /** Progress as stored in {@code progress.json}. */
  record Progress(int nextStep, long samplesSeen, double trainSeconds, List<StepRecord> steps) {}

  /** One step's metrics as stored in {@code progress.json}. */
  record StepRecord(int step, long samplesSeen, double wallSeconds, double learningRate,
      Map<String, Double> losses, Double testAccuracy, Double testPerplexity) {}

  /** Writes a checkpoint taken after step {@code nextStep - 1}. */
  public void save(Block block, Optimizer optimizer, int nextStep, long samplesSeen, double trainSeconds,
      List<StepMetrics> steps) {
    try {
      fs.mkdirs(dir);
      Path tmp = new Path(dir, ".tmp-" + UUID.randomUUID());
      fs.mkdirs(tmp);
      try (DataOutputStream out = data(new Path(tmp, "parameters.bin"))) {
        block.saveParameters(out);
      }
      try (DataOutputStream out = data(new Path(tmp, "optimizer.bin"))) {
        writeOptimizer(OptimizerState.export(optimizer, block), out);
      }
      List<StepRecord> records = new ArrayList<>(steps.size());
      for (StepMetrics m : steps) {
        records.add(new StepRecord(m.step(), m.samplesSeen(), m.wallSeconds(), m.learningRate(), m.losses(),
            boxed(m.testAccuracy()), boxed(m.testPerplexity())));
      }
      try (DataOutputStream out = data(new Path(tmp, "progress.json"))) {
        JSON.writeValue((java.io.OutputStream) out, new Progress(nextStep, samplesSeen, trainSeconds, records));
      }
      Path target = new Path(dir, String.format("%s%09d", PREFIX, nextStep));
      fs.delete(target, true);
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
      fs.create(new Path(target, COMMITTED), false).close();
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
      Progress p;
      try (java.io.InputStream in = fs.open(new Path(folder, "progress.json"))) {
        p = JSON.readValue(in, Progress.class);
      }
      List<StepMetrics> steps = new ArrayList<>(p.steps().size());
      for (StepRecord r : p.steps()) {
        steps.add(new StepMetrics(r.step(), r.samplesSeen(), r.wallSeconds(), r.learningRate(), r.losses(),
            optional(r.testAccuracy()), optional(r.testPerplexity())));
      }
      return Optional.of(new Saved(fs, folder, p.nextStep(), p.samplesSeen(), p.trainSeconds(), steps));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoints under " + dir, e);
    }
  }

  /** Loads a checkpoint's parameters into {@code block}, an initialised block of the same spec. */
  public static void restoreParameters(Saved saved, Block block, NDManager manager) {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
        saved.fs().open(new Path(saved.folder(), "parameters.bin"))))) {
      block.loadParameters(manager, in);
    } catch (IOException | MalformedModelException e) {
      throw new IllegalStateException("cannot load the parameters of checkpoint " + saved.folder() + ": " + e, e);
    }
  }

  /** Loads a checkpoint's optimiser state into a fresh {@code optimizer} training {@code block}. */
  public static void restoreOptimizer(Saved saved, Block block, Optimizer optimizer, NDManager manager) {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
        saved.fs().open(new Path(saved.folder(), "optimizer.bin"))))) {
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
    if (!fs.exists(dir)) {
      return List.of();
    }
    List<Path> complete = new ArrayList<>();
    for (FileStatus status : fs.listStatus(dir)) {
      Path p = status.getPath();
      if (status.isDirectory() && p.getName().startsWith(PREFIX) && fs.exists(new Path(p, COMMITTED))) {
        complete.add(p);
      }
    }
    complete.sort(Comparator.comparing(Path::getName));
    return complete;
  }

  /** An optional metric as stored in {@code progress.json}: null when absent. */
  private static Double boxed(OptionalDouble value) {
    return value.isPresent() ? value.getAsDouble() : null;
  }

  /** A metric read from {@code progress.json}; a checkpoint written before the field existed has null. */
  private static OptionalDouble optional(Double value) {
    return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
  }

  private DataOutputStream data(Path file) throws IOException {
    return new DataOutputStream(new BufferedOutputStream(fs.create(file, true)));
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

  private void deleteTree(Path root) throws IOException {
    fs.delete(root, true);
  }
}
