package dev.reprocess.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The result rows and their Markdown rendering. */
final class Results {
  /**
   * One row. {@code ratio} is null when the row is itself a baseline-free figure; {@code goal} is
   * the minimum (or, when {@code atMost}, the maximum) ratio, or null when the issue sets none.
   */
  record Row(String caseName, String figure, double value, String unit, Double ratio, Double goal, boolean atMost,
      String note) {
    String met() {
      if (goal == null || ratio == null) {
        return "";
      }
      return (atMost ? ratio <= goal : ratio >= goal) ? "yes" : "**no**";
    }

    String goalText() {
      return goal == null ? "" : (atMost ? "<= " : ">= ") + String.format(Locale.ROOT, "%.2f", goal);
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();

  synchronized void add(String caseName, String figure, double value, String unit, Double ratio, Double goal) {
    rows.add(new Row(caseName, figure, value, unit, ratio, goal, false, ""));
  }

  /** A rate row: the median of a variant's measured rounds, with their range as a note. */
  synchronized void addRate(String caseName, String figure, Rounds rounds, String variant, String unit, Double ratio,
      Double goal) {
    rows.add(new Row(caseName, figure, rounds.median(variant), unit, ratio, goal, false, rounds.spread(variant)));
  }

  /**
   * CPU rows of a variant: the median CPU time per unit of its measured rounds, of this JVM ({@link
   * Rounds#cpuMicrosPerUnit}) and, when the rounds recorded one, of the server ({@link
   * Rounds#serverCpuMicrosPerUnit}).
   */
  synchronized void addCpu(String caseName, String variant, Rounds rounds, String unit) {
    addCpu(caseName, variant, rounds, unit, " (extra)");
  }

  /** {@link #addCpu(String, String, Rounds, String)} with the rows' figure ending in {@code suffix}. */
  synchronized void addCpu(String caseName, String variant, Rounds rounds, String unit, String suffix) {
    rows.add(new Row(caseName, "client CPU per " + unit + ": " + variant + suffix,
        rounds.cpuMicrosPerUnit(variant), "us/" + unit, null, null, false, ""));
    if (rounds.hasServerCpu()) {
      rows.add(new Row(caseName, "server CPU per " + unit + ": " + variant + suffix,
          rounds.serverCpuMicrosPerUnit(variant), "us/" + unit, null, null, false, ""));
    }
  }

  synchronized void addAtMost(String caseName, String figure, double value, String unit, Double ratio, Double goal) {
    rows.add(new Row(caseName, figure, value, unit, ratio, goal, true, ""));
  }

  synchronized void failed(String caseName, Throwable error) {
    failures.add(caseName + ": " + error);
  }

  synchronized boolean anyFailed() {
    return !failures.isEmpty();
  }

  synchronized String markdown(String header) {
    StringBuilder sb = new StringBuilder(header);
    sb.append("| case | figure | value (median) | unit | rounds (min to max) | ratio to plain client | goal | met |\n");
    sb.append("| --- | --- | ---: | --- | ---: | ---: | --- | --- |\n");
    for (Row r : rows) {
      sb.append("| ").append(r.caseName())
          .append(" | ").append(r.figure())
          .append(" | ").append(value(r.value(), r.unit()))
          .append(" | ").append(r.unit())
          .append(" | ").append(r.note())
          .append(" | ").append(r.ratio() == null ? "" : String.format(Locale.ROOT, "%.2f", r.ratio()))
          .append(" | ").append(r.goalText())
          .append(" | ").append(r.met())
          .append(" |\n");
    }
    if (!failures.isEmpty()) {
      sb.append("\nCases that failed:\n\n");
      for (String f : failures) {
        sb.append("- ").append(f.replace('\n', ' ')).append('\n');
      }
    }
    return sb.toString();
  }

  private static String value(double v, String unit) {
    if (unit.equals("x") || unit.equals("s") || unit.startsWith("us/")) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    if (unit.equals("ms")) {
      // Latencies: 8 vs 8.9 ms must be visible, so 1 decimal, 2 below 10 ms.
      return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%,.1f", v);
    }
    if (unit.equals("MiB")) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  void write(Path file, String markdown) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, markdown);
  }
}
