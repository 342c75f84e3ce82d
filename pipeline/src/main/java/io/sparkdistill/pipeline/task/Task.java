package io.sparkdistill.pipeline.task;

import io.sparkdistill.pipeline.config.RunConfig;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageOutcome;
import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * What differs between the learning tasks the DAG runs (image classification, masked language
 * modelling): how raw data becomes example rows, how a teacher is trained and checked, how a model
 * labels and scores a partition. Every stage is written once and asks the run's task for these
 * parts, as Lightning's {@code Trainer} asks a {@code LightningModule} for its steps; a third task
 * implements this interface and is chosen in {@code io.sparkdistill.pipeline.Stages}.
 */
public interface Task {
  /** {@code image-classification} or {@code masked-language-modeling}, as logs and manifests name it. */
  String name();

  // ---- ingest ----

  /** Configuration paths, besides {@code ingest.*} shared by every task, that decide ingest's output. */
  List<String> ingestConfig();

  /** The raw inputs (files or folders) that must exist before ingest, fingerprinted for re-runs. */
  List<String> rawInputs(RunConfig config);

  /** Reads the raw dataset and writes ingest's examples and rejected tables; counts every input. */
  IngestedSplits ingest(StageContext context) throws Exception;

  /**
   * Writes what is derived from accepted examples (the class-name table; the vocabulary and the
   * masked sequences) once the stage has checked the counts.
   */
  StageOutcome deriveFromExamples(StageContext context);

  // ---- train-teachers ----

  /** Configuration paths, besides the teachers' own sections, that decide the teachers. */
  List<String> teacherConfig();

  /** A {@code teachers} section that would work, for the message when there is none. */
  String teacherExample();

  /** Checks a registered teacher's checkpoint before any work (the file itself already exists). */
  void checkRegistered(StageContext context, TeacherSettings teacher);

  /** Trains and registers this run's teachers, the test split loaded once. */
  TeacherTraining teacherTraining(StageContext context) throws Exception;

  // ---- soft-labels ----

  /** What soft-labels reads and how a teacher labels it, for this run. */
  SoftLabelJob softLabelJob(StageContext context);

  // ---- ensemble ----

  /**
   * Whether the ensemble stage merges the teachers' soft labels into one table; when not, students
   * of policy mean average the stored soft labels of their teachers as they train.
   */
  boolean mergesEnsemble();

  // ---- train-students ----

  /** Checks the students' settings against the task before any work (policies, views, sizes). */
  void checkStudents(RunConfig config);

  /** The students' data loaded and their loop ready, for the stage's plan matrix. */
  StudentTraining studentTraining(StageContext context);

  // ---- evaluate ----

  /** Configuration paths that decide evaluate's output. */
  List<String> evaluateConfig();

  /** What evaluate scores every model on, and how. */
  TestScoring testScoring(StageContext context);

  /** Evaluate's models table (the folder under {@code evaluate/}), which the report reads. */
  String modelsTable();

  /** Its schema: the model columns, {@code top1} and {@code ece}, and the task's other figures. */
  StructType modelsSchema();

  // ---- report ----

  /** What the report calls the figure in the models table's {@code top1} column. */
  String accuracyName();
}
