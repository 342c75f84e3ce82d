package io.sparkdistill.pipeline.teachers;

import io.sparkdistill.pipeline.config.TeacherSettings;
import io.sparkdistill.pipeline.dag.Stage;
import io.sparkdistill.pipeline.dag.StageContext;
import io.sparkdistill.pipeline.dag.StageName;
import io.sparkdistill.pipeline.dag.StageOutcome;
import io.sparkdistill.pipeline.models.NetworkCheck;
import io.sparkdistill.pipeline.task.Task;
import io.sparkdistill.pipeline.task.TeacherTraining;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains each teacher of the {@code teachers} section on the ingested train split (or registers
 * its existing checkpoint), evaluates it on the test split, and writes under {@code
 * train-teachers/<name>/}: {@code model/} (a DJL checkpoint) or {@code model.pt} (TorchScript, image
 * task only), {@code model.json} ({@code ModelInfo}) and, for trained teachers, the training curve
 * {@code metrics/} ({@link TrainingCurveTable}). How a teacher trains and is evaluated is the
 * task's ({@link Task#teacherTraining}); the files are written one way ({@link TeacherFiles}).
 *
 * <p>Training runs on the driver, one teacher after another (DJL allows one active gradient
 * collector per JVM); it needs the train split in the driver's memory.
 */
public final class TrainTeachersStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(TrainTeachersStage.class);

  private final Task task;

  public TrainTeachersStage(Task task) {
    this.task = task;
  }

  @Override
  public StageName name() {
    return StageName.TRAIN_TEACHERS;
  }

  @Override
  public List<String> configSections() {
    List<String> sections = new ArrayList<>(List.of("teachers", "teacher-defaults"));
    sections.addAll(task.teacherConfig());
    return sections;
  }

  @Override
  public Map<String, String> externalInputs(StageContext context) {
    return TeacherFiles.registeredInputs(context);
  }

  @Override
  public void validate(StageContext context) {
    TeacherFiles.requireTeachers(context, task.teacherExample());
    for (TeacherSettings teacher : context.config().teachers()) {
      if (teacher.registered()) {
        task.checkRegistered(context, teacher);
      } else {
        NetworkCheck.check(teacher.network());
      }
    }
  }

  @Override
  public StageOutcome run(StageContext context) throws Exception {
    TeacherTraining training = task.teacherTraining(context);
    Map<String, Long> rowCounts = new TreeMap<>(training.rowCounts());
    Map<String, Object> metrics = new LinkedHashMap<>();
    for (TeacherSettings teacher : context.config().teachers()) {
      context.describe("teacher " + teacher.name());
      TeacherTraining.Evaluated result =
          teacher.registered() ? training.register(teacher) : training.train(teacher);
      LOG.info("[train-teachers] {}: {}", teacher.name(), result.summary());
      metrics.put("test_accuracy." + teacher.name(), result.testAccuracy());
      result.otherMetrics().forEach((key, value) -> metrics.put(key + "." + teacher.name(), value));
      // The one-off cost the report charges to students of this teacher (0 when registered).
      metrics.put("train_seconds." + teacher.name(), result.trainSeconds());
      rowCounts.merge("teachers", 1L, Long::sum);
    }
    metrics.put("schema.metrics", TrainingCurveTable.VERSION);
    return new StageOutcome(rowCounts, metrics, List.of());
  }

  /** The folder of one teacher inside this stage's output. */
  public static Path teacherDir(StageContext context, TeacherSettings teacher) {
    return new Path(context.layout().stageDir(StageName.TRAIN_TEACHERS), teacher.name());
  }
}
