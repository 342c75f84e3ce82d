package io.sparkdistill.pipeline;

import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageRegistry;
import io.sparkdistill.pipeline.ensemble.EnsembleStage;
import io.sparkdistill.pipeline.eval.EvaluateStage;
import io.sparkdistill.pipeline.imageclassification.ImageClassification;
import io.sparkdistill.pipeline.ingest.IngestStage;
import io.sparkdistill.pipeline.maskedlm.MaskedLanguageModeling;
import io.sparkdistill.pipeline.report.ReportStage;
import io.sparkdistill.pipeline.softlabels.SoftLabelStage;
import io.sparkdistill.pipeline.students.TrainStudentsStage;
import io.sparkdistill.pipeline.task.Task;
import io.sparkdistill.pipeline.teachers.TrainTeachersStage;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The wiring of the DAG: one stage class per {@link StageName}, each given the run's {@link Task}.
 * It sits above the stages and the tasks so that neither imports the other's implementations.
 */
public final class Stages {
  private Stages() {}

  /** The task {@code dataset.format} implies: masked language modelling for a text format. */
  public static Task task(RunConfig config) {
    return config.dataset().isText() ? new MaskedLanguageModeling() : new ImageClassification();
  }

  /** Every stage of the DAG, made for the run's task. */
  public static StageRegistry standard() {
    Map<StageName, Function<RunConfig, Stage>> stages = new EnumMap<>(StageName.class);
    stages.put(StageName.INGEST, config -> new IngestStage(task(config)));
    stages.put(StageName.TRAIN_TEACHERS, config -> new TrainTeachersStage(task(config)));
    stages.put(StageName.SOFT_LABELS, config -> new SoftLabelStage(task(config)));
    stages.put(StageName.ENSEMBLE, config -> new EnsembleStage(task(config)));
    stages.put(StageName.TRAIN_STUDENTS, config -> new TrainStudentsStage(task(config)));
    stages.put(StageName.EVALUATE, config -> new EvaluateStage(task(config)));
    stages.put(StageName.REPORT, config -> new ReportStage(task(config)));
    return StageRegistry.configured(stages);
  }
}
