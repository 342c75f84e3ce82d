package io.sparkdistill.pipeline.dag;

import io.sparkdistill.pipeline.dag.Manifest.TableFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Lists a stage's files for its manifest and checks them against it later: a file the manifest
 * records that is gone or has another size, or a file it does not record, means the output is
 * not the one the manifest vouches for. One recursive listing per stage; no file is opened, so
 * the check works the same on HDFS and on object stores (which keep no checksum files).
 */
public final class OutputCheck {
  private OutputCheck() {}

  /** How a file differs from the manifest. */
  public enum Kind {
    MISSING,
    RESIZED,
    EXTRA
  }

  /**
   * One damaged file.
   *
   * @param path relative to the stage folder
   * @param recorded the size the manifest records, -1 for an extra file
   * @param found the size now, -1 for a missing file
   */
  public record Problem(String path, Kind kind, long recorded, long found) {
    /** The table the file belongs to (its first folder). */
    public String table() {
      return new TableFile(path, 0).table();
    }

    @Override
    public String toString() {
      return switch (kind) {
        case MISSING -> "file " + path + " is missing (recorded " + recorded + " bytes)";
        case RESIZED -> "file " + path + " is resized (recorded " + recorded + " bytes, now " + found + ")";
        case EXTRA -> "file " + path + " is extra (" + found + " bytes, not in the manifest)";
      };
    }
  }

  /**
   * What the check found for one stage.
   *
   * @param manifest the stage's manifest, null when the stage has none
   * @param problems damaged files, in path order; empty when intact or not verifiable
   */
  public record Result(StageName stage, Manifest manifest, List<Problem> problems) {
    public Result {
      problems = List.copyOf(problems);
    }

    public boolean complete() {
      return manifest != null;
    }

    /** False for a format-1 manifest, which records no files. */
    public boolean verifiable() {
      return manifest != null && manifest.listsFiles();
    }

    public boolean damaged() {
      return !problems.isEmpty();
    }

    /** The damaged tables, as {@code <stage>/<table>}. */
    public List<String> tables() {
      return problems.stream().map(p -> stage.id() + "/" + p.table()).distinct().toList();
    }

    /** The command that redoes this stage and every stage that read it. */
    public String redoCommand(String conf) {
      return "distill run " + conf + " --from " + stage;
    }

    /** The first problems in words: "file x is missing (recorded 10 bytes) (and 3 more)". */
    public String summary() {
      String first = problems.isEmpty() ? "intact" : problems.get(0).toString();
      return problems.size() > 1 ? first + " (and " + (problems.size() - 1) + " more)" : first;
    }
  }

  /** Every file under the stage's folder but the manifest itself, sorted by path. */
  public static List<TableFile> list(RunLayout layout, StageName stage) {
    return sizes(layout, stage).entrySet().stream().map(e -> new TableFile(e.getKey(), e.getValue())).toList();
  }

  /** Checks a stage's folder against its manifest (or reports that it has none). */
  public static Result check(RunLayout layout, StageName stage, ManifestStore manifests) {
    Manifest manifest = manifests.read(stage).orElse(null);
    if (manifest == null || !manifest.listsFiles()) {
      return new Result(stage, manifest, List.of());
    }
    Map<String, Long> found = sizes(layout, stage);
    List<Problem> problems = new ArrayList<>();
    for (TableFile file : manifest.files()) {
      Long now = found.remove(file.path());
      if (now == null) {
        problems.add(new Problem(file.path(), Kind.MISSING, file.bytes(), -1));
      } else if (now != file.bytes()) {
        problems.add(new Problem(file.path(), Kind.RESIZED, file.bytes(), now));
      }
    }
    found.forEach((path, bytes) -> problems.add(new Problem(path, Kind.EXTRA, -1, bytes)));
    problems.sort(Comparator.comparing(Problem::path));
    return new Result(stage, manifest, problems);
  }

  /** File sizes by path relative to the stage folder, sorted by path. */
  private static TreeMap<String, Long> sizes(RunLayout layout, StageName stage) {
    Path dir = layout.stageDir(stage);
    FileSystem fs = layout.fs();
    String prefix = fs.makeQualified(dir).toUri().getPath() + "/";
    TreeMap<String, Long> sizes = new TreeMap<>();
    try {
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
      while (files.hasNext()) {
        LocatedFileStatus file = files.next();
        String path = file.getPath().toUri().getPath();
        String relative = path.startsWith(prefix) ? path.substring(prefix.length()) : file.getPath().getName();
        if (!relative.equals(RunLayout.MANIFEST) && !relative.equals(ManifestStore.TEMP_NAME)) {
          sizes.put(relative, file.getLen());
        }
      }
    } catch (FileNotFoundException e) {
      return new TreeMap<>(); // a stage that wrote nothing yet
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return sizes;
  }
}
