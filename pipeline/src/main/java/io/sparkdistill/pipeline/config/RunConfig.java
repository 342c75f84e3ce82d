package io.sparkdistill.pipeline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * A whole, validated run configuration: one typed record per section, plus the resolved HOCON
 * tree for fingerprints.
 *
 * @param source the file it was loaded from, for messages
 * @param run the {@code run} section
 * @param spark the {@code spark} section
 * @param dataset the {@code dataset} section
 * @param ingest the {@code ingest} section
 * @param text the {@code text} section (text formats only)
 * @param teachers the {@code teachers} section, each over {@code teacher-defaults}, in name order
 * @param softLabels the {@code soft-labels} section
 * @param ensemble the {@code ensemble} section
 * @param students the {@code students} section
 * @param downstream the {@code downstream} section (text formats only)
 * @param report the {@code report} section
 * @param resolved the merged, resolved configuration (file over reference, overrides over both)
 */
public record RunConfig(
    String source,
    RunSettings run,
    SparkSettings spark,
    DatasetSettings dataset,
    IngestSettings ingest,
    TextSettings text,
    List<TeacherSettings> teachers,
    SoftLabelSettings softLabels,
    EnsembleSettings ensemble,
    StudentSettings students,
    DownstreamSettings downstream,
    ReportSettings report,
    Config resolved) {

  public RunConfig {
    teachers = List.copyOf(teachers);
  }

  /** Where {@code bin/install-datasets} unpacks the embedded datasets, one folder each. */
  public static final String EMBEDDED_DATASETS = "/usr/share/datasets/";

  /**
   * The embedded datasets this run reads (names of {@code bin/install-datasets}): the folders under
   * {@value #EMBEDDED_DATASETS} that its dataset, and on the text path its downstream task, point
   * into. {@code bin/distill} installs them before a run.
   */
  public List<String> embeddedDatasets() {
    List<String> paths = new java.util.ArrayList<>();
    switch (dataset.format()) {
      case IDX -> paths.add(dataset.idx().trainImages());
      case IMAGE_FOLDER -> paths.add(dataset.imageFolderRoot());
      default -> paths.add(dataset.text().root());
    }
    if (dataset.isText() && downstream.enabled()) {
      paths.add(downstream.root());
    }
    List<String> names = new java.util.ArrayList<>();
    for (String path : paths) {
      String local = path.startsWith("file://") ? path.substring("file://".length()) : path;
      if (local.startsWith(EMBEDDED_DATASETS)) {
        String name = local.substring(EMBEDDED_DATASETS.length()).split("/", 2)[0];
        if (!name.isEmpty() && !names.contains(name)) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /** The teacher called {@code name}. */
  public TeacherSettings teacher(String name) {
    return teachers.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new ConfigError("no teacher named '" + name + "' under teachers"));
  }

  /**
   * SHA-256 over the canonical form (keys sorted, values typed) of the given top-level or nested
   * sections. Two configurations that differ only in key order, comments or unrelated sections
   * have the same fingerprint.
   */
  public String fingerprint(java.util.Collection<String> sections) {
    StringBuilder canonical = new StringBuilder();
    for (String section : new TreeSet<>(sections)) {
      canonical.append(section).append('=');
      if (resolved.hasPath(section)) {
        appendCanonical(resolved.getValue(section), canonical);
      } else {
        canonical.append("null");
      }
      canonical.append('\n');
    }
    return sha256(canonical.toString());
  }

  /** Hex SHA-256 of a string's UTF-8 bytes. */
  public static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  private static void appendCanonical(ConfigValue value, StringBuilder out) {
    if (value instanceof ConfigObject object) {
      out.append('{');
      for (String key : new TreeSet<>(object.keySet())) {
        out.append('"').append(key).append("\":");
        appendCanonical(object.get(key), out);
        out.append(',');
      }
      out.append('}');
    } else if (value instanceof ConfigList list) {
      out.append('[');
      for (ConfigValue item : list) {
        appendCanonical(item, out);
        out.append(',');
      }
      out.append(']');
    } else {
      out.append(value.valueType()).append(':').append(value.unwrapped());
    }
  }
}
