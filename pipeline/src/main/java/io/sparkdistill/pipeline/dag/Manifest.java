package io.sparkdistill.pipeline.dag;

import java.util.List;
import java.util.Map;

/**
 * The record a stage commits last, in {@code <stage>/_MANIFEST.json}: its presence means the
 * stage's output is complete; its fingerprints decide whether a re-run may skip it.
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
    Map<String, String> versions) {

  public static final int FORMAT_VERSION = 1;

  /** True when this manifest was made from the same configuration and inputs. */
  public boolean matches(String configFingerprint, Map<String, String> inputFingerprints) {
    return formatVersion == FORMAT_VERSION
        && this.configFingerprint.equals(configFingerprint)
        && this.inputFingerprints.equals(inputFingerprints);
  }
}
