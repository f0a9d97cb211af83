package dev.reprocess.examples;

import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The final report of a command: a two-column table of what a user checks, and the verdict that
 * decides the exit code. Immutable once printed; build it on one thread.
 */
final class Report {
  private final String title;
  private final List<String[]> rows = new ArrayList<>();
  private String failure;

  Report(String title) {
    this.title = title;
  }

  Report row(String name, Object value) {
    rows.add(new String[] {name, value instanceof Number n && !(value instanceof Double) ? number(n.longValue())
        : String.valueOf(value)});
    return this;
  }

  /** Marks the command as failed, with the one-line reason printed last. The first reason wins. */
  Report fail(String reason) {
    if (failure == null) {
      failure = reason;
    }
    return this;
  }

  boolean ok() {
    return failure == null;
  }

  String failure() {
    return failure;
  }

  /** 0 when everything selected was processed, skipped or dead-lettered, else 1. */
  int exitCode() {
    return ok() ? 0 : 1;
  }

  /** The rows every job report has, and the check processed + skipped + dead-lettered = selected. */
  Report job(JobReport r) {
    row("job", r.jobName());
    row("status", r.status());
    row("shards", number(r.shardsCompleted()) + " of " + number(r.shardsTotal()) + " completed");
    row("selected", r.selected());
    row("succeeded", r.succeeded());
    row("skipped", r.skipped());
    row("dead-lettered", r.deadLettered());
    row("failed attempts", r.failed() + (r.failuresByType().isEmpty() ? "" : " " + r.failuresByType()));
    row("retried", r.retried());
    row("duration", duration(r.duration()));
    row("rate", String.format(Locale.ROOT, "%,.0f assets/s", r.ratePerSecond()));
    long accounted = r.succeeded() + r.skipped() + r.deadLettered();
    boolean balanced = accounted == r.selected();
    row("succeeded + skipped + dead-lettered", number(accounted) + (balanced ? " = selected" : " != selected "
        + number(r.selected())));
    if (r.status() != JobStatus.COMPLETED) {
      fail("job '" + r.jobName() + "' " + r.status() + r.failure().map(t -> ": " + oneLine(t)).orElse("")
          + "; run the same command again to resume from its checkpoints");
    } else if (!balanced) {
      fail("job '" + r.jobName() + "': " + number(r.selected() - accounted)
          + " selected assets were neither processed, skipped nor dead-lettered");
    }
    return this;
  }

  static String oneLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  void print(PrintWriter out) {
    int w0 = 0;
    int w1 = 0;
    for (String[] r : rows) {
      w0 = Math.max(w0, r[0].length());
      w1 = Math.max(w1, r[1].length());
    }
    w1 = Math.max(w1, title.length() - w0 - 3);
    String line = "+" + "-".repeat(w0 + 2) + "+" + "-".repeat(w1 + 2) + "+";
    out.println(line);
    out.printf("| %-" + (w0 + w1 + 3) + "s |%n", title);
    out.println(line);
    for (String[] r : rows) {
      out.printf("| %-" + w0 + "s | %-" + w1 + "s |%n", r[0], r[1]);
    }
    out.println(line);
    if (failure != null) {
      out.println("FAILED: " + failure);
    }
    out.flush();
  }

  static String number(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    long s = d.toSeconds();
    return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
  }

  /** "text/plain 1,234, image/png 567, ..." for the largest {@code limit} counts. */
  static String top(Map<String, Long> counts, int limit) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(limit)
        .map(e -> e.getKey() + " " + number(e.getValue()))
        .reduce((a, b) -> a + ", " + b)
        .orElse("-");
  }
}
