package io.sparkdistill.pipeline.dag;

import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.ensemble.EnsembleStage;
import io.sparkdistill.pipeline.eval.EvaluateStage;
import io.sparkdistill.pipeline.eval.TextEvaluateStage;
import io.sparkdistill.pipeline.ingest.IngestStage;
import io.sparkdistill.pipeline.report.ReportStage;
import io.sparkdistill.pipeline.softlabels.SoftLabelStage;
import io.sparkdistill.pipeline.softlabels.TextSoftLabelStage;
import io.sparkdistill.pipeline.students.TrainStudentsStage;
import io.sparkdistill.pipeline.teachers.TrainTeachersStage;
import io.sparkdistill.pipeline.teachers.TrainTextTeachersStage;
import io.sparkdistill.pipeline.textingest.TextIngestStage;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stages this build can run. A stage of the DAG that is not registered yet is known by name
 * ({@link StageName}) but asking for it is a clear error. A stage is made from the run's
 * configuration, so one DAG serves both data paths: the image stages, or the text stages when
 * {@code dataset.format} is a text format.
 */
public final class StageRegistry {
  private final Map<StageName, Function<RunConfig, Stage>> stages;

  /** Stages that are the same whatever the configuration (tests register fakes this way). */
  public StageRegistry(Map<StageName, Supplier<Stage>> stages) {
    this(fixed(stages));
  }

  private StageRegistry(EnumMap<StageName, Function<RunConfig, Stage>> stages) {
    this.stages = Collections.unmodifiableMap(stages);
  }

  /**
   * Stages chosen from the configuration: each factory sees the run's {@link RunConfig} and may
   * throw a {@link ConfigError} when the configuration has no such stage.
   */
  public static StageRegistry configured(Map<StageName, Function<RunConfig, Stage>> stages) {
    EnumMap<StageName, Function<RunConfig, Stage>> copy = new EnumMap<>(StageName.class);
    copy.putAll(stages);
    return new StageRegistry(copy);
  }

  /**
   * Every stage implemented in this build: for an image dataset the image stages; for a text
   * dataset ({@code brown}, {@code c4}, {@code text}) the masked-language-model stages where they
   * differ. Ensemble, train-students and report serve both paths (they read the config).
   */
  public static StageRegistry standard() {
    Map<StageName, Function<RunConfig, Stage>> stages = new EnumMap<>(StageName.class);
    stages.put(StageName.INGEST, byPath(IngestStage::new, TextIngestStage::new));
    stages.put(StageName.TRAIN_TEACHERS, byPath(TrainTeachersStage::new, TrainTextTeachersStage::new));
    stages.put(StageName.SOFT_LABELS, byPath(SoftLabelStage::new, TextSoftLabelStage::new));
    stages.put(StageName.ENSEMBLE, config -> new EnsembleStage());
    stages.put(StageName.TRAIN_STUDENTS, config -> new TrainStudentsStage());
    stages.put(StageName.EVALUATE, byPath(EvaluateStage::new, TextEvaluateStage::new));
    stages.put(StageName.REPORT, config -> new ReportStage());
    return configured(stages);
  }

  /** The image stage, or the text stage when {@code dataset.format} is a text format. */
  private static Function<RunConfig, Stage> byPath(Supplier<Stage> image, Supplier<Stage> text) {
    return config -> config.dataset().isText() ? text.get() : image.get();
  }

  private static EnumMap<StageName, Function<RunConfig, Stage>> fixed(
      Map<StageName, Supplier<Stage>> stages) {
    EnumMap<StageName, Function<RunConfig, Stage>> factories = new EnumMap<>(StageName.class);
    stages.forEach((name, supplier) -> factories.put(name, config -> supplier.get()));
    return factories;
  }

  public Set<StageName> available() {
    return stages.keySet();
  }

  /**
   * The stage {@code name} for the run configured by {@code config}.
   *
   * @throws UsageError when this build has no such stage
   * @throws ConfigError when the configuration's data path has no such stage
   */
  public Stage create(StageName name, RunConfig config) {
    Function<RunConfig, Stage> factory = stages.get(name);
    if (factory == null) {
      throw new UsageError(
          "stage '" + name + "' is not available in this build yet; available: " + available());
    }
    return factory.apply(config);
  }
}
