package io.sparkdistill.jobs;

import io.sparkdistill.jobs.cluster.SubmitLine;
import io.sparkdistill.pipeline.dag.StageName;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two spark-submit commands of one of the README's "Running on a cluster" blocks: the whole
 * DAG ({@link DistillMain}, verb {@code run}) and one stage ({@link IngestJob}; the README says the
 * other stages take the same line with their class).
 *
 * @param whole the whole-DAG command
 * @param stage the one-stage command
 */
record SubmitLines(SubmitLine whole, SubmitLine stage) {
  /** README markers of the blocks (an HTML comment on the line before the fence). */
  static final String STANDALONE = "standalone-submit";

  static final String YARN = "yarn-submit";
  static final String KUBERNETES = "kubernetes-submit";

  /** Every stage's job class, in DAG order. */
  static final Map<Class<?>, StageName> STAGE_JOBS = stageJobs();

  /** The block after {@code <!-- marker -->} in the project's README. */
  static SubmitLines fromReadme(Path project, String marker) {
    List<SubmitLine> lines = SubmitLine.fromReadme(project.resolve("README.md"), marker);
    if (lines.size() != 2) {
      throw new IllegalArgumentException(
          "the README's " + marker + " block should hold 2 commands (whole DAG, one stage), not "
              + lines.size() + ": " + lines);
    }
    SubmitLine whole = lines.get(0);
    SubmitLine stage = lines.get(1);
    if (!whole.mainClass().equals(DistillMain.class.getName())
        || whole.appArgs().isEmpty()
        || !whole.appArgs().get(0).equals("run")) {
      throw new IllegalArgumentException(
          "the first command of " + marker + " should be '--class " + DistillMain.class.getName()
              + " ... run CONF ...': " + whole);
    }
    if (!stage.mainClass().equals(IngestJob.class.getName())) {
      throw new IllegalArgumentException(
          "the second command of " + marker + " should be '--class " + IngestJob.class.getName()
              + " ...': " + stage);
    }
    return new SubmitLines(whole, stage);
  }

  /** The standalone block, which StandaloneClusterIT runs. */
  static SubmitLines standalone(Path project) {
    return fromReadme(project, STANDALONE);
  }

  private static Map<Class<?>, StageName> stageJobs() {
    Map<Class<?>, StageName> jobs = new LinkedHashMap<>();
    jobs.put(IngestJob.class, StageName.INGEST);
    jobs.put(TrainTeachersJob.class, StageName.TRAIN_TEACHERS);
    jobs.put(SoftLabelsJob.class, StageName.SOFT_LABELS);
    jobs.put(EnsembleJob.class, StageName.ENSEMBLE);
    jobs.put(TrainStudentsJob.class, StageName.TRAIN_STUDENTS);
    jobs.put(EvaluateJob.class, StageName.EVALUATE);
    jobs.put(ReportJob.class, StageName.REPORT);
    return Collections.unmodifiableMap(jobs);
  }
}
