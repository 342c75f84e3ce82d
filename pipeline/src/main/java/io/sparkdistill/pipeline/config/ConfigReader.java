package io.sparkdistill.pipeline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Typed access to a resolved {@link Config} whose every failure is a {@link ConfigError} naming
 * the key, the offending value and where it was set ({@code conf/x.conf: 12}, {@code --set}, or
 * the reference).
 */
final class ConfigReader {
  private final Config config;

  ConfigReader(Config config) {
    this.config = config;
  }

  String string(String path) {
    return read(path, () -> config.getString(path));
  }

  String nonEmptyString(String path) {
    String value = string(path);
    if (value.isBlank()) {
      throw invalid(path, "must not be empty");
    }
    return value;
  }

  int intAtLeast(String path, int min) {
    int value = read(path, () -> config.getInt(path));
    if (value < min) {
      throw invalid(path, "must be at least " + min + ", got " + value);
    }
    return value;
  }

  double fraction(String path) {
    double value = read(path, () -> config.getDouble(path));
    if (!(value >= 0.0 && value <= 1.0)) {
      throw invalid(path, "must be between 0 and 1, got " + value);
    }
    return value;
  }

  List<String> nonEmptyStringList(String path) {
    List<String> value = read(path, () -> config.getStringList(path));
    if (value.isEmpty()) {
      throw invalid(path, "must list at least one value");
    }
    return value;
  }

  /** An enum value written in kebab case ({@code center-crop} for {@code CENTER_CROP}). */
  <E extends Enum<E>> E enumValue(String path, Class<E> type) {
    String raw = string(path);
    String constant = raw.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E candidate : type.getEnumConstants()) {
      if (candidate.name().equals(constant)) {
        return candidate;
      }
    }
    String allowed =
        Arrays.stream(type.getEnumConstants())
            .map(ConfigReader::kebab)
            .collect(Collectors.joining(", "));
    throw invalid(path, "must be one of " + allowed + ", got '" + raw + "'");
  }

  boolean bool(String path) {
    return read(path, () -> config.getBoolean(path));
  }

  long longValue(String path) {
    return read(path, () -> config.getLong(path));
  }

  double doubleValue(String path) {
    return read(path, () -> config.getDouble(path));
  }

  List<String> stringList(String path) {
    return read(path, () -> config.getStringList(path));
  }

  List<Double> doubleList(String path) {
    return read(path, () -> config.getDoubleList(path));
  }

  java.time.Duration positiveDuration(String path) {
    java.time.Duration value = read(path, () -> config.getDuration(path));
    if (value.isNegative() || value.isZero()) {
      throw invalid(path, "must be a positive duration (e.g. 10m), got " + value);
    }
    return value;
  }

  long bytes(String path) {
    return read(path, () -> config.getBytes(path));
  }

  /**
   * Builds a value whose constructor validates (a record's compact constructor); its
   * IllegalArgumentException becomes a ConfigError naming {@code path}.
   */
  <T> T build(String path, java.util.function.Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      throw new ConfigError(path + ": " + e.getMessage() + " (" + origin(path) + ")", e);
    }
  }

  /** The key {@code path} is set but its value is wrong. */
  ConfigError invalid(String path, String problem) {
    return new ConfigError(path + ": " + problem + " (" + origin(path) + ")");
  }

  String origin(String path) {
    ConfigValue value = config.getValue(path);
    return value.origin().description();
  }

  static String kebab(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private <T> T read(String path, java.util.function.Supplier<T> getter) {
    try {
      return getter.get();
    } catch (ConfigException.Missing e) {
      throw new ConfigError(path + ": required key is missing (" + e.getMessage() + ")", e);
    } catch (ConfigException e) {
      throw new ConfigError(path + ": " + e.getMessage(), e);
    }
  }
}
