package io.sparkdistill.pipeline.dag;

import java.util.List;
import java.util.Map;

/**
 * The record a stage commits last, in {@code <stage>/_MANIFEST.json}: its presence means the
 * stage's output is complete; its fingerprints decide whether a re-run may skip it, and its file
 * list (every file of the stage's folder with its size, as an Iceberg manifest lists its data
 * files) lets {@link OutputCheck} tell a damaged output from a complete one.
 *
 * <p>Format 1 manifests (before file lists) still load: their {@code files} is empty and {@link
 * #listsFiles()} false, so they are trusted as before but cannot be verified.
 *
 * @param formatVersion version of this manifest's own layout
 * @param stage stage name
 * @param runName the run's {@code run.name}
 * @param outputId unique id of this execution's output; downstream stages record it as input
 * @param configFingerprint SHA-256 of the configuration sections the stage depends on
 * @param inputFingerprints upstream stages' output ids and external inputs' fingerprints
 * @param rowCounts rows written per table (and split)
 * @param metrics measured figures and table schema versions
 * @param warnings notes for people
 * @param startedAt ISO-8601 instant
 * @param finishedAt ISO-8601 instant
 * @param wallSeconds elapsed seconds
 * @param versions Spark Distill, Spark, Java versions
 * @param files the stage folder's files when the stage finished (format 2 on), sorted by path
 */
public record Manifest(
    int formatVersion,
    String stage,
    String runName,
    String outputId,
    String configFingerprint,
    Map<String, String> inputFingerprints,
    Map<String, Long> rowCounts,
    Map<String, Object> metrics,
    List<String> warnings,
    String startedAt,
    String finishedAt,
    double wallSeconds,
    Map<String, String> versions,
    List<TableFile> files) {

  /** Format 2 adds {@code files}. */
  public static final int FORMAT_VERSION = 2;
  /** The first format that lists the stage's files. */
  public static final int FIRST_WITH_FILES = 2;

  public Manifest {
    files = files == null ? List.of() : List.copyOf(files);
  }

  /** True when this manifest records its stage's files, so that they can be checked. */
  public boolean listsFiles() {
    return formatVersion >= FIRST_WITH_FILES;
  }

  /**
   * True when this manifest was made from the same configuration and inputs, in a format this
   * build reads (a manifest of a newer build is not trusted).
   */
  public boolean matches(String configFingerprint, Map<String, String> inputFingerprints) {
    return formatVersion >= 1
        && formatVersion <= FORMAT_VERSION
        && this.configFingerprint.equals(configFingerprint)
        && this.inputFingerprints.equals(inputFingerprints);
  }

  /**
   * One file of a stage's output.
   *
   * @param path relative to the stage's folder, e.g. {@code softlabels/teacher=a/part-00000.parquet}
   * @param bytes its length
   */
  public record TableFile(String path, long bytes) {
    /** The table the file belongs to: the first folder of its path (the file itself at the top). */
    public String table() {
      int slash = path.indexOf('/');
      return slash < 0 ? path : path.substring(0, slash);
    }
  }
}
