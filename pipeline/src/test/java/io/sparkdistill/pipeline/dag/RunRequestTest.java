package io.sparkdistill.pipeline.dag;

import io.sparkdistill.pipeline.Stages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.DatasetException;
import io.sparkdistill.pipeline.config.ConfigError;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

class RunRequestTest {
  @Test
  void parsesTheWholeCommandLine() {
    RunRequest request =
        RunRequest.parse(
            new String[] {"run", "conf/x.conf", "--stages", "ingest,train-teachers", "--force", "--set", "a=1", "--set=b=2", "--dry-run"},
            null);

    assertThat(request.config()).isEqualTo(Path.of("conf/x.conf"));
    assertThat(request.stages()).containsExactly(StageName.INGEST, StageName.TRAIN_TEACHERS);
    assertThat(request.overrides()).containsExactly("a=1", "b=2");
    assertThat(request.force()).isTrue();
    assertThat(request.dryRun()).isTrue();
    assertThat(request.from()).isNull();
  }

  @Test
  void verifyIsAVerb() {
    RunRequest request = RunRequest.parse(new String[] {"verify", "x.conf", "--set", "run.root=/r"}, null);

    assertThat(request.verify()).isTrue();
    assertThat(request.listDatasets()).isFalse();
    assertThat(request.overrides()).containsExactly("run.root=/r");
    assertThat(RunRequest.parse(new String[] {"run", "x.conf"}, null).verify()).isFalse();
  }

  @Test
  void aStageJobHasNoVerbAndRunsOnlyItsStage() {
    RunRequest request = RunRequest.parse(new String[] {"x.conf"}, StageName.INGEST);

    assertThat(request.stages()).containsExactly(StageName.INGEST);
    assertThatThrownBy(() -> RunRequest.parse(new String[] {"x.conf", "--from", "ingest"}, StageName.INGEST))
        .isInstanceOf(UsageError.class)
        .hasMessageContaining("--from is for 'distill run'");
  }

  @Test
  void mistakesAreUsageErrors() {
    assertThatThrownBy(() -> RunRequest.parse(new String[] {"go", "x.conf"}, null))
        .isInstanceOf(UsageError.class)
        .hasMessage("unknown command 'go'");
    assertThatThrownBy(() -> RunRequest.parse(new String[] {"run"}, null))
        .hasMessage("no configuration file given");
    assertThatThrownBy(() -> RunRequest.parse(new String[] {"run", "x.conf", "--set"}, null))
        .hasMessage("--set needs a value");
    assertThatThrownBy(() -> RunRequest.parse(new String[] {"run", "x.conf", "--fast"}, null))
        .hasMessage("unknown option '--fast'");
    assertThatThrownBy(() -> RunRequest.parse(new String[] {"run", "x.conf", "y.conf"}, null))
        .hasMessageContaining("one configuration file only");
  }

  @Test
  void failuresMapToDistinctExitCodesEvenWhenSparkWrapsThem() {
    assertThat(Launcher.classify(new ConfigError("x"))).isEqualTo(ExitCode.BAD_CONFIG);
    assertThat(Launcher.classify(new SparkException("job aborted", new DatasetException("bad file"))))
        .isEqualTo(ExitCode.BAD_INPUT);
    assertThat(Launcher.classify(new IllegalStateException("boom"))).isEqualTo(ExitCode.FAILURE);
    assertThat(List.of(ExitCode.values())).extracting(ExitCode::code).containsExactly(0, 2, 3, 4, 5);
  }

  @Test
  void theLauncherReturnsTheConfigExitCodeForAMissingFile() {
    int code = Launcher.run(new String[] {"run", "/nonexistent/x.conf"}, null, Stages.standard());

    assertThat(code).isEqualTo(2);
  }
}
