package io.sparkdistill.pipeline.dag;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The one manifest reader and writer. A manifest is written to a temporary file and renamed into
 * place, so a reader sees either no manifest or a whole one.
 */
public final class ManifestStore {
  /** The temporary name a manifest is written under before its rename. */
  static final String TEMP_NAME = "._MANIFEST.json.tmp";
  /** The JSON conventions of every record the DAG writes (manifests, the run lock). */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final RunLayout layout;

  public ManifestStore(RunLayout layout) {
    this.layout = layout;
  }

  /** The stage's manifest, or empty when the stage never completed (or was killed). */
  public Optional<Manifest> read(StageName stage) {
    Path path = layout.manifest(stage);
    FileSystem fs = layout.fs();
    try {
      if (!fs.exists(path)) {
        return Optional.empty();
      }
      try (InputStream in = fs.open(path)) {
        return Optional.of(JSON.readValue(in, Manifest.class));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest " + path, e);
    }
  }

  /** Commits {@code manifest}: write a temporary file, then rename it over the final name. */
  public void write(Manifest manifest) {
    StageName stage = StageName.of(manifest.stage());
    Path target = layout.manifest(stage);
    Path temp = new Path(layout.stageDir(stage), TEMP_NAME);
    FileSystem fs = layout.fs();
    try {
      try (OutputStream out = fs.create(temp, true)) {
        JSON.writeValue(out, manifest);
      }
      fs.delete(target, false);
      if (!fs.rename(temp, target)) {
        throw new IOException("rename " + temp + " -> " + target + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write manifest " + target, e);
    }
  }

  /**
   * Removes a stage's output before it is redone: the manifest first, so that a kill part-way
   * through never leaves old tables under a manifest that vouches for them.
   */
  public void clear(StageName stage) {
    FileSystem fs = layout.fs();
    try {
      fs.delete(layout.manifest(stage), false);
      fs.delete(layout.stageDir(stage), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + layout.stageDir(stage), e);
    }
  }

  /** Renders a manifest as JSON (for --dry-run and logs). */
  public static String toJson(Manifest manifest) {
    try {
      return JSON.writeValueAsString(manifest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
