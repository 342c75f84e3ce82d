package io.sparkdistill.pipeline.report;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** {@code report.md}: the {@link Report} as tables a person reads. */
public final class ReportMarkdown {
  public static final String NOT_REACHED = "not reached";
  private static final String NONE = "–";
  private static final String BOUNDS =
      "≤ before a cost: the variant's smallest budget already reached the target, so the cost is an"
          + " upper bound. Before a speed-up, ≥: a lower bound (the variant's cost is a bound), ≤: an"
          + " upper bound (the baseline's is), ~: both costs are bounds.";

  private ReportMarkdown() {}

  public static String render(Report report) {
    StringBuilder md = new StringBuilder();
    Report.Target target = report.target();
    md.append("# Spark Distill report: ").append(report.runName()).append(" (").append(report.dataset()).append(")\n\n");
    md.append("**Target:** ").append(report.metric()).append(" **").append(accuracy(report.targetAccuracy()))
        .append("**, the mean over seeds ").append(target.seeds()).append(" of the baseline `")
        .append(target.variant()).append("` at its largest budget (budget fraction ").append(budget(target.budgetFraction()))
        .append("), measured on the test split by the evaluate stage. Each")
        .append(" variant's steps and training seconds to the target are interpolated linearly")
        .append(" between its budgets (each budget a complete schedule; means over seeds).")
        .append(" Wall seconds are robust estimates (the variant's median seconds per step × steps, see")
        .append(" \"Wall-clock estimate\"), the measured ones beside them as raw.\n\n");

    boolean perplexity = report.variants().stream().anyMatch(v -> v.finalPerplexity() != null);
    Report.Downstream downstream = report.downstream();
    md.append("| variant | teachers | final acc (mean ± std) | steps to target | wall s to target | raw wall s to target")
        .append(" | speed-up (steps) | per seed (steps) | speed-up (wall) | speed-up (raw wall) | teacher cost s | speed-up incl. teacher cost |")
        .append(perplexity ? " final perplexity |" : "")
        .append(downstream != null ? " " + downstream.task() + " accuracy |" : "").append('\n');
    md.append("|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
        .append(perplexity ? "---:|" : "").append(downstream != null ? "---:|" : "").append('\n');
    Report.VariantResult baseline = report.baseline();
    boolean bounds = false;
    for (Report.VariantResult v : report.variants()) {
      bounds |= v.reachedAtSmallestBudget();
      String bound = v.reachedAtSmallestBudget() ? "≤ " : "";
      String atLeast = qualifier(v == baseline, v.reachedAtSmallestBudget(), baseline.reachedAtSmallestBudget());
      md.append("| ").append(v.name()).append(" | ").append(teachers(v))
          .append(" | ").append(accuracy(v.finalAccuracy())).append(" ± ").append(std(v.finalAccuracyStd()))
          .append(" (").append(seeds(v.seeds().size())).append(")")
          .append(" | ").append(reached(v.stepsToTarget(), bound, "%,.0f"))
          .append(" | ").append(reached(v.wallSToTarget(), bound, "%,.1f"))
          .append(" | ").append(reached(v.rawWallSToTarget(), bound, "%,.1f"))
          .append(" | ").append(speedup(v.speedupSteps(), atLeast))
          .append(" | ").append(perSeed(v))
          .append(" | ").append(speedup(v.speedupWall(), atLeast))
          .append(" | ").append(speedup(v.rawSpeedupWall(), atLeast))
          .append(" | ").append(v.teacherCostS() == null ? "unknown" : format("%,.1f", v.teacherCostS()))
          .append(" | ").append(speedup(v.speedupWallWithTeacherCost(), atLeast)).append(" |");
      if (perplexity) {
        md.append(' ').append(v.finalPerplexity() == null ? NONE : format("%.2f", v.finalPerplexity())).append(" |");
      }
      if (downstream != null) {
        md.append(' ').append(v.downstreamAccuracy() == null ? NONE : accuracy(v.downstreamAccuracy())).append(" |");
      }
      md.append('\n');
    }
    if (bounds) {
      md.append("\n").append(BOUNDS).append('\n');
    }
    if (downstream != null) {
      md.append("\n**Downstream task:** the teachers and each variant's students at its largest budget fine-tuned on `").append(downstream.task())
          .append("` (").append(downstream.classes()).append(" classes, ")
          .append(format("%,d", downstream.trainExamples())).append(" train / ")
          .append(format("%,d", downstream.testExamples())).append(" test examples); accuracy on its test split.");
      if (downstream.untrainedAccuracy() != null) {
        md.append(" The same fine-tuning of an untrained student network reaches ")
            .append(accuracy(downstream.untrainedAccuracy())).append(": pre-training adds the difference.");
      }
      md.append('\n');
    }

    lowerTargets(md, report);
    wallClock(md, report);
    curves(md, report);
    teachers(md, report);
    md.append("\n**Consistency:** the evaluate stage's top-1 and the training loop's final accuracy")
        .append(" differ by at most ").append(format("%.4f", report.consistency().maxAbsFinalAccuracyDifference()))
        .append(" over ").append(report.consistency().runs()).append(" runs.\n");
    if (!report.warnings().isEmpty()) {
      md.append("\n**Warnings:**\n\n");
      report.warnings().forEach(w -> md.append("- ").append(w).append('\n'));
    }

    md.append("\n## How to read this\n\n")
        .append("A speed-up above 1 means the variant reached the baseline's full-budget accuracy")
        .append(" sooner than the baseline did: 2.00× in steps means in half the steps, in wall")
        .append(" seconds in half the training time (robust seconds; the raw speed-up, from the measured")
        .append(" seconds, moves with any run the machine slowed). \"Incl. teacher cost\" also charges the variant")
        .append(" the one-off seconds of training its teachers and computing their soft labels (and")
        .append(" the ensemble), as if it were the only student to use them; the more students share")
        .append(" the teachers, the closer the true figure is to the plain wall speed-up. \"")
        .append(NOT_REACHED).append("\" means the variant's curve never got to the target at the")
        .append(" budgets tried: no figure is extrapolated. Accuracies are means over seeds ± their")
        .append(" sample standard deviation (– with one seed); charts: `")
        .append(ReportCharts.ACCURACY_VS_WALL).append("`, `").append(ReportCharts.TRAINING_CURVES).append("`.\n");
    return md.toString();
  }

  private static void lowerTargets(StringBuilder md, Report report) {
    Report.VariantResult baseline = report.baseline();
    List<Report.LowerTarget> lower =
        baseline.lowerTargets().stream().filter(t -> t.budgetFraction() < report.target().budgetFraction()).toList();
    if (lower.isEmpty()) {
      return;
    }
    md.append("\n## Lower targets\n\nThe baseline's mean accuracy at each of its smaller budgets,")
        .append(" and how soon each variant got there.\n\n");
    md.append("| target (baseline budget → accuracy) | variant | steps to target | wall s to target | raw wall s to target")
        .append(" | speed-up (steps) | speed-up (wall) | speed-up (raw wall) | speed-up incl. teacher cost |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    boolean bounds = false;
    for (Report.LowerTarget base : lower) {
      String name = budget(base.budgetFraction()) + " → " + accuracy(base.targetAccuracy());
      // base: the baseline's own time to this target
      for (Report.VariantResult v : report.variants()) {
        Report.LowerTarget t =
            v.lowerTargets().stream().filter(x -> x.budgetFraction() == base.budgetFraction()).findFirst().orElseThrow();
        bounds |= t.reachedAtSmallestBudget();
        String bound = t.reachedAtSmallestBudget() ? "≤ " : "";
        String atLeast = qualifier(v == baseline, t.reachedAtSmallestBudget(), base.reachedAtSmallestBudget());
        md.append("| ").append(name).append(" | ").append(v.name())
            .append(" | ").append(reached(t.stepsToTarget(), bound, "%,.0f"))
            .append(" | ").append(reached(t.wallSToTarget(), bound, "%,.1f"))
            .append(" | ").append(reached(t.rawWallSToTarget(), bound, "%,.1f"))
            .append(" | ").append(speedup(t.speedupSteps(), atLeast))
            .append(" | ").append(speedup(t.speedupWall(), atLeast))
            .append(" | ").append(speedup(t.rawSpeedupWall(), atLeast))
            .append(" | ").append(speedup(t.speedupWallWithTeacherCost(), atLeast)).append(" |\n");
      }
    }
    if (bounds) {
      md.append("\n").append(BOUNDS).append('\n');
    }
  }

  /** The seconds per step behind the robust wall figures, and the stragglers. */
  private static void wallClock(StringBuilder md, Report report) {
    Report.WallEstimate estimate = report.wallEstimate();
    String factor = RobustWall.factor(estimate.stragglerFactor());
    md.append("\n## Wall-clock estimate\n\nThe wall figures above (and `").append(ReportCharts.ACCURACY_VS_WALL)
        .append("`) are robust: a run's training seconds are its variant's seconds per step × its steps.")
        .append(" A run's seconds per step are the median of its step times (`train-students/steps`), a variant's")
        .append(" the median over its runs and seeds (the lower middle value of an even count), so one slowed run")
        .append(" (a busy node, a GC storm) cannot decide a speed-up. Raw figures are the measured seconds")
        .append(" (`train-students/runs`, means over seeds). A run whose seconds per step are more than ")
        .append(factor).append("× its variant's (or under 1/").append(factor)
        .append(" of it) is a straggler (`report.straggler-factor` = ").append(factor).append(").\n\n");
    md.append("| variant | s per step (median) | stragglers |\n|---|---:|---:|\n");
    for (Report.VariantResult v : report.variants()) {
      long stragglers = report.stragglers().stream().filter(s -> s.variant().equals(v.name())).count();
      md.append("| ").append(v.name()).append(" | ").append(RobustWall.seconds(v.secondsPerStep()))
          .append(" | ").append(stragglers).append(" |\n");
    }
    if (report.stragglers().isEmpty()) {
      md.append("\nNo straggler: every run's seconds per step are within ").append(factor)
          .append("× of its variant's.\n");
      return;
    }
    md.append("\n**Stragglers** (factor ").append(factor).append("):\n\n")
        .append("| run | s per step | × its variant's | raw wall s | robust wall s |\n|---|---:|---:|---:|---:|\n");
    for (Report.Straggler s : report.stragglers()) {
      md.append("| ").append(s.runId()).append(" | ").append(RobustWall.seconds(s.secondsPerStep()))
          .append(" | ").append(format("%.2f×", s.ratio()))
          .append(" | ").append(format("%,.1f", s.rawWallS()))
          .append(" | ").append(format("%,.1f", s.wallS())).append(" |\n");
    }
  }

  private static void curves(StringBuilder md, Report report) {
    md.append("\n## Curves\n\n| variant | budget | steps | wall s | raw wall s (mean) | accuracy (mean ± std) | ECE (mean) | seeds |\n");
    md.append("|---|---:|---:|---:|---:|---|---:|---|\n");
    for (Report.VariantResult v : report.variants()) {
      for (BudgetPoint p : v.budgets()) {
        md.append("| ").append(v.name()).append(" | ").append(budget(p.budgetFraction()))
            .append(" | ").append(format("%,d", p.steps()))
            .append(" | ").append(format("%,.1f", p.wallS()))
            .append(" | ").append(format("%,.1f", p.rawWallS()))
            .append(" | ").append(accuracy(p.accuracyMean())).append(" ± ").append(std(p.accuracyStd()))
            .append(" | ").append(format("%.4f", p.eceMean()))
            .append(" | ").append(p.seeds().stream().map(String::valueOf).collect(Collectors.joining(", ")))
            .append(" |\n");
      }
    }
  }

  private static void teachers(StringBuilder md, Report report) {
    if (report.teachers().isEmpty()) {
      return;
    }
    boolean text = report.teachers().stream().anyMatch(t -> t.perplexity() != null);
    boolean downstream = report.teachers().stream().anyMatch(t -> t.downstreamAccuracy() != null);
    md.append("\n## Teachers\n\n| teacher | ").append(text ? "accuracy" : "top-1")
        .append(" | ECE | train s | soft-label s |").append(text ? " perplexity |" : "")
        .append(downstream ? " downstream accuracy |" : "").append("\n|---|---:|---:|---:|---:|")
        .append(text ? "---:|" : "").append(downstream ? "---:|" : "").append('\n');
    for (Report.TeacherResult t : report.teachers()) {
      md.append("| ").append(t.name())
          .append(" | ").append(t.top1() == null ? NONE : accuracy(t.top1()))
          .append(" | ").append(t.ece() == null ? NONE : format("%.4f", t.ece()))
          .append(" | ").append(t.trainSeconds() == null ? NONE : format("%,.1f", t.trainSeconds()))
          .append(" | ").append(t.softLabelSeconds() == null ? NONE : format("%,.1f", t.softLabelSeconds()))
          .append(" |");
      if (text) {
        md.append(' ').append(t.perplexity() == null ? NONE : format("%.2f", t.perplexity())).append(" |");
      }
      if (downstream) {
        md.append(' ').append(t.downstreamAccuracy() == null ? NONE : accuracy(t.downstreamAccuracy())).append(" |");
      }
      md.append('\n');
    }
    if (report.ensemble() != null) {
      md.append("\nThe ensemble merges ").append(report.ensemble().teachers()).append(" in ")
          .append(format("%,.1f", report.ensemble().seconds())).append(" s.\n");
    }
  }

  /**
   * The mark of a speed-up whose costs are bounds: ≥ when only the variant's is an upper bound, ≤
   * when only the baseline's, ~ when both are (the ratio of two upper bounds is neither).
   */
  /** {@code s1 1.80×, s2 1.71×}: each seed's own curve against the baseline's. */
  private static String perSeed(Report.VariantResult v) {
    List<String> parts = new java.util.ArrayList<>();
    v.speedupStepsBySeed().forEach((seed, x) -> parts.add("s" + seed + " " + (x == null ? "not reached" : format("%.2f×", x))));
    return parts.isEmpty() ? "–" : String.join(", ", parts);
  }

  private static String qualifier(boolean isBaseline, boolean variantBound, boolean baselineBound) {
    if (isBaseline || (!variantBound && !baselineBound)) {
      return "";
    }
    return variantBound && baselineBound ? "~ " : variantBound ? "≥ " : "≤ ";
  }

  private static String teachers(Report.VariantResult v) {
    return v.teachers().isEmpty() ? NONE : String.join(", ", v.teachers()) + " (" + v.policy() + ")";
  }

  private static String reached(Double cost, String bound, String pattern) {
    return cost == null ? NOT_REACHED : bound + format(pattern, cost);
  }

  private static String speedup(Double value, String atLeast) {
    return value == null ? NONE : atLeast + format("%.2f", value) + "×";
  }

  private static String std(Double std) {
    return std == null ? NONE : accuracy(std);
  }

  private static String seeds(int n) {
    return n == 1 ? "1 seed" : n + " seeds";
  }

  static String accuracy(double value) {
    return format("%.4f", value);
  }

  /** A budget fraction without trailing zeros: 0.25, 0.5, 1. */
  static String budget(double fraction) {
    return java.math.BigDecimal.valueOf(fraction).stripTrailingZeros().toPlainString();
  }

  private static String format(String pattern, Object value) {
    return String.format(Locale.ROOT, pattern, value);
  }
}
