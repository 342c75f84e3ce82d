package io.sparkdistill.pipeline.imageclassification;

import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.task.IngestedSplits;
import io.sparkdistill.pipeline.task.SoftLabelJob;
import io.sparkdistill.pipeline.task.StudentTraining;
import io.sparkdistill.pipeline.task.Task;
import io.sparkdistill.pipeline.task.TeacherTraining;
import io.sparkdistill.pipeline.task.TestScoring;
import io.sparkdistill.pipeline.eval.EvaluationTable;
import io.sparkdistill.pipeline.report.Report;
import java.util.List;
import org.apache.spark.sql.types.StructType;
import java.util.Map;

/**
 * Image classification ({@code dataset.format} idx or image-folder): images decoded to {@code
 * ingest.image}, CNN/ResNet classifiers, soft labels per (example, view), top-1 evaluation.
 */
public final class ImageClassification implements Task {
  public static final String NAME = "image-classification";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> ingestConfig() {
    return ImageIngest.config();
  }

  @Override
  public List<String> rawInputs(RunConfig config) {
    return ImageIngest.rawInputs(config.dataset());
  }

  @Override
  public IngestedSplits ingest(StageContext context) {
    return ImageIngest.ingest(context);
  }

  /** The class names are written with the examples; nothing else derives from them. */
  @Override
  public StageOutcome deriveFromExamples(StageContext context) {
    return new StageOutcome(Map.of(), Map.of(), List.of());
  }

  @Override
  public List<String> teacherConfig() {
    return List.of();
  }

  @Override
  public String teacherExample() {
    return ClassifierTeachers.example();
  }

  @Override
  public void checkRegistered(StageContext context, TeacherSettings teacher) {
    ClassifierTeachers.checkRegistered(context, teacher);
  }

  @Override
  public TeacherTraining teacherTraining(StageContext context) {
    return new ClassifierTeachers(context);
  }

  @Override
  public SoftLabelJob softLabelJob(StageContext context) {
    return new ClassifierSoftLabels(context);
  }

  /** The teachers' merged (example, view) distributions: as large as one teacher's table. */
  @Override
  public boolean mergesEnsemble() {
    return true;
  }

  @Override
  public void checkStudents(RunConfig config) {
    ClassifierStudents.validate(config);
  }

  @Override
  public StudentTraining studentTraining(StageContext context) {
    return ClassifierStudents.load(context);
  }

  @Override
  public List<String> evaluateConfig() {
    return ClassifierScoring.config();
  }

  @Override
  public String modelsTable() {
    return EvaluationTable.MODELS;
  }

  @Override
  public StructType modelsSchema() {
    return EvaluationTable.MODELS_SCHEMA;
  }

  @Override
  public String accuracyName() {
    return Report.TOP1;
  }

  @Override
  public TestScoring testScoring(StageContext context) {
    return new ClassifierScoring(context);
  }
}
