package io.sparkdistill.pipeline.models;

import ai.djl.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * DJL reads and writes models on the local disk; runs may live on HDFS or S3. These bridge the
 * two: on a local run root they hand out the real folder, elsewhere a local copy.
 */
public final class ModelFiles {
  private ModelFiles() {}

  /** True when {@code fs} is the local disk (also Spark's local mode default). */
  public static boolean isLocal(FileSystem fs) {
    return fs instanceof LocalFileSystem || "file".equals(fs.getUri().getScheme());
  }

  /**
   * A local path holding {@code path}'s content: the path itself on a local file system, else a
   * copy in the JVM's temporary folder (made once per JVM and source).
   */
  public static java.nio.file.Path readable(FileSystem fs, Path path) {
    Path qualified = fs.makeQualified(path);
    if (isLocal(fs)) {
      return Paths.get(qualified.toUri());
    }
    try {
      long stamp = fs.getFileStatus(qualified).getModificationTime();
      String key = Integer.toHexString((qualified + "@" + stamp).hashCode());
      java.nio.file.Path local =
          Paths.get(System.getProperty("java.io.tmpdir"), "spark-distill-models", key, qualified.getName());
      synchronized (ModelFiles.class) {
        if (!Files.exists(local)) {
          java.nio.file.Path partial = local.resolveSibling(local.getFileName() + ".partial");
          Files.createDirectories(partial.getParent());
          fs.copyToLocalFile(false, qualified, new Path(partial.toUri()), true);
          Files.move(partial, local);
        }
      }
      return local;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + qualified + " to the local disk", e);
    }
  }

  /**
   * Where to write something that must end up at {@code target}: {@code target} itself on a local
   * file system, else a fresh local temporary path to {@link #publish} afterwards.
   */
  public static java.nio.file.Path writable(FileSystem fs, Path target) {
    if (isLocal(fs)) {
      return Paths.get(fs.makeQualified(target).toUri());
    }
    try {
      return Files.createTempDirectory("spark-distill-out").resolve(target.getName());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies what was written at {@code local} to {@code target} unless they are the same place. */
  public static void publish(java.nio.file.Path local, FileSystem fs, Path target) {
    if (isLocal(fs)) {
      return;
    }
    try {
      fs.copyFromLocalFile(false, true, new Path(local.toUri()), target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + local + " to " + target, e);
    }
  }

  /**
   * Saves {@code model} as a {@link ModelCheckpoint} folder at {@code target} on {@code fs},
   * replacing what is there: written locally ({@link #writable}), then {@link #publish}ed.
   *
   * @param model a trained model
   * @param spec the specification its block was built from
   * @param info free-form information for the checkpoint's metadata
   * @param fs the run's file system
   * @param target the checkpoint folder
   */
  public static void saveCheckpoint(
      Model model, CheckpointSpec spec, Map<String, Object> info, FileSystem fs, Path target) {
    java.nio.file.Path local = writable(fs, target);
    ModelCheckpoint.save(model, spec, local, info, true);
    publish(local, fs, target);
  }
}
