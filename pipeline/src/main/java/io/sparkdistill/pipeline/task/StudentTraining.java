package io.sparkdistill.pipeline.task;

import io.sparkdistill.pipeline.config.VariantSettings;
import io.sparkdistill.pipeline.train.StepListener;
import io.sparkdistill.pipeline.train.TrainCheckpoints;
import io.sparkdistill.pipeline.train.TrainResult;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * The part of the train-students stage that depends on the task: the train views and their
 * targets, the held-out data, the network and its loop, and the model files. The stage owns
 * everything else (the plan matrix, validation, checkpoints, the kill hook, the tables and their
 * checks, the manifest), so the image and the text students are planned, resumed and recorded
 * the same way.
 *
 * <p>An implementation is made with its data loaded ({@link Task#studentTraining}) and closed when
 * the stage ends, releasing what it holds (teachers loaded
 * for the online policy).
 */
public interface StudentTraining extends AutoCloseable {

  /**
   * What the budgets count: distinct train examples (images) or train sequences (text), after
   * {@code students.train-examples}.
   */
  long examples();

  /** Train views the steps draw their batches from (every stored view of every example). */
  int trainViews();

  /** The teachers a variant learns from, as the runs table records them. */
  List<String> teachers(VariantSettings variant);

  /**
   * A short throwaway run before the timed ones, so that the first timed run does not pay for
   * the JIT and the engine's first calls (it would otherwise look slower in wall seconds).
   *
   * @param steps untimed steps to train
   */
  void warmUp(int steps);

  /**
   * Trains the student of {@code plan}, resuming from {@code checkpoints} when they hold a
   * checkpoint of it, and writes its model folder ({@code model.json} and {@code model/}).
   *
   * @param plan the run
   * @param checkpoints this run's checkpoint folder
   * @param listeners told about every step (progress, the stage's kill hook)
   * @param runDir the run's model folder, {@code train-students/models/<run id>/}
   * @return the run's steps and final held-out accuracy
   * @throws IOException when the model cannot be written
   */
  TrainResult train(
      StudentRun plan, TrainCheckpoints checkpoints, List<StepListener> listeners, Path runDir)
      throws IOException;

  /** Releases what the trainer holds; nothing of it is used afterwards. */
  @Override
  void close();
}
