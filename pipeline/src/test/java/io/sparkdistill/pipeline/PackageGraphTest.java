package io.sparkdistill.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package graph of {@code pipeline/src/main}: read from the sources (every mention of {@code
 * io.sparkdistill.pipeline.<package>}, in imports and in qualified names), so that a cycle, or an
 * engine-free package that reaches for Spark or DJL, fails here with the files that cause it.
 */
class PackageGraphTest {
  private static final Path SOURCES = Path.of("src/main/java/io/sparkdistill/pipeline");
  private static final Pattern REFERENCE = Pattern.compile("io\\.sparkdistill\\.pipeline\\.([a-z]+)\\b");
  private static final String ROOT = "(root)";

  /** package -> referenced package -> a file that references it. */
  private static final Map<String, Map<String, String>> GRAPH = new TreeMap<>();
  /** package -> its sources' text. */
  private static final Map<String, List<String>> TEXT = new TreeMap<>();

  @BeforeAll
  static void readSources() throws IOException {
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path relative = SOURCES.relativize(file);
        String from = relative.getNameCount() == 1 ? ROOT : relative.getName(0).toString();
        String text = Files.readString(file);
        TEXT.computeIfAbsent(from, p -> new ArrayList<>()).add(text);
        Map<String, String> edges = GRAPH.computeIfAbsent(from, p -> new TreeMap<>());
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
          String to = m.group(1);
          if (!to.equals(from)) {
            edges.putIfAbsent(to, relative.toString());
          }
        }
      }
    }
    assertThat(GRAPH).as("packages read from " + SOURCES.toAbsolutePath()).hasSizeGreaterThan(10);
  }

  @Test
  void packagesFormNoCycle() {
    List<String> cycles = new ArrayList<>();
    for (Set<String> component : stronglyConnected()) {
      if (component.size() > 1) {
        StringBuilder edges = new StringBuilder();
        for (String from : component) {
          GRAPH.getOrDefault(from, Map.of()).forEach((to, file) -> {
            if (component.contains(to)) {
              edges.append("\n    ").append(from).append(" -> ").append(to).append(" (").append(file).append(')');
            }
          });
        }
        cycles.add(component + ":" + edges);
      }
    }
    assertThat(cycles).as("package cycles").isEmpty();
  }

  @Test
  void nothingDependsOnTheWiring() {
    GRAPH.forEach((from, edges) -> assertThat(edges).as(from + " references the root package").doesNotContainKey(ROOT));
  }

  @Test
  void configurationIsEngineFree() {
    assertThat(GRAPH.get("config")).as("packages config references").isEmpty();
    assertNoImport("config", "ai.djl");
    assertNoImport("config", "org.apache.spark");
  }

  /** Losses, specifications, views and the configuration compile without Spark. */
  @Test
  void engineCodeDoesNotNeedSpark() {
    for (String engineFree : List.of("config", "distill", "models", "train", "views")) {
      assertNoImport(engineFree, "org.apache.spark");
    }
  }

  /** Stages ask the task interface; only the wiring names the tasks. */
  @Test
  void stagesDoNotKnowTheTasks() {
    for (String stage : List.of("ingest", "teachers", "softlabels", "ensemble", "students", "eval", "report", "dag", "task")) {
      assertThat(GRAPH.getOrDefault(stage, Map.of()))
          .as(stage + " references a task implementation")
          .doesNotContainKeys("imageclassification", "maskedlm");
    }
  }

  private static void assertNoImport(String pkg, String prefix) {
    assertThat(TEXT.getOrDefault(pkg, List.of()))
        .as(pkg + " imports " + prefix)
        .noneMatch(text -> text.contains("import " + prefix + ".") || text.contains("import static " + prefix + "."));
  }

  /** Tarjan's strongly connected components of {@link #GRAPH}. */
  private static List<Set<String>> stronglyConnected() {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> components = new ArrayList<>();
    int[] counter = {0};
    for (String node : GRAPH.keySet()) {
      if (!index.containsKey(node)) {
        connect(node, index, low, stack, onStack, components, counter);
      }
    }
    return components;
  }

  private static void connect(
      String node, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
      Set<String> onStack, List<Set<String>> components, int[] counter) {
    index.put(node, counter[0]);
    low.put(node, counter[0]++);
    stack.push(node);
    onStack.add(node);
    for (String next : GRAPH.getOrDefault(node, Map.of()).keySet()) {
      if (!index.containsKey(next)) {
        connect(next, index, low, stack, onStack, components, counter);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      Set<String> component = new TreeSet<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(member);
      } while (!member.equals(node));
      components.add(component);
    }
  }
}
