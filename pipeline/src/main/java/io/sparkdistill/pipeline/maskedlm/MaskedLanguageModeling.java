package io.sparkdistill.pipeline.maskedlm;

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
import io.sparkdistill.pipeline.eval.TextEvaluationTable;
import io.sparkdistill.pipeline.report.Report;
import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * Masked language modelling ({@code dataset.format} brown, c4 or text): a corpus packed into
 * masked sequences over a learned vocabulary, BERT-style models, soft labels per masked position,
 * masked-token accuracy and perplexity, and an optional downstream classification task.
 */
public final class MaskedLanguageModeling implements Task {
  public static final String NAME = "masked-language-modeling";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> ingestConfig() {
    return CorpusIngest.config();
  }

  @Override
  public List<String> rawInputs(RunConfig config) {
    return List.of(config.dataset().text().root());
  }

  @Override
  public IngestedSplits ingest(StageContext context) {
    return CorpusIngest.ingest(context);
  }

  @Override
  public StageOutcome deriveFromExamples(StageContext context) {
    return CorpusIngest.derive(context);
  }

  /** The vocabulary and sequence length decide the teachers' shapes. */
  @Override
  public List<String> teacherConfig() {
    return List.of("text");
  }

  @Override
  public String teacherExample() {
    return MaskedLmTeachers.example();
  }

  @Override
  public void checkRegistered(StageContext context, TeacherSettings teacher) {
    MaskedLmTeachers.checkRegistered(context, teacher);
  }

  @Override
  public TeacherTraining teacherTraining(StageContext context) {
    return new MaskedLmTeachers(context);
  }

  @Override
  public SoftLabelJob softLabelJob(StageContext context) {
    return new MaskedLmSoftLabels(context);
  }

  /**
   * A merged table of masked positions over a whole vocabulary would be as large as the teachers'
   * tables together for no saving: students of policy mean average the stored top-k as they train.
   */
  @Override
  public boolean mergesEnsemble() {
    return false;
  }

  @Override
  public void checkStudents(RunConfig config) {
    MaskedLmStudents.validate(config);
  }

  @Override
  public StudentTraining studentTraining(StageContext context) {
    return MaskedLmStudents.load(context);
  }

  @Override
  public List<String> evaluateConfig() {
    return MaskedLmScoring.config();
  }

  @Override
  public String modelsTable() {
    return TextEvaluationTable.MODELS;
  }

  @Override
  public StructType modelsSchema() {
    return TextEvaluationTable.MODELS_SCHEMA;
  }

  @Override
  public String accuracyName() {
    return Report.MASKED_TOKEN;
  }

  @Override
  public TestScoring testScoring(StageContext context) {
    return new MaskedLmScoring(context);
  }
}
