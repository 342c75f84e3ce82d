package io.sparkdistill.pipeline.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelInfoTest {
  @TempDir Path dir;

  @Test
  void imageAndTextModelsSayWhatTheyAre() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    ModelInfo image =
        ModelInfo.ofImage("cnn", ModelInfo.DJL, "model", 10, 28, 28, 1, List.of(0.5), List.of(0.25), 0.9, true);
    ModelInfo text = ModelInfo.ofMlm("bert", new MlmSpec(500, 16, 1, 2, 32, 64, 0.0), 0.2, false);
    image.write(fs, new org.apache.hadoop.fs.Path(dir.resolve("image").toString()));
    text.write(fs, new org.apache.hadoop.fs.Path(dir.resolve("text").toString()));

    assertThat(ModelInfo.read(fs, new org.apache.hadoop.fs.Path(dir.resolve("image").toString()))).isEqualTo(image);
    ModelInfo read = ModelInfo.read(fs, new org.apache.hadoop.fs.Path(dir.resolve("text").toString()));
    assertThat(read).isEqualTo(text);
    assertThat(read.tokenModel().vocabularySize()).isEqualTo(500);
    assertThat(read.tokenModel().sequenceLength()).isEqualTo(64);
    assertThat(Files.readString(dir.resolve("text/model.json")))
        .contains("\"vocabulary_size\" : 500", "\"sequence_length\" : 64")
        .doesNotContain("\"classes\"");
    assertThatThrownBy(read::classes).hasMessageContaining("'bert' is a masked-language model");
    assertThatThrownBy(image::tokenModel).hasMessageContaining("'cnn' is an image classifier");
  }

  /** model.json of format 1 stored a vocabulary as classes: refused, naming the version and the fix. */
  @Test
  void formatOneIsRefusedWithWhatToRerun() throws Exception {
    Files.createDirectories(dir.resolve("old"));
    Files.writeString(
        dir.resolve("old/model.json"),
        "{\"format_version\": 1, \"name\": \"t\", \"kind\": \"djl\", \"model\": \"model\", \"classes\": 5000,"
            + " \"input_height\": 64, \"input_width\": 1, \"input_channels\": 1, \"mean\": [], \"std\": [],"
            + " \"test_accuracy\": 0.1, \"trained\": true}");
    FileSystem fs = FileSystem.getLocal(new Configuration());

    assertThatThrownBy(() -> ModelInfo.read(fs, new org.apache.hadoop.fs.Path(dir.resolve("old").toString())))
        .hasMessageContaining("model.json format version 1, this build reads format 2")
        .hasMessageContaining("--from <stage>");
  }
}
