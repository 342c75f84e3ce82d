package io.sparkdistill.pipeline.dag;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Where a run's stages write: {@code <run.root>/<stage>/}, on any Hadoop file system. */
public final class RunLayout {
  public static final String MANIFEST = "_MANIFEST.json";

  private final Path root;
  private final FileSystem fs;

  public RunLayout(String root, Configuration hadoopConf) {
    try {
      Path path = new Path(root);
      this.fs = path.getFileSystem(hadoopConf);
      this.root = fs.makeQualified(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open run.root " + root, e);
    }
  }

  public Path root() {
    return root;
  }

  public FileSystem fs() {
    return fs;
  }

  public Path stageDir(StageName stage) {
    return new Path(root, stage.id());
  }

  public Path manifest(StageName stage) {
    return new Path(stageDir(stage), MANIFEST);
  }

  /** A table folder inside a stage's folder, as a string Spark's readers and writers accept. */
  public String table(StageName stage, String table) {
    return new Path(stageDir(stage), table).toString();
  }
}
