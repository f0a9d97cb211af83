package dev.reprocess.internal;

import dev.reprocess.JobProgress;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.ShardProgress;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The counts of one execution, kept in one place: the job's counters, its shards' and pages'
 * counters, and the Micrometer meters, each moved by one method here; and the progress snapshot
 * and final report made from them. Thread-safe: events settle on many threads.
 */
final class JobTally implements AutoCloseable {

  private final String name;
  private final Ticker ticker;
  private final JobMetrics metrics;
  private final LongAdder selected = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  /**
   * The job's concurrency gate, whose limit the progress and a gauge show. An event holds one of
   * its permits from dispatch until it is final or abandoned (through its retries), so its permits
   * in use are the events in flight, with no count of their own for each event to write.
   */
  private final ConcurrencyGate gate;
  private final java.util.concurrent.atomic.AtomicReference<FailureStreak> failureStreak =
      new java.util.concurrent.atomic.AtomicReference<>(FailureStreak.NONE);
  private final Map<String, LongAdder> failuresByType = new ConcurrentHashMap<>();
  private volatile long startNanos;
  /** When the run ended ({@link #report}); elapsed time stops there. {@code Long.MIN_VALUE} while it runs. */
  private final AtomicLong endNanos = new AtomicLong(Long.MIN_VALUE);

  JobTally(String name, MeterRegistry registry, Ticker ticker, ConcurrencyGate gate) {
    this.name = name;
    this.ticker = ticker;
    this.gate = gate;
    this.metrics = new JobMetrics(registry, name);
  }

  /** Starts the execution's clock: elapsed time and rates count from here. */
  void started() {
    startNanos = ticker.nanoTime();
  }

  /** Registers the execution's gauges; {@link #close()} removes them. */
  void registerGauges(Pressure pressure, Supplier<List<ShardState>> shards) {
    metrics.gauge(JobMetrics.IN_FLIGHT, "events delivered or waiting for a retry", name,
        this::eventsInFlight);
    metrics.gauge(JobMetrics.CONCURRENCY_LIMIT, "current limit on events in flight", name, gate::limit);
    if (gate.adaptive()) {
      metrics.gauge(JobMetrics.PRESSURE_LATENCY, "latency of the last sample of the pressure signal, seconds",
          name, pressure::lastLatencySeconds);
      metrics.gauge(JobMetrics.PRESSURE_SAMPLES, "samples of the pressure signal in this execution", name,
          pressure::samples);
      metrics.gauge(JobMetrics.PRESSURE_DROPS, "samples of the pressure signal that were drops, in this execution",
          name, pressure::drops);
    }
    metrics.gauge(JobMetrics.SHARDS_COMPLETED, "shards finished, in this run or before", name,
        () -> shardsCompleted(shards.get()));
  }

  void pageRead(ShardState shard, int assets) {
    selected.add(assets);
    shard.selected.add(assets);
    metrics.selected.increment(assets);
  }

  void pagesCheckpointed(ShardState shard, int pages) {
    shard.pagesCompleted.addAndGet(pages);
  }

  /** Events delivered or waiting for a retry: the concurrency permits they hold. */
  private long eventsInFlight() {
    return gate.inFlight();
  }

  void attemptLatency(long nanos) {
    metrics.recordLatency(nanos);
  }

  /** An attempt's outcome: {@link Outcome#SKIPPED} counts as skipped, anything else succeeded. */
  void outcome(Outcome outcome, ShardState shard, PageWork page) {
    if (outcome == Outcome.SKIPPED) {
      skipped.increment();
      shard.skipped.increment();
      page.skipped.incrementAndGet();
    } else {
      succeeded.increment();
      shard.succeeded.increment();
      page.succeeded.incrementAndGet();
    }
  }

  /**
   * A final outcome in a run of the direct sink: counted for the job now (progress and the error
   * budget read it), for its shard and page with the run's others at {@link #runSettled}.
   */
  void runOutcome(Outcome outcome) {
    if (outcome == Outcome.SKIPPED) {
      skipped.increment();
    } else {
      succeeded.increment();
    }
  }

  /** A run's final outcomes ({@link #runOutcome}) for their shard and page, together: one update per count. */
  void runSettled(ShardState shard, PageWork page, int succeededEvents, int skippedEvents) {
    if (succeededEvents > 0) {
      shard.succeeded.add(succeededEvents);
      page.succeeded.addAndGet(succeededEvents);
    }
    if (skippedEvents > 0) {
      shard.skipped.add(skippedEvents);
      page.skipped.addAndGet(skippedEvents);
    }
  }

