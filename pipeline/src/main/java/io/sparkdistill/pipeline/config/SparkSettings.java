package io.sparkdistill.pipeline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code spark} section.
 *
 * @param master master URL, used unless spark-submit already set one
 * @param shufflePartitions {@code spark.sql.shuffle.partitions}
 * @param conf further Spark settings passed through as they are
 */
public record SparkSettings(String master, int shufflePartitions, Map<String, String> conf) {
  public SparkSettings {
    conf = Map.copyOf(conf);
  }

  static SparkSettings from(ConfigReader reader, Config config) {
    Map<String, String> conf = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : config.getConfig("spark.conf").entrySet()) {
      // Spark keys contain dots; HOCON splits quoted keys back into one path element.
      String key = String.join(".", com.typesafe.config.ConfigUtil.splitPath(e.getKey()));
      conf.put(key, String.valueOf(e.getValue().unwrapped()));
    }
    return new SparkSettings(
        reader.nonEmptyString("spark.master"), reader.intAtLeast("spark.shuffle-partitions", 1), conf);
  }
}
