package io.sparkdistill.pipeline.config;

import io.sparkdistill.pipeline.models.MlmSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.image.AlphaPolicy;
import io.sparkdistill.datasets.image.ImageShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void fillsDefaultsFromTheReferenceAndResolvesTheRunRootFromTheRunName() throws IOException {
    RunConfig config = ConfigLoader.load(write("a.conf", "run.name = demo\ningest.shards = 32"), List.of());

    assertThat(config.run().root()).isEqualTo("runs/demo");
    assertThat(config.ingest().shards()).isEqualTo(32);
    assertThat(config.ingest().image())
        .isEqualTo(new ImageShape(28, 28, 1, ImageShape.ResizeMode.CENTER_CROP));
    assertThat(config.ingest().alpha()).isEqualTo(AlphaPolicy.DROP);
    assertThat(config.dataset().format()).isEqualTo(DatasetSettings.Format.IDX);
    assertThat(config.dataset().idx().trainImages())
        .isEqualTo("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
    assertThat(config.dataset().idx().classNames()).hasSize(10).startsWith("T-shirt/top");
  }

  @Test
  void overridesWinInOrderAndPassSparkKeysThrough() throws IOException {
    Path file = write("a.conf", "ingest.shards = 32\nspark.conf { \"spark.ui.enabled\" = false }");

    RunConfig config =
        ConfigLoader.load(file, List.of("ingest.shards=8", "ingest.shards=9", "ingest.image.resize=stretch"));

    assertThat(config.ingest().shards()).isEqualTo(9);
    assertThat(config.ingest().image().resize()).isEqualTo(ImageShape.ResizeMode.STRETCH);
    assertThat(config.spark().conf()).containsEntry("spark.ui.enabled", "false");
  }

  @Test
  void ingestAlphaIsDropWhiteOrBlack() throws IOException {
    Path file = write("a.conf", "ingest.alpha = white");

    assertThat(ConfigLoader.load(file, List.of()).ingest().alpha()).isEqualTo(AlphaPolicy.WHITE);
    assertThat(ConfigLoader.load(file, List.of("ingest.alpha=black")).ingest().alpha())
        .isEqualTo(AlphaPolicy.BLACK);
    assertThatThrownBy(() -> ConfigLoader.load(file, List.of("ingest.alpha=grey")))
        .hasMessageContaining("ingest.alpha")
        .hasMessageContaining("must be one of drop, white, black, got 'grey'");
  }

  @Test
  void theShippedRunFilesLoad() {
    Path conf = Path.of(System.getProperty("user.dir")).resolve("../conf");
    RunConfig full = ConfigLoader.load(conf.resolve("fashion-mnist.conf"), List.of());
    RunConfig quick = ConfigLoader.load(conf.resolve("fashion-mnist-quick.conf"), List.of());

    assertThat(full.run().root()).isEqualTo("runs/fashion-mnist");
    assertThat(quick.run().root()).isEqualTo("runs/fashion-mnist-quick");
    assertThat(quick.dataset()).isEqualTo(full.dataset());
    assertThat(full.embeddedDatasets()).containsExactly("fashion-mnist");
  }

  @Test
  void theShippedTextRunFilesLoadAndNameTheDatasetsTheyRead() {
    Path conf = Path.of(System.getProperty("user.dir")).resolve("../conf");
    RunConfig demo = ConfigLoader.load(conf.resolve("brown-mlm.conf"), List.of());
    RunConfig quick = ConfigLoader.load(conf.resolve("brown-mlm-quick.conf"), List.of());
    RunConfig cluster = ConfigLoader.load(conf.resolve("c4-bert.conf"), List.of());

    assertThat(demo.embeddedDatasets()).containsExactly("brown", "spam-assassin");
    assertThat(quick.embeddedDatasets()).containsExactly("brown", "spam-assassin");
    assertThat(cluster.embeddedDatasets()).as("hdfs paths only").isEmpty();
    assertThat(ConfigLoader.load(conf.resolve("brown-mlm.conf"), List.of("downstream.format=none"))
            .embeddedDatasets())
        .containsExactly("brown");
    assertThat(MlmSpec.of(demo.teachers().get(0).network(), 5000, 64).hiddenSize()).isEqualTo(128);
    assertThat(cluster.downstream().format()).isEqualTo(DownstreamSettings.Format.GLUE_TSV);
  }

  @Test
  void theTextPathTrainsBertAndTheImagePathDoesNot() throws IOException {
    Path text = write("t.conf", "dataset { format = brown, text.root = /tmp/x }\n"
        + "students { variants { baseline { policy = none } } }");
    assertThatThrownBy(() -> ConfigLoader.load(text, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("students.architecture")
        .hasMessageContaining("trains bert networks, got cnn");
    Path image = write("i.conf", "teachers { t { architecture = bert } }");
    assertThatThrownBy(() -> ConfigLoader.load(image, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("teachers.t.architecture")
        .hasMessageContaining("bert is the text architecture");
  }

  @Test
  void studentVariantsAreCheckedAgainstTheirTemplateAndTheTeachers() throws IOException {
    String teachers = "teachers { big { width = 8 }, small { width = 4 } }\n";
    RunConfig config =
        ConfigLoader.load(
            write("students.conf", teachers
                + "students.variants { base { policy = none }, kd { teachers = [big], stop-fraction = 0.5 } }"),
            List.of());
    assertThat(config.students().variants()).extracting(VariantSettings::name).containsExactly("base", "kd");
    VariantSettings kd = config.students().variants().get(1);
    assertThat(kd.alpha()).isEqualTo(0.9); // from variant-defaults
    assertThat(kd.stopStep(100)).isEqualTo(50);
    assertThat(config.students().variants().get(0).stopStep(100)).isZero();

    assertThatThrownBy(() -> ConfigLoader.load(write("s1.conf", teachers + "students.variants.kd { stop-fracton = 1 }"), List.of()))
        .hasMessageContaining("unknown key 'students.variants.kd.stop-fracton'")
        .hasMessageContaining("did you mean 'students.variants.kd.stop-fraction'?");
    assertThatThrownBy(() -> ConfigLoader.load(write("s2.conf", teachers + "students.variants.kd { teachers = [big, small] }"), List.of()))
        .hasMessageContaining("students.variants.kd.teachers")
        .hasMessageContaining("policy single takes exactly one teacher");
    assertThatThrownBy(() -> ConfigLoader.load(write("s3.conf", teachers + "students.variants.kd { teachers = [huge] }"), List.of()))
        .hasMessageContaining("names teacher 'huge', but teachers has only [big, small]");
    assertThatThrownBy(() -> ConfigLoader.load(write("s4.conf", teachers + "students.budgets = [0.5, 0.25]"), List.of()))
        .hasMessageContaining("students.budgets")
        .hasMessageContaining("strictly ascending");
    assertThatThrownBy(() -> ConfigLoader.load(write("s5.conf", teachers + "students.variants.r { policy = random, teachers = [big] }"), List.of()))
        .hasMessageContaining("policy random draws from two or more teachers");
  }

  @Test
  void anUnknownKeyNamesTheKeyTheFileAndTheLikelyIntent() throws IOException {
    Path file = write("typo.conf", "ingest {\n  shrads = 4\n}\n");

    assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("unknown key 'ingest.shrads'")
        .hasMessageContaining("typo.conf: 2")
        .hasMessageContaining("did you mean 'ingest.shards'?");
  }

  @Test
  void anUnknownOverrideKeyIsRejectedToo() throws IOException {
    Path file = write("a.conf", "");

    assertThatThrownBy(() -> ConfigLoader.load(file, List.of("nonsense.key=1")))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("unknown key 'nonsense'")
        .hasMessageContaining("--set nonsense.key=1");
  }

  @Test
  void aWrongTypeNamesTheKeyAndLine() throws IOException {
    Path file = write("type.conf", "\ningest.shards = many\n");

    assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("ingest.shards")
        .hasMessageContaining("type.conf: 2")
        .hasMessageContaining("NUMBER");
  }

  @Test
  void anOutOfRangeValueNamesTheKeyTheValueAndTheOrigin() throws IOException {
    Path file = write("range.conf", "ingest.max-rejected-fraction = 1.5\n");

    assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageStartingWith("ingest.max-rejected-fraction: must be between 0 and 1, got 1.5 (")
        .hasMessageEndingWith("range.conf: 1)");
  }

  @Test
  void theStragglerFactorDefaultsToOneAndAHalfAndMustExceedOne() throws IOException {
    Path file = write("straggler.conf", "report.straggler-factor = 1.0\n");

    assertThat(ConfigLoader.load(write("plain.conf", ""), List.of()).report().stragglerFactor()).isEqualTo(1.5);
    assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageStartingWith("report.straggler-factor: must be a finite number above 1, got 1.0 (")
        .hasMessageEndingWith("straggler.conf: 1)");
  }

  @Test
  void aBadEnumListsTheAllowedValues() throws IOException {
    Path file = write("a.conf", "");

    assertThatThrownBy(() -> ConfigLoader.load(file, List.of("dataset.format=csv")))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining(
            "dataset.format: must be one of idx, image-folder, brown, c4, text, got 'csv' (--set dataset.format=csv");
  }

  @Test
  void textKeysLoadIntoTypedRecords() throws IOException {
    Path file =
        write(
            "text.conf",
            "dataset { format = c4, text { root = \"/data/c4\", file-pattern = \"c4-*.0000[0-4]-of-*\" } }\n"
                + "text { vocabulary.size = 8000, sequence-length = 64, views = 3, mask-seed = 5 }");

    RunConfig config = ConfigLoader.load(file, List.of("dataset.text.granularity=line"));

    assertThat(config.dataset().format()).isEqualTo(DatasetSettings.Format.C4);
    assertThat(config.dataset().isText()).isTrue();
    assertThat(config.dataset().text())
        .isEqualTo(
            new DatasetSettings.TextFiles(
                "/data/c4", "c4-*.0000[0-4]-of-*", io.sparkdistill.datasets.text.Granularity.LINE, 10));
    assertThat(config.text()).isEqualTo(new TextSettings(8000, 2, 64, 3, 5));
    // The image keys keep their defaults and the image path is not a text one.
    assertThat(ConfigLoader.load(write("img.conf", ""), List.of()).dataset().isText()).isFalse();
  }

  @Test
  void theShippedBrownRunLoads() {
    Path conf = Path.of(System.getProperty("user.dir")).resolve("../conf");
    RunConfig brown = ConfigLoader.load(conf.resolve("brown-mlm-quick.conf"), List.of());

    assertThat(brown.dataset().format()).isEqualTo(DatasetSettings.Format.BROWN);
    assertThat(brown.dataset().text().root()).isEqualTo("/usr/share/datasets/brown");
    assertThat(brown.text().vocabularySize()).isEqualTo(5000);
    assertThat(brown.text().sequenceLength()).isEqualTo(64);
    assertThat(brown.text().views()).isEqualTo(2);
  }

  @Test
  void badTextKeysAndValuesNameTheKey() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(write("t1.conf", "text {\n  vocabulary { sise = 10 }\n}"), List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("unknown key 'text.vocabulary.sise'")
        .hasMessageContaining("t1.conf: 2")
        .hasMessageContaining("did you mean 'text.vocabulary.size'?");
    assertThatThrownBy(() -> ConfigLoader.load(write("t2.conf", "dataset.text.granularty = line"), List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("did you mean 'dataset.text.granularity'?");
    assertThatThrownBy(() -> ConfigLoader.load(write("t3.conf", "text.sequence-length = 2"), List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageStartingWith("text.sequence-length: must be at least 8, got 2 (")
        .hasMessageContaining("t3.conf: 1");
    assertThatThrownBy(() -> ConfigLoader.load(write("t4.conf", "dataset.text.test-fraction = 0.125"), List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("dataset.text.test-fraction: must be a whole percentage");
    assertThatThrownBy(() -> ConfigLoader.load(write("t5.conf", "dataset.text.granularity = sentence"), List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("dataset.text.granularity: must be one of line, paragraph, file, got 'sentence'");
    assertThatThrownBy(() -> ConfigLoader.load(write("t6.conf", "dataset.format = brown"), List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("dataset.text.root: must name the corpus folder when dataset.format = brown");
    assertThatThrownBy(() -> ConfigLoader.load(write("t7.conf", "text.vocabulary.min-count = zero"), List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("text.vocabulary.min-count")
        .hasMessageContaining("NUMBER");
  }

  @Test
  void imageFolderNeedsARoot() throws IOException {
    Path file = write("a.conf", "dataset.format = image-folder");

    assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("dataset.image-folder.root: must name the dataset root");
  }

  @Test
  void aMissingFileOrBadSyntaxIsAConfigError() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.conf"), List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("configuration file not found");
    Path broken = write("broken.conf", "ingest { shards = 3");
    assertThatThrownBy(() -> ConfigLoader.load(broken, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("cannot parse")
        .hasMessageContaining("broken.conf");
    Path ok = write("ok.conf", "");
    assertThatThrownBy(() -> ConfigLoader.load(ok, List.of("ingest.shards")))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("--set takes key=value");
  }

  @Test
  void fingerprintsIgnoreOrderAndUnrelatedSections() throws IOException {
    RunConfig a = ConfigLoader.load(write("a.conf", "ingest { shards = 4, partitions = 2 }\nrun.name = x"), List.of());
    RunConfig b = ConfigLoader.load(write("b.conf", "ingest { partitions = 2, shards = 4 }\nrun.name = y"), List.of());
    RunConfig c = ConfigLoader.load(write("c.conf", "ingest { partitions = 3, shards = 4 }"), List.of());

    assertThat(a.fingerprint(List.of("ingest"))).isEqualTo(b.fingerprint(List.of("ingest")));
    assertThat(a.fingerprint(List.of("ingest"))).isNotEqualTo(c.fingerprint(List.of("ingest")));
    assertThat(a.fingerprint(List.of("run"))).isNotEqualTo(b.fingerprint(List.of("run")));
  }

  @Test
  void teachersTakeTheirDefaultsAndTheirKeysAreChecked() throws IOException {
    Path file =
        write(
            "t.conf",
            "teachers {\n  big { width = 64, epochs = 5, optimizer.type = sgd }\n  small { width = 8 }\n}\n"
                + "soft-labels.teachers = [small]");

    RunConfig config = ConfigLoader.load(file, List.of());

    assertThat(config.teachers()).extracting(TeacherSettings::name).containsExactly("big", "small");
    assertThat(config.teacher("big").epochs()).isEqualTo(5);
    assertThat(config.teacher("big").optimizer().type()).isEqualTo(io.sparkdistill.pipeline.config.OptimizerSettings.Type.SGD);
    assertThat(config.teacher("small").epochs()).isEqualTo(3);
    assertThat(config.softLabels().teachers()).containsExactly("small");

    Path typo = write("t2.conf", "teachers {\n  big {\n    widht = 64\n  }\n}\n");
    assertThatThrownBy(() -> ConfigLoader.load(typo, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("unknown key 'teachers.big.widht'")
        .hasMessageContaining("t2.conf: 3")
        .hasMessageContaining("did you mean 'teachers.big.width'?");

    Path badRef = write("t3.conf", "teachers { big {} }\nensemble.teachers = [big, tiny]");
    assertThatThrownBy(() -> ConfigLoader.load(badRef, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("ensemble.teachers: names teacher 'tiny', but teachers has only [big]");

    Path badLr = write("t4.conf", "teachers { big { optimizer.learning-rate = -1 } }");
    assertThatThrownBy(() -> ConfigLoader.load(badLr, List.of()))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("teachers.big.optimizer: learningRate must be positive");
  }
}
