package io.sparkdistill.pipeline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The one way to load a run configuration: {@code --set} overrides over the run file over the
 * reference ({@code reference.conf}, packed into the jar from {@code conf/}), then checked key by
 * key against the reference and read into typed records.
 */
public final class ConfigLoader {
  /** Sections whose keys are free (passed through to another system), not checked against the reference. */
  private static final Set<String> FREE_FORM = Set.of("spark.conf");

  /** Sections whose keys are names, each entry checked against a template section. */
  private static final java.util.Map<String, String> NAMED_ENTRIES = java.util.Map.of(
          "teachers", "teacher-defaults", "students.variants", "students.variant-defaults");

  private ConfigLoader() {}

  /**
   * Loads {@code file} with the given {@code key=value} overrides.
   *
   * @throws ConfigError naming the key and its origin when anything is wrong
   */
  public static RunConfig load(Path file, List<String> overrides) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigError("configuration file not found: " + file);
    }
    // Unresolved, so that substitutions such as run.root = "runs/"${run.name} see the run's values.
    Config reference = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf");
    Config user;
    try {
      user =
          ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException e) {
      throw new ConfigError("cannot parse " + file + ": " + e.getMessage(), e);
    }
    Config merged = user;
    for (String override : overrides) {
      merged = parseOverride(override).withFallback(merged);
    }
    checkKnownKeys(merged.root(), reference, "", "");
    Config resolved;
    try {
      resolved = merged.withFallback(reference).resolve(ConfigResolveOptions.defaults());
    } catch (ConfigException e) {
      throw new ConfigError("cannot resolve " + file + ": " + e.getMessage(), e);
    }
    return fromResolved(file.toString(), resolved);
  }

  /** Reads an already merged and resolved configuration (tests build one from strings). */
  public static RunConfig fromResolved(String source, Config resolved) {
    ConfigReader reader = new ConfigReader(resolved);
    RunConfig config =
        new RunConfig(
            source,
            RunSettings.from(reader),
            SparkSettings.from(reader, resolved),
            DatasetSettings.from(reader),
            IngestSettings.from(reader),
            TextSettings.from(reader),
            TeacherSettings.allFrom(resolved),
            SoftLabelSettings.from(reader),
            EnsembleSettings.from(reader),
            StudentSettings.from(reader, resolved),
            DownstreamSettings.from(reader),
            ReportSettings.from(reader),
            resolved);
    checkTeacherNames(reader, "soft-labels.teachers", config.softLabels().teachers(), config);
    checkTeacherNames(reader, "ensemble.teachers", config.ensemble().teachers(), config);
    for (VariantSettings variant : config.students().variants()) {
      checkTeacherNames(
          reader, "students.variants." + com.typesafe.config.ConfigUtil.joinPath(variant.name()) + ".teachers",
          variant.teachers(), config);
    }
    checkArchitectures(reader, config);
    return config;
  }

  /**
   * The text path trains {@code bert} networks only, the image path everything else: a mismatch is
   * reported with the key before any stage runs. Registered teachers bring their own network;
   * students are checked once variants are declared.
   */
  private static void checkArchitectures(ConfigReader reader, RunConfig config) {
    boolean text = config.dataset().isText();
    for (TeacherSettings teacher : config.teachers()) {
      if (!teacher.registered() && teacher.architecture().isText() != text) {
        throw reader.invalid(
            "teachers." + com.typesafe.config.ConfigUtil.joinPath(teacher.name()) + ".architecture",
            architectureProblem(text, teacher.architecture()));
      }
    }
    if (!config.students().variants().isEmpty() && config.students().architecture().isText() != text) {
      throw reader.invalid("students.architecture", architectureProblem(text, config.students().architecture()));
    }
  }

  private static String architectureProblem(boolean text, Architecture architecture) {
    return text
        ? "the text path (dataset.format brown, c4 or text) trains bert networks, got "
            + ConfigReader.kebab(architecture)
        : "bert is the text architecture; dataset.format is an image format, so use cnn or resnet";
  }

  private static void checkTeacherNames(
      ConfigReader reader, String path, List<String> names, RunConfig config) {
    List<String> known = config.teachers().stream().map(TeacherSettings::name).toList();
    for (String name : names) {
      if (!known.contains(name)) {
        throw reader.invalid(path, "names teacher '" + name + "', but teachers has only " + known);
      }
    }
  }

  private static Config parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError("--set takes key=value, got '" + override + "'");
    }
    String key = override.substring(0, eq).trim();
    String value = override.substring(eq + 1);
    try {
      return ConfigFactory.parseString(
          key + " = " + (value.isBlank() ? "\"\"" : value),
          ConfigParseOptions.defaults().setOriginDescription("--set " + override));
    } catch (ConfigException e) {
      throw new ConfigError("--set " + override + ": not a valid HOCON value: " + e.getMessage(), e);
    }
  }

  /**
   * Fails on the first key of {@code object} that the reference lacks. {@code refPrefix} is where
   * {@code object} sits in the reference, {@code shownPrefix} where it sits in the user's file (they
   * differ for entries of named sections, checked against their template).
   */
  private static void checkKnownKeys(
      ConfigObject object, Config reference, String refPrefix, String shownPrefix) {
    for (String key : object.keySet()) {
      String refPath = join(refPrefix, key);
      String shown = join(shownPrefix, key);
      ConfigValue value = object.get(key);
      if (!reference.hasPathOrNull(refPath)) {
        throw new ConfigError(
            "unknown key '" + shown + "' (" + value.origin().description() + ")"
                + suggestion(refPath, shown, reference));
      }
      if (FREE_FORM.contains(refPath)) {
        continue;
      }
      String template = NAMED_ENTRIES.get(refPath);
      if (template != null && value instanceof ConfigObject entries) {
        for (String name : entries.keySet()) {
          String entryPath = join(shown, name);
          if (!(entries.get(name) instanceof ConfigObject entry)) {
            throw new ConfigError(
                entryPath + ": must be an object of " + template + " keys ("
                    + entries.get(name).origin().description() + ")");
          }
          checkKnownKeys(entry, reference, template, entryPath);
        }
      } else if (value instanceof ConfigObject child) {
        checkKnownKeys(child, reference, refPath, shown);
      }
    }
  }

  private static String join(String prefix, String key) {
    String quoted = com.typesafe.config.ConfigUtil.joinPath(key);
    return prefix.isEmpty() ? quoted : prefix + "." + quoted;
  }



  private static String suggestion(String refPath, String shown, Config reference) {
    int dot = refPath.lastIndexOf('.');
    String parent = dot < 0 ? "" : refPath.substring(0, dot);
    String leaf = dot < 0 ? refPath : refPath.substring(dot + 1);
    Set<String> siblings =
        parent.isEmpty()
            ? reference.root().keySet()
            : reference.hasPath(parent) ? reference.getConfig(parent).root().keySet() : Set.of();
    if (siblings.isEmpty()) {
      return "";
    }
    List<String> sorted = new ArrayList<>(siblings);
    sorted.sort(Comparator.comparingInt((String s) -> editDistance(s, leaf)).thenComparing(s -> s));
    String best = sorted.get(0);
    int shownDot = shown.lastIndexOf('.');
    String where = shownDot < 0 ? "" : shown.substring(0, shownDot + 1);
    if (editDistance(best, leaf) <= Math.max(2, leaf.length() / 3)) {
      return "; did you mean '" + where + best + "'?";
    }
    return "; keys here: " + String.join(", ", sorted.stream().sorted().toList());
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
