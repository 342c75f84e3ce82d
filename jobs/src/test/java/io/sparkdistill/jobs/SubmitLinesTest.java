package io.sparkdistill.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.sparkdistill.jobs.cluster.SubmitLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's spark-submit blocks (standalone, YARN, Kubernetes) are well-formed commands for the
 * application jar, and {@link SubmitLine} splits commands as bash does. StandaloneClusterIT runs the
 * standalone block; the other two can only be checked here.
 */
class SubmitLinesTest {
  private static final Path PROJECT =
      Path.of(System.getProperty("distill.project.root", "..")).toAbsolutePath().normalize();

  @ParameterizedTest
  @ValueSource(strings = {SubmitLines.STANDALONE, SubmitLines.YARN, SubmitLines.KUBERNETES})
  void readmeBlocksSubmitTheApplicationJarWithWhatARunNeeds(String marker) {
    SubmitLines lines = SubmitLines.fromReadme(PROJECT, marker);
    for (SubmitLine line : List.of(lines.whole(), lines.stage())) {
      assertThat(line.appJar()).as("application jar of %s", line).endsWith("/spark-distill-app.jar");
      assertThat(line.confs())
          .as("--conf keys of %s", line)
          .containsEntry("spark.driver.extraJavaOptions", "-Dai.djl.offline=true")
          .containsEntry("spark.executor.extraJavaOptions", "-Dai.djl.offline=true");
      assertThat(line.option("--executor-memory")).as("executor memory of %s", line).isNotBlank();
      assertThat(line.option("--executor-cores")).as("executor cores of %s", line).isNotBlank();
      // Unquoted, HOCON would read hdfs: and a comment; the README must quote the URI.
      assertThat(ConfigFactory.parseString("run.root = " + line.setting("run.root")).getString("run.root"))
          .as("run.root of %s, read as HOCON", line)
          .isEqualTo("hdfs:///distill/runs/my-run");
    }
    assertThat(lines.stage().appArgs())
        .as("the one-stage line's arguments are the whole-DAG line's without the verb")
        .isEqualTo(lines.whole().appArgs().subList(1, lines.whole().appArgs().size()));
    assertThat(lines.stage().withOption("--class", DistillMain.class.getName()).options())
        .as("the one-stage line's options are the whole-DAG line's but for --class")
        .isEqualTo(lines.whole().options());
  }

  @Test
  void readmeNamesEveryStageJobClass() throws IOException {
    String readme =
        Files.readString(PROJECT.resolve("README.md"), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    List<String> names = new ArrayList<>();
    SubmitLines.STAGE_JOBS.keySet().forEach(c -> names.add("`" + c.getSimpleName() + "`"));
    assertThat(readme).contains(String.join(", ", names.subList(0, names.size() - 1)));
    assertThat(readme).contains(names.get(names.size() - 1));
  }

  @Test
  void splitsWordsAsBashDoes() {
    List<SubmitLine> lines =
        SubmitLine.parseBlock(
            String.join(
                "\n",
                "# a comment line",
                "spark-submit --master 'local[2]' \\",
                "  --conf \"spark.executor.extraJavaOptions=-Da=1 -Db=\\\"two\\\"\" \\",
                "  --conf=spark.x=y --verbose --class a.B \\",
                "  app.jar run my.conf --set 'run.root=\"hdfs:///x\"' --set k=a\\ b # a comment",
                "",
                "spark-submit --class c.D app.jar"));

    assertThat(lines).hasSize(2);
    SubmitLine first = lines.get(0);
    assertThat(first.option("--master")).isEqualTo("local[2]");
    assertThat(first.confs())
        .containsEntry("spark.executor.extraJavaOptions", "-Da=1 -Db=\"two\"")
        .containsEntry("spark.x", "y");
    assertThat(first.options()).contains(new SubmitLine.Option("--verbose", null));
    assertThat(first.mainClass()).isEqualTo("a.B");
    assertThat(first.appJar()).isEqualTo("app.jar");
    assertThat(first.appArgs())
        .containsExactly("run", "my.conf", "--set", "run.root=\"hdfs:///x\"", "--set", "k=a b");
    assertThat(first.setting("run.root")).isEqualTo("\"hdfs:///x\"");
    assertThat(lines.get(1).arguments()).containsExactly("--class", "c.D", "app.jar");
  }

  @Test
  void changesValuesByNameAndOnlyWhereTheyAre() {
    SubmitLine line =
        SubmitLine.parseBlock(
                "spark-submit --master spark://h:7077 --conf a=1 --class X app.jar c.conf --set r=1")
            .get(0);

    SubmitLine changed =
        line.withOption("--master", "local[1]")
            .withConf("a", "2")
            .withConf("b", "3")
            .withAppJar("/abs/app.jar")
            .withAppArg("c.conf", "/tmp/c.conf")
            .withSetting("r", "\"/tmp/r\"");

    assertThat(changed.arguments())
        .containsExactly(
            "--master", "local[1]", "--conf", "a=2", "--class", "X", "--conf", "b=3", "/abs/app.jar",
            "/tmp/c.conf", "--set", "r=\"/tmp/r\"");
    assertThatThrownBy(() -> line.withOption("--executor-memory", "1g"))
        .hasMessageContaining("--executor-memory appears 0 times");
    assertThatThrownBy(() -> line.withAppArg("other.conf", "x")).hasMessageContaining("other.conf");
    assertThatThrownBy(() -> line.withSetting("run.root", "x")).hasMessageContaining("run.root");
  }

  @Test
  void refusesWhatOnlyAShellCouldRun() {
    assertThatThrownBy(() -> SubmitLine.parseBlock("spark-submit --class $JOB app.jar"))
        .hasMessageContaining("'$' needs a shell")
        .hasMessageContaining("--class $JOB");
    assertThatThrownBy(() -> SubmitLine.parseBlock("spark-submit --name \"`date`\" --class X a.jar"))
        .hasMessageContaining("'`' needs a shell");
    assertThatThrownBy(() -> SubmitLine.parseBlock("spark-submit --class X a.jar && echo ok"))
        .hasMessageContaining("'&' needs a shell");
    assertThatThrownBy(() -> SubmitLine.parseBlock("java -jar a.jar"))
        .hasMessageContaining("not a spark-submit command");
    assertThatThrownBy(() -> SubmitLine.parseBlock("spark-submit --class X --master"))
        .hasMessageContaining("--master has no value");
  }

  @Test
  void findsTheBlockAfterItsMarker() {
    String markdown =
        String.join(
            "\n", "text", "<!-- m -->", "```bash", "spark-submit --class X a.jar", "```", "more");
    assertThat(SubmitLine.parseBlock(SubmitLine.block(markdown, "m")).get(0).mainClass())
        .isEqualTo("X");
    assertThatThrownBy(() -> SubmitLine.block(markdown, "other"))
        .hasMessageContaining("<!-- other -->");
    assertThatThrownBy(() -> SubmitLine.block("<!-- m -->\ntext", "m"))
        .hasMessageContaining("not followed by a fenced block");
  }
}
