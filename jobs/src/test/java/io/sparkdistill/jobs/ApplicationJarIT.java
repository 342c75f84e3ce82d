package io.sparkdistill.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The application jar ({@code jobs/target/spark-distill-app.jar}) and the cluster tests' Spark home
 * ({@code jobs/target/spark-home/jars}) split the runtime classpath ({@code jobs/target/jars})
 * between them as the README says: the Spark home holds Spark's jars and none of ours; the
 * application jar holds every class and resource of every other runtime jar (commons-logging
 * excepted: Spark's jcl-over-slf4j has every commons-logging class our libraries name) and nothing
 * that is also in a Spark jar, so no library is there twice at two versions. Also: DJL's service files are merged, the main class is
 * set, and the README states the jar's size.
 */
class ApplicationJarIT {
  private static final Path APP_JAR = Path.of(System.getProperty("distill.app.jar"));
  private static final Path ALL_JARS = Path.of(System.getProperty("distill.jars.dir"));
  private static final Path SPARK_JARS = Path.of(System.getProperty("distill.spark.jars.dir"));
  private static final Path PROJECT = Path.of(System.getProperty("distill.project.root"));
  /** Left out of the application jar on purpose (see the class comment). */
  private static final String LEFT_OUT = "commons-logging-";

  @Test
  void theSparkHomeHoldsSparksJarsOnly() throws IOException {
    Set<String> spark = jarNames(SPARK_JARS);
    assertThat(spark)
        .as("jars of %s", SPARK_JARS)
        .contains("spark-core_2.13-4.0.1.jar", "spark-sql_2.13-4.0.1.jar", "spark-mllib_2.13-4.0.1.jar")
        .allSatisfy(name -> assertThat(ALL_JARS.resolve(name)).as("in the runtime classpath").isRegularFile());
    Map<String, String> ours = new TreeMap<>();
    for (String name : spark) {
      for (String entry : entries(SPARK_JARS.resolve(name))) {
        if (entry.startsWith("io/sparkdistill/") || entry.startsWith("ai/djl/")
            || entry.startsWith("com/typesafe/config/") || entry.startsWith("org/knowm/")) {
          ours.putIfAbsent(name, entry);
        }
      }
    }
    assertThat(ours).as("jars of the Spark home that hold a class of the application").isEmpty();
  }

  @Test
  void theApplicationJarHoldsEveryOtherLibraryAndNothingOfSparks() throws IOException {
    Set<String> app = entries(APP_JAR);
    Map<String, String> sparkEntries = new HashMap<>();
    for (String name : jarNames(SPARK_JARS)) {
      for (String entry : entries(SPARK_JARS.resolve(name))) {
        sparkEntries.putIfAbsent(entry, name);
      }
    }

    Set<String> libraries = new TreeSet<>(jarNames(ALL_JARS));
    libraries.removeAll(jarNames(SPARK_JARS));
    assertThat(libraries)
        .as("runtime jars that are not Spark's")
        .contains("api-0.32.0.jar", "pytorch-native-cpu-2.5.1-linux-x86_64.jar", "config-1.4.3.jar");
    Map<String, String> missing = new TreeMap<>();
    for (String library : libraries) {
      if (library.startsWith(LEFT_OUT)) {
        continue;
      }
      for (String entry : entries(ALL_JARS.resolve(library))) {
        if (!app.contains(entry)) {
          missing.putIfAbsent(library, entry);
        }
      }
    }
    assertThat(missing).as("libraries with an entry missing from %s (one each)", APP_JAR).isEmpty();
    assertThat(commonsLoggingReferences(APP_JAR))
        .as("commons-logging classes the application jar's classes name (left out: Spark's must have them)")
        .isNotEmpty()
        .allSatisfy(c -> assertThat(sparkEntries).as("a Spark jar with %s", c).containsKey(c));
    assertThat(entries(PROJECT.resolve("jobs/target/spark-distill-jobs.jar")))
        .as("the jobs module's own classes are in the application jar")
        .isSubsetOf(app);

    Map<String, String> twice = new TreeMap<>();
    for (String entry : app) {
      if (sparkEntries.containsKey(entry)) {
        twice.put(entry, sparkEntries.get(entry));
      }
    }
    assertThat(twice).as("entries of the application jar that a Spark jar also has").isEmpty();
  }

  @Test
  void servicesAreMergedAndTheMainClassIsSet() throws IOException {
    try (JarFile jar = new JarFile(APP_JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(DistillMain.class.getName());
      assertThat(text(jar, "META-INF/services/ai.djl.engine.EngineProvider"))
          .contains("ai.djl.pytorch.engine.PtEngineProvider");
      assertThat(text(jar, "META-INF/services/ai.djl.repository.zoo.ZooProvider"))
          .contains("ai.djl.repository.zoo.DefaultZooProvider", "ai.djl.basicmodelzoo.BasicZooProvider");
      assertThat(jar.getEntry("native/lib/pytorch.properties")).as("DJL's native library index").isNotNull();
    }
  }

  @Test
  void theReadmeStatesTheJarsSize() throws IOException {
    String readme = Files.readString(PROJECT.resolve("README.md"), StandardCharsets.UTF_8);
    Matcher stated =
        Pattern.compile("`jobs/target/spark-distill-app\\.jar` \\((\\d+) MB\\)").matcher(readme);
    assertThat(stated.find()).as("the README says '`jobs/target/spark-distill-app.jar` (N MB)'").isTrue();
    double mb = Files.size(APP_JAR) / 1e6;
    assertThat(mb)
        .as("size of %s in MB against the README's %s MB", APP_JAR, stated.group(1))
        .isBetween(Integer.parseInt(stated.group(1)) * 0.95, Integer.parseInt(stated.group(1)) * 1.05);
  }

  /**
   * The {@code org/apache/commons/logging/...} classes that any class of {@code jar} names in its
   * constant pool (PDFBox logs through commons-logging's {@code LogFactory} and {@code Log}).
   */
  private static Set<String> commonsLoggingReferences(Path jar) throws IOException {
    Pattern reference = Pattern.compile("org/apache/commons/logging/[A-Za-z0-9_/$]+");
    Set<String> classes = new TreeSet<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (ZipEntry entry : zip.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
        String text = new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.ISO_8859_1);
        Matcher m = reference.matcher(text);
        while (m.find()) {
          classes.add(m.group() + ".class");
        }
      }
    }
    return classes;
  }

  private static Set<String> jarNames(Path dir) throws IOException {
    Set<String> names = new TreeSet<>();
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
      jars.forEach(j -> names.add(j.getFileName().toString()));
    }
    assertThat(names).as("jars in %s", dir).isNotEmpty();
    return names;
  }

  /** A jar's files outside META-INF (classes and resources), without module descriptors. */
  private static Set<String> entries(Path jar) {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      Set<String> names = new TreeSet<>();
      zip.stream()
          .filter(e -> !e.isDirectory())
          .map(ZipEntry::getName)
          .filter(n -> !n.startsWith("META-INF/") && !n.equals("module-info.class"))
          .forEach(names::add);
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jar, e);
    }
  }

  private static String text(JarFile jar, String name) throws IOException {
    ZipEntry entry = jar.getEntry(name);
    assertThat(entry).as("%s in %s", name, APP_JAR).isNotNull();
    return new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
  }
}
