package io.sparkdistill.pipeline.dag;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions recorded in every manifest. */
public final class Versions {
  private Versions() {}

  /** Spark Distill (from the build), Spark and Java versions. */
  public static Map<String, String> current() {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("spark_distill", projectVersion());
    versions.put("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
    versions.put("java", System.getProperty("java.version"));
    return versions;
  }

  static String projectVersion() {
    Properties properties = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream("/io/sparkdistill/pipeline/version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown": a missing version must not stop a run
    }
    return properties.getProperty("version", "unknown");
  }
}
