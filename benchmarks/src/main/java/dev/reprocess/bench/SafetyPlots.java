package dev.reprocess.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The safety case's plots: one line per phase over the seconds of the phase, as PNG (JFreeChart). */
final class SafetyPlots {

  private SafetyPlots() {}

  /**
   * Writes a line chart.
   *
   * @param lines a series name and its values, one per second
   */
  static void write(Path file, String title, String yLabel, Map<String, List<Double>> lines) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    lines.forEach((name, values) -> {
      XYSeries series = new XYSeries(name);
      for (int i = 0; i < values.size(); i++) {
        series.add(i + 1, values.get(i));
      }
      data.addSeries(series);
    });
    JFreeChart chart = ChartFactory.createXYLineChart(title, "second of the phase", yLabel, data,
        PlotOrientation.VERTICAL, true, false, false);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 450);
    Log.info("safety: plot written to %s", file.toAbsolutePath());
  }
}
