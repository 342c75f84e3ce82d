package io.sparkdistill.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.sparkdistill.datasets.text.classification.GlueColumns;
import io.sparkdistill.datasets.text.classification.GlueTsvSource;
import io.sparkdistill.datasets.text.classification.SpamAssassinSource;
import io.sparkdistill.pipeline.downstream.ClassifierBlock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code downstream} section, read from the HOCON proposed for reference.conf. */
class DownstreamSettingsTest {
  private static final String REFERENCE =
      "downstream {\n"
          + "  format = spam-assassin\n"
          + "  root = \"/usr/share/datasets/spam-assassin/data\"\n"
          + "  task = \"\"\n"
          + "  glue { text-column = sentence, text-b-column = \"\", label-column = label,"
          + " labels = [] }\n"
          + "  test-fraction = 0.2\n"
          + "  train-examples = 2000\n"
          + "  test-examples = 1000\n"
          + "  epochs = 3\n"
          + "  batch-size = 32\n"
          + "  learning-rate = 0.001\n"
          + "  seed = 17\n"
          + "  pooling = cls\n"
          + "}\n";

  private static DownstreamSettings read(String overrides) {
    return DownstreamSettings.from(
        new ConfigReader(
            ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.parseString(REFERENCE))
                .resolve()));
  }

  @Test
  void readsTheDefaultsAndNamesTheTaskAfterTheFormat() {
    DownstreamSettings settings = read("");

    assertThat(settings.enabled()).isTrue();
    assertThat(settings.format()).isEqualTo(DownstreamSettings.Format.SPAM_ASSASSIN);
    assertThat(settings.task()).isEqualTo("spam-assassin");
    assertThat(settings.trainExamples()).isEqualTo(2000);
    assertThat(settings.testFraction()).isEqualTo(0.2);
    assertThat(settings.learningRate()).isEqualTo(1e-3);
    assertThat(settings.pooling()).isEqualTo(DownstreamSettings.Pooling.CLS);
    assertThat(read("downstream.pooling = mean").pooling()).isEqualTo(DownstreamSettings.Pooling.MEAN);
    assertThat(read("downstream.format = none").enabled()).isFalse();
  }

  @Test
  void readsGlueColumnsAndLabels() {
    DownstreamSettings settings =
        read(
            "downstream { format = glue-tsv, root = /data/glue/QNLI, task = qnli,"
                + " glue { text-column = question, text-b-column = sentence,"
                + " labels = [entailment, not_entailment] } }");

    assertThat(settings.task()).isEqualTo("qnli");
    assertThat(settings.glue())
        .isEqualTo(
            new GlueColumns(
                "question", "sentence", "label", List.of("entailment", "not_entailment")));
    assertThat(settings.newSource()).isInstanceOf(GlueTsvSource.class);
    assertThat(read("").newSource()).isInstanceOf(SpamAssassinSource.class);
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> read("downstream.format = glue"))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("downstream.format: must be one of none, spam-assassin, glue-tsv");
    assertThatThrownBy(() -> read("downstream.root = \"\""))
        .hasMessageContaining("downstream.root: must name the task's folder");
    assertThatThrownBy(() -> read("downstream.test-fraction = 1"))
        .hasMessageContaining("downstream.test-fraction: must be in (0, 1), got 1.0");
    assertThatThrownBy(() -> read("downstream.glue.labels = [a, a]"))
        .hasMessageContaining("downstream.glue.labels: must not repeat a label");
    assertThatThrownBy(() -> read("downstream.glue.label-column = \"\""))
        .hasMessageContaining("downstream.glue: label column must be a non-empty header name");
    assertThatThrownBy(() -> read("downstream.epochs = 0"))
        .hasMessageContaining("downstream.epochs: must be at least 1, got 0");
  }
}
