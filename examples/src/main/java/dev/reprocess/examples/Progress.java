package dev.reprocess.examples;

import dev.reprocess.JobProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows how far a long run is: a terminal progress bar with rate and ETA (me.tongfei's progressbar)
 * when there is a terminal, else one plain line every {@value #PLAIN_INTERVAL_SECONDS} seconds
 * (logs and CI output stay readable), or nothing with {@code --no-progress}. Updates come from one
 * thread at a time.
 */
final class Progress implements AutoCloseable {
  static final int PLAIN_INTERVAL_SECONDS = 10;

  enum Mode {
    BAR, LINES, OFF
  }

  private final String task;
  private final Mode mode;
  private final PrintWriter out;
  private final long startNanos = System.nanoTime();
  private ProgressBar bar;
  private volatile Optional<Duration> eta = Optional.empty();
  private long lastLineNanos = System.nanoTime();
  private long current;
  private long max = -1;

  private Progress(String task, Mode mode, PrintWriter out) {
    this.task = task;
    this.mode = mode;
    this.out = out;
    if (mode == Mode.BAR) {
      bar = new ProgressBarBuilder()
          .setTaskName(task)
          .setInitialMax(-1)
          .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
          .setUpdateIntervalMillis(250)
          .setConsumer(new ConsoleProgressBarConsumer(System.err))
          .showSpeed()
          .setEtaFunction(state -> eta)
          .build();
    }
  }

  /** The mode for this process: a bar on a terminal unless disabled, plain lines without a terminal. */
  static Mode mode(boolean disabled) {
    if (disabled) {
      return Mode.OFF;
    }
    return System.console() != null ? Mode.BAR : Mode.LINES;
  }

  /**
   * The note to show: {@code WAITING for <backend> since <time> (<n> s)} first while the job waits for
   * an unavailable backend, then {@code extra}.
   */
  static String withWaiting(JobProgress p, String extra) {
    return p.waitingFor().map(w -> "WAITING for " + w.backend() + " since " + w.since().truncatedTo(ChronoUnit.SECONDS)
        + " (" + Math.max(0, Duration.between(w.since(), Instant.now()).toSeconds()) + " s)"
        + (extra == null || extra.isBlank() ? "" : ", " + extra)).orElse(extra);
  }

  static Progress start(String task, Mode mode, PrintWriter out) {
    return new Progress(task, mode, out);
  }

  /**
   * @param done items done so far in this run
   * @param total the expected total of this run, or -1 when unknown
   * @param eta the engine's estimate of the time left, if any
   * @param extra a short note shown after the bar (skipped, dead letters, shards)
   */
  synchronized void update(long done, long total, Optional<Duration> eta, String extra) {
    this.current = done;
    this.max = total;
    this.eta = eta;
    switch (mode) {
      case BAR -> {
        if (total >= 0) {
          bar.maxHint(Math.max(total, done));
        }
        bar.stepTo(done);
        bar.setExtraMessage(extra == null ? "" : " " + extra);
      }
      case LINES -> {
        long now = System.nanoTime();
        if (now - lastLineNanos >= PLAIN_INTERVAL_SECONDS * 1_000_000_000L) {
          lastLineNanos = now;
          out.println(line(extra));
          out.flush();
        }
      }
      default -> {
      }
    }
  }

  private String line(String extra) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = seconds > 0 ? current / seconds : 0;
    StringBuilder sb = new StringBuilder(task).append(": ").append(Report.number(current));
    if (max >= 0) {
      sb.append(" / ").append(Report.number(max));
      if (max > 0) {
        sb.append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * current / max));
      }
    }
    sb.append(String.format(Locale.ROOT, ", %.0f/s", rate));
    eta.ifPresent(d -> sb.append(", ETA ").append(Report.duration(d)));
    if (extra != null && !extra.isBlank()) {
      sb.append(", ").append(extra);
    }
    return sb.toString();
  }

  @Override
  public synchronized void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
