package io.sparkdistill.pipeline.report;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's PNG charts, rendered in memory with XChart (headless AWT). */
public final class ReportCharts {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  public static final String ACCURACY_VS_WALL = "accuracy_vs_wall.png";
  public static final String TRAINING_CURVES = "training_curves.png";

  private static final int WIDTH = 900;
  private static final int HEIGHT = 560;

  /**
   * One evaluation of a training curve.
   *
   * @param wallSeconds robust training seconds when it was measured (steps done x the variant's
   *     seconds per step)
   * @param accuracy test accuracy
   */
  public record CurvePoint(double wallSeconds, double accuracy) {}

  private ReportCharts() {}

  /**
   * Mean test accuracy against robust wall seconds ({@link BudgetPoint#wallS}: the variant's
   * seconds per step x steps, see {@link RobustWall}), one line per variant through its budgets,
   * and the target as a dashed horizontal line.
   */
  public static byte[] accuracyVsWall(Report report) {
    XYChart chart =
        chart(
            "Accuracy vs training time (mean over seeds, one point per budget)",
            "wall seconds (training; robust: the variant's median s/step x steps)");
    double maxX = 0;
    for (Report.VariantResult variant : report.variants()) {
      double[] x = variant.budgets().stream().mapToDouble(BudgetPoint::wallS).toArray();
      double[] y = variant.budgets().stream().mapToDouble(BudgetPoint::accuracyMean).toArray();
      XYSeries series = chart.addSeries(variant.name(), x, y);
      series.setMarker(SeriesMarkers.CIRCLE);
      for (double value : x) {
        maxX = Math.max(maxX, value);
      }
    }
    addTarget(chart, report, maxX);
    return png(chart);
  }

  /**
   * Test accuracy at the evaluation steps against robust wall seconds, one line per run (the
   * caller picks one per variant).
   */
  public static byte[] trainingCurves(Report report, Map<String, List<CurvePoint>> curves) {
    XYChart chart =
        chart(
            "Training curves at the full budget (test accuracy at evaluation steps)",
            "wall seconds (training; robust: steps done x the variant's median s/step)");
    double maxX = 0;
    for (Map.Entry<String, List<CurvePoint>> curve : curves.entrySet()) {
      if (curve.getValue().isEmpty()) {
        continue;
      }
      double[] x = curve.getValue().stream().mapToDouble(CurvePoint::wallSeconds).toArray();
      double[] y = curve.getValue().stream().mapToDouble(CurvePoint::accuracy).toArray();
      XYSeries series = chart.addSeries(curve.getKey(), x, y);
      series.setMarker(SeriesMarkers.NONE);
      for (double value : x) {
        maxX = Math.max(maxX, value);
      }
    }
    addTarget(chart, report, maxX);
    return png(chart);
  }

  private static XYChart chart(String title, String xAxis) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xAxis)
            .yAxisTitle("test accuracy")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setMarkerSize(7);
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setYAxisDecimalPattern("0.000");
    return chart;
  }

  private static void addTarget(XYChart chart, Report report, double maxX) {
    double end = maxX > 0 ? maxX : 1.0;
    String label =
        String.format(
            Locale.ROOT, "target %.4f (%s at budget %s)", report.targetAccuracy(),
            report.target().variant(), ReportMarkdown.budget(report.target().budgetFraction()));
    XYSeries target =
        chart.addSeries(
            label, new double[] {0, end}, new double[] {report.targetAccuracy(), report.targetAccuracy()});
    target.setMarker(SeriesMarkers.NONE);
    target.setLineStyle(SeriesLines.DASH_DASH);
    target.setLineColor(Color.GRAY);
  }

  private static byte[] png(XYChart chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render a chart", e);
    }
  }
}
