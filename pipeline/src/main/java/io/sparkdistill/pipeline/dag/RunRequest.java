package io.sparkdistill.pipeline.dag;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed command line.
 *
 * @param config the run configuration file
 * @param overrides {@code key=value} pairs from {@code --set}, in order (later wins)
 * @param stages {@code --stages}: only these, empty for no restriction
 * @param from {@code --from}: this stage and its descendants, or null
 * @param force redo stages even when their manifest matches
 * @param dryRun print the plan and stop
 * @param listDatasets {@code distill datasets CONF}: print the embedded datasets the run reads
 * @param verify {@code distill verify CONF}: check every stage's files against its manifest
 */
public record RunRequest(
    Path config,
    List<String> overrides,
    List<StageName> stages,
    StageName from,
    boolean force,
    boolean dryRun,
    boolean listDatasets,
    boolean verify) {

  public static final String USAGE =
      String.join(
          "\n",
          "usage: distill run CONF [--stages a,b | --from a] [--force] [--dry-run] [--set key=value]...",
          "       distill datasets CONF [--set key=value]...   (the embedded datasets the run reads)",
          "       distill verify CONF [--set key=value]...     (check every stage's files against its manifest)",
          "       spark-submit --class <stage job class> spark-distill-app.jar CONF [--force] [--dry-run] [--set key=value]...",
          "stages: ingest, train-teachers, soft-labels, ensemble, train-students, evaluate, report",
          "exit codes: 0 ok, 2 bad configuration or command line, 3 bad input data or damaged output,"
              + " 4 runtime failure (retry), 5 run.root locked by another run (retry later)");

  /**
   * Parses {@code args}. With {@code fixedStage} (a per-stage job class) there is no verb and no
   * stage selection; otherwise the first argument must be {@code run}, {@code datasets} or
   * {@code verify}.
   */
  public static RunRequest parse(String[] args, StageName fixedStage) {
    List<String> rest = new ArrayList<>(List.of(args));
    String verb = "run";
    if (fixedStage == null) {
      if (rest.isEmpty() || !List.of("run", "datasets", "verify").contains(rest.get(0))) {
        throw new UsageError(rest.isEmpty() ? "no command given" : "unknown command '" + rest.get(0) + "'");
      }
      verb = rest.remove(0);
    }
    Path config = null;
    List<String> overrides = new ArrayList<>();
    List<StageName> stages = new ArrayList<>();
    StageName from = null;
    boolean force = false;
    boolean dryRun = false;
    for (int i = 0; i < rest.size(); i++) {
      String arg = rest.get(i);
      switch (arg) {
        case "--force" -> force = true;
        case "--dry-run" -> dryRun = true;
        case "--set" -> overrides.add(value(rest, ++i, arg));
        case "--stages", "--from" -> {
          if (fixedStage != null) {
            throw new UsageError(arg + " is for 'distill run'; this job runs only '" + fixedStage + "'");
          }
          String value = value(rest, ++i, arg);
          if (arg.equals("--from")) {
            from = StageName.of(value);
          } else {
            for (String name : value.split(",")) {
              if (!name.isBlank()) {
                stages.add(StageName.of(name));
              }
            }
          }
        }
        default -> {
          if (arg.startsWith("--set=")) {
            overrides.add(arg.substring("--set=".length()));
          } else if (arg.startsWith("-")) {
            throw new UsageError("unknown option '" + arg + "'");
          } else if (config != null) {
            throw new UsageError("one configuration file only; got '" + config + "' and '" + arg + "'");
          } else {
            config = Path.of(arg);
          }
        }
      }
    }
    if (config == null) {
      throw new UsageError("no configuration file given");
    }
    if (fixedStage != null) {
      stages = List.of(fixedStage);
    }
    return new RunRequest(
        config, List.copyOf(overrides), List.copyOf(stages), from, force, dryRun, verb.equals("datasets"),
        verb.equals("verify"));
  }

  private static String value(List<String> args, int index, String option) {
    if (index >= args.size()) {
      throw new UsageError(option + " needs a value");
    }
    return args.get(index);
  }
}