  /**
   * A page's events are all final or abandoned: its succeeded and skipped events go to the
   * Micrometer counters now, once per page rather than once per event (a shared counter's update
   * was a fifth of the engine's CPU per event).
   */
  void pageSettled(PageWork page) {
    long passed = page.succeeded.get();
    long skippedOnPage = page.skipped.get();
    if (passed > 0) {
      metrics.succeeded.increment(passed);
    }
    if (skippedOnPage > 0) {
      metrics.skipped.increment(skippedOnPage);
    }
  }

  void attemptFailed(Throwable failure) {
    failed.increment();
    metrics.failed.increment();
    failuresByType.computeIfAbsent(failure.getClass().getName(), k -> new LongAdder()).increment();
  }

  void retryScheduled() {
    retried.increment();
    metrics.retried.increment();
  }

  /** Events dead-lettered in this execution. */
  long deadLetteredTotal() {
    return deadLettered.sum();
  }

  /** Events of this execution that succeeded or were skipped. */
  long passedTotal() {
    return succeeded.sum() + skipped.sum();
  }

  /** The dead letters in a row for one reason, after one more whose final failure was {@code failure}. */
  FailureStreak failureStreakAfter(Throwable failure) {
    return failureStreak.updateAndGet(streak -> streak.after(failure));
  }

  void deadLettered(ShardState shard, PageWork page) {
    deadLettered.increment();
    shard.deadLettered.increment();
    page.deadLettered.incrementAndGet();
    metrics.deadLettered.increment();
  }

  /** Time since {@link #started()}, up to the report when the run has ended. */
  Duration elapsed() {
    long end = endNanos.get();
    return Duration.ofNanos(Math.max(0, (end != Long.MIN_VALUE ? end : ticker.nanoTime()) - startNanos));
  }

  private long processed() {
    return succeeded.sum() + skipped.sum() + deadLettered.sum();
  }

  static long shardsCompleted(List<ShardState> shards) {
    return shards.stream().filter(ShardState::isFinished).count();
  }

  private static double rate(long processed, Duration elapsed) {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds > 0 ? processed / seconds : 0;
  }

  JobProgress progress(JobStatus status, List<ShardState> states, Optional<JobProgress.Waiting> waitingFor) {
    List<ShardProgress> shards = new ArrayList<>(states.size());
    long total = 0;
    boolean countable = true;
    for (ShardState s : states) {
      shards.add(s.progress());
      if (s.state != ShardProgress.State.ALREADY_COMPLETED) {
        if (s.estimate.isPresent()) {
          long done = s.base != null ? s.base.selected() : 0;
          total += Math.max(0, s.estimate.getAsLong() - done);
        } else {
          countable = false;
        }
      }
    }
    Duration elapsed = elapsed();
    long processed = processed();
    double rate = rate(processed, elapsed);
    OptionalLong estimatedTotal = countable && !states.isEmpty() ? OptionalLong.of(total) : OptionalLong.empty();
    Optional<Duration> eta = Optional.empty();
    if (estimatedTotal.isPresent() && rate > 0) {
      long remaining = Math.max(0, estimatedTotal.getAsLong() - processed);
      eta = Optional.of(Duration.ofNanos((long) (remaining / rate * 1e9)));
    }
    return new JobProgress(name, status, selected.sum(), succeeded.sum(), skipped.sum(),
        failed.sum(), retried.sum(), deadLettered.sum(), eventsInFlight(), gate.limit(),
        elapsed, rate, estimatedTotal, eta, shards, waitingFor);
  }

  /** The run's report; the first call also stops the elapsed time, so progress after the end agrees with it. */
  JobReport report(JobStatus status, Throwable cause, List<ShardState> shards, String deadLetters) {
    endNanos.compareAndSet(Long.MIN_VALUE, ticker.nanoTime());
    Duration duration = elapsed();
    Map<String, Long> byType = new TreeMap<>();
    failuresByType.forEach((k, v) -> byType.put(k, v.sum()));
    return new JobReport(name, status, selected.sum(), succeeded.sum(), skipped.sum(),
        failed.sum(), retried.sum(), deadLettered.sum(), duration, rate(processed(), duration), byType,
        deadLetters, (int) shardsCompleted(shards), shards.size(), cause);
  }

  /** Removes the execution's gauges; counters and the timer stay, cumulative per registry. */
  @Override
  public void close() {
    metrics.close();
  }
}
