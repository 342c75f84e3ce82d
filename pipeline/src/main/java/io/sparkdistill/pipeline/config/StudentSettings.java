package io.sparkdistill.pipeline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The {@code students} section: the student network, its budgets and seeds, the distillation
 * settings and the variants to compare.
 *
 * @param architecture network family of the student
 * @param width channels of the first conv block (cnn); hidden size (bert)
 * @param depth conv blocks (cnn), layers (resnet) or transformer blocks (bert)
 * @param dropout dropout before the classifier (cnn); embedding dropout (bert)
 * @param heads attention heads per transformer block (bert)
 * @param intermediateSize feed-forward width of each transformer block (bert; 0 = 4 * width)
 * @param batchSize stored views per step
 * @param epochs the full budget, in passes over the train examples
 * @param budgets fractions of the full budget each variant is trained at, ascending
 * @param seeds one run per seed per (variant, budget)
 * @param trainExamples use only the first n train examples (0 = all)
 * @param optimizer optimiser and schedule (each budget gets its own complete schedule)
 * @param temperature distillation temperature
 * @param missingMass where a top-k distribution's missing mass goes
 * @param evaluateEvery test evaluation interval in steps (0 = after the last step only)
 * @param checkpointEvery checkpoint interval in steps
 * @param variants the variants, in name order
 */
public record StudentSettings(
    Architecture architecture,
    int width,
    int depth,
    double dropout,
    int heads,
    int intermediateSize,
    int batchSize,
    double epochs,
    List<Double> budgets,
    List<Long> seeds,
    int trainExamples,
    OptimizerSettings optimizer,
    double temperature,
    MissingMass missingMass,
    int evaluateEvery,
    int checkpointEvery,
    List<VariantSettings> variants) {

  public StudentSettings {
    budgets = List.copyOf(budgets);
    seeds = List.copyOf(seeds);
    variants = List.copyOf(variants);
  }

  /** The configured network, from which {@code models} makes the specification for a dataset. */
  public NetworkSettings network() {
    return new NetworkSettings("students", architecture, width, depth, dropout, heads, intermediateSize);
  }

  /** Steps of the full budget for a train split of {@code examples} examples (at least 1). */
  public int fullSteps(long examples) {
    return (int) Math.max(1, Math.round(epochs * examples / batchSize));
  }

  /** Steps of the budget {@code fraction} (at least 1). */
  public int steps(long examples, double fraction) {
    return (int) Math.max(1, Math.round(fraction * fullSteps(examples)));
  }

  static StudentSettings from(ConfigReader r, Config resolved) {
    String p = "students";
    List<Double> budgets = r.doubleList(p + ".budgets");
    if (budgets.isEmpty()) {
      throw r.invalid(p + ".budgets", "needs at least one budget, e.g. [0.25, 0.5, 1.0]");
    }
    for (int i = 0; i < budgets.size(); i++) {
      double b = budgets.get(i);
      if (!(b > 0 && b <= 1)) {
        throw r.invalid(p + ".budgets", "budgets are fractions in (0, 1], got " + b);
      }
      if (i > 0 && b <= budgets.get(i - 1)) {
        throw r.invalid(p + ".budgets", "must be strictly ascending, got " + budgets);
      }
    }
    List<Long> seeds = new ArrayList<>();
    for (Double seed : r.doubleList(p + ".seeds")) {
      if (seed != Math.rint(seed)) {
        throw r.invalid(p + ".seeds", "seeds are integers, got " + seed);
      }
      seeds.add(seed.longValue());
    }
    if (seeds.isEmpty() || new TreeSet<>(seeds).size() != seeds.size()) {
      throw r.invalid(p + ".seeds", "needs one or more distinct seeds, got " + seeds);
    }
    double epochs = r.doubleValue(p + ".epochs");
    if (!(epochs > 0)) {
      throw r.invalid(p + ".epochs", "must be positive, got " + epochs);
    }
    double temperature = r.doubleValue(p + ".temperature");
    if (!(temperature > 0)) {
      throw r.invalid(p + ".temperature", "must be positive, got " + temperature);
    }
    StudentSettings students =
        new StudentSettings(
            r.enumValue(p + ".architecture", Architecture.class),
            r.intAtLeast(p + ".width", 1),
            r.intAtLeast(p + ".depth", 1),
            r.doubleValue(p + ".dropout"),
            r.intAtLeast(p + ".heads", 1),
            r.intAtLeast(p + ".intermediate-size", 0),
            r.intAtLeast(p + ".batch-size", 1),
            epochs,
            budgets,
            seeds,
            r.intAtLeast(p + ".train-examples", 0),
            TeacherSettings.optimizer(r, p + ".optimizer"),
            temperature,
            r.enumValue(p + ".missing-mass", MissingMass.class),
            r.intAtLeast(p + ".evaluate-every", 0),
            r.intAtLeast(p + ".checkpoint-every", 1),
            variants(resolved));
    return students;
  }

  private static List<VariantSettings> variants(Config resolved) {
    List<VariantSettings> variants = new ArrayList<>();
    Config defaults = resolved.getConfig("students.variant-defaults");
    for (String name : new TreeSet<>(resolved.getObject("students.variants").keySet())) {
      String prefix = "students.variants." + ConfigUtil.joinPath(name);
      Config merged = resolved.getConfig(prefix).withFallback(defaults).atPath(prefix);
      variants.add(VariantSettings.from(new ConfigReader(merged), prefix, name));
    }
    return variants;
  }
}
