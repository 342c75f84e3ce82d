package io.sparkdistill.pipeline.teachers;

import ai.djl.Model;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.models.CheckpointSpec;
import io.sparkdistill.pipeline.models.ModelFiles;
import io.sparkdistill.pipeline.models.ModelInfo;
import io.sparkdistill.pipeline.config.OptimizerSettings;
import io.sparkdistill.pipeline.train.StepMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SaveMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the teachers of every task share ({@link TrainTeachersStage} and the tasks' {@code
 * TeacherTraining}): the folder of a teacher, the inputs and checks of registered checkpoints,
 * and the one way a teacher's files are written: {@code model/} (a DJL checkpoint) or {@code
 * model.pt}, {@code metrics/} ({@link TrainingCurveTable}) and {@code model.json} last, so a
 * reader that finds {@code model.json} finds the model beside it.
 */
public final class TeacherFiles {
  private static final Logger LOG = LoggerFactory.getLogger(TeacherFiles.class);

  public static final String MODEL_DIR = "model";
  public static final String TORCHSCRIPT_FILE = "model.pt";
  public static final String METRICS = "metrics";

  private TeacherFiles() {}

  /** Size and modification time of every registered checkpoint, so a changed file re-runs the stage. */
  public static Map<String, String> registeredInputs(StageContext context) {
    Map<String, String> inputs = new TreeMap<>();
    for (TeacherSettings teacher : context.config().teachers()) {
      if (teacher.registered()) {
        inputs.put(teacher.checkpoint(), context.fingerprint(teacher.checkpoint()));
      }
    }
    return inputs;
  }

  /** Fails unless the {@code teachers} section names at least one teacher. */
  public static void requireTeachers(StageContext context, String example) {
    if (context.config().teachers().isEmpty()) {
      throw new ConfigError("train-teachers: no teachers declared; add e.g. " + example);
    }
  }

  /** Fails unless a registered teacher's checkpoint exists. */
  public static void requireCheckpoint(StageContext context, TeacherSettings teacher) {
    if (!context.exists(teacher.checkpoint())) {
      throw new ConfigError(
          key(teacher) + ": " + teacher.checkpoint() + " does not exist");
    }
  }

  /** The configuration key of a teacher's checkpoint, for messages. */
  public static String key(TeacherSettings teacher) {
    return "teachers." + teacher.name() + ".checkpoint";
  }

  /** A local path holding a registered teacher's checkpoint (the file itself on a local run). */
  public static java.nio.file.Path localCheckpoint(StageContext context, TeacherSettings teacher) {
    FileSystem fs = context.layout().fs();
    Path source = new Path(teacher.checkpoint());
    try {
      return ModelFiles.readable(source.getFileSystem(fs.getConf()), source);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + key(teacher) + " " + source, e);
    }
  }

  /** The teacher's optimiser with its warm-up shortened to fit a run of {@code steps}, with a warning. */
  public static OptimizerSettings fitWarmup(TeacherSettings teacher, int steps) {
    OptimizerSettings fitted = teacher.optimizer().fittedTo(steps);
    if (fitted != teacher.optimizer()) {
      LOG.warn("[train-teachers] {}: warm-up of {} steps shortened to {} for a run of {} steps",
          teacher.name(), teacher.optimizer().warmupSteps(), fitted.warmupSteps(), steps);
    }
    return fitted;
  }

  /**
   * Writes a teacher this run trained: the checkpoint in {@code model/}, the training curve in
   * {@code metrics/}, then {@code model.json}.
   *
   * @param context the stage's context
   * @param teacher the teacher's settings
   * @param model the trained model
   * @param spec the spec its block was built from
   * @param checkpointInfo free-form info saved in the checkpoint's metadata
   * @param steps the training curve
   * @param info the {@code model.json} to write
   */
  public static void writeTrained(
      StageContext context,
      TeacherSettings teacher,
      Model model,
      CheckpointSpec spec,
      Map<String, Object> checkpointInfo,
      List<StepMetrics> steps,
      ModelInfo info) {
    FileSystem fs = context.layout().fs();
    Path teacherDir = TrainTeachersStage.teacherDir(context, teacher);
    ModelFiles.saveCheckpoint(model, spec, checkpointInfo, fs, new Path(teacherDir, MODEL_DIR));
    context.spark()
        .createDataFrame(TrainingCurveTable.rows(steps), TrainingCurveTable.SCHEMA)
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(new Path(teacherDir, METRICS).toString());
    info.write(fs, teacherDir);
  }

  /**
   * Writes a registered teacher: a copy of its checkpoint ({@code modelName} in the teacher's
   * folder), then {@code model.json}.
   */
  public static void writeRegistered(
      StageContext context, TeacherSettings teacher, java.nio.file.Path local, String modelName, ModelInfo info)
      throws IOException {
    FileSystem fs = context.layout().fs();
    Path teacherDir = TrainTeachersStage.teacherDir(context, teacher);
    fs.copyFromLocalFile(false, true, new Path(local.toUri()), new Path(teacherDir, modelName));
    info.write(fs, teacherDir);
  }
}
