package dev.reprocess.internal;

import dev.reprocess.BackendUnavailableException;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The outage budget of one execution: while a backend is unavailable ({@link
 * BackendUnavailableException}) the work waits and tries again with an exponential backoff (200 ms
 * doubling up to 5 s, resilience4j's {@link IntervalFunction}) until the backend answers again or
 * the outage, counted from its first failure, has lasted longer than the budget. Each backend (by
 * {@link BackendUnavailableException#backend()}) has its own outage. Waits are in real time and
 * end at once when the run stops ({@link #stop()}). Thread-safe.
 */
public final class OutageWait {

  private static final Logger LOG = RunContext.LOG;
  private static final IntervalFunction BACKOFF = IntervalFunction.ofExponentialBackoff(200, 2.0, 5_000);

  private final String prefix;
  private final Duration budget;
  private final Ticker ticker;
  private final ConcurrentMap<String, Outage> outages = new ConcurrentHashMap<>();
  private final CountDownLatch stopped = new CountDownLatch(1);

  private record Outage(long sinceNanos, Instant since, int waits) {}

  OutageWait(String prefix, Duration budget, Ticker ticker) {
    this.prefix = prefix;
    this.budget = budget;
    this.ticker = ticker;
  }

  /** An outage budget for code that has no execution (the Kafka worker, tests). */
  public static OutageWait of(String prefix, Duration budget) {
    return new OutageWait(prefix, budget, Ticker.of(java.time.Clock.systemUTC()));
  }

  /**
   * Records one more failure of the backend.
   *
   * @return the wait before trying again, or null when the outage has outlasted the budget (the
   *     caller fails)
   */
  public Duration onUnavailable(BackendUnavailableException e) {
    long now = ticker.nanoTime();
    Outage outage = outages.compute(e.backend(), (k, o) -> o == null
        ? new Outage(now, Instant.now(), 1) : new Outage(o.sinceNanos(), o.since(), o.waits() + 1));
    if (outage.waits() == 1) {
      LOG.warn("{}WAITING for {} (since {}, outage budget {}): {}", prefix, e.backend(),
          outage.since(), budget, e.getMessage());
    }
    if (now - outage.sinceNanos() > budget.toNanos()) {
      return null;
    }
    return Duration.ofMillis(BACKOFF.apply(Math.min(outage.waits(), 30)));
  }

  /** The backend answered: its outage, if any, is over. */
  public void onAvailable(String backend) {
    if (outages.isEmpty()) {
      return; // the common case, once per delivered event: no map lookup
    }
    Outage ended = outages.remove(backend);
    if (ended != null) {
      LOG.warn("{}{} is back after {} s", prefix, backend,
          Duration.ofNanos(ticker.nanoTime() - ended.sinceNanos()).toSeconds());
    }
  }

  /** Ends every outage (a delivery succeeded, so the sink's backend answers). */
  public void onAnyAvailable() {
    if (!outages.isEmpty()) {
      outages.keySet().forEach(this::onAvailable);
    }
  }

  /** True while an outage of any backend goes on. */
  public boolean anyOutage() {
    return !outages.isEmpty();
  }

  /** True while an outage of {@code backend} goes on. */
  public boolean isWaitingFor(String backend) {
    return outages.containsKey(backend);
  }

  /** The backend waited for longest (the earliest outage still going on), if any. */
  public java.util.Optional<dev.reprocess.JobProgress.Waiting> longestWait() {
    return outages.entrySet().stream()
        .min(java.util.Map.Entry.comparingByValue(java.util.Comparator.comparingLong(Outage::sinceNanos)))
        .map(e -> new dev.reprocess.JobProgress.Waiting(e.getKey(), e.getValue().since()));
  }

  /** The backends being waited for, with the start of each outage; empty when none. */
  public java.util.Map<String, Instant> waitingFor() {
    java.util.Map<String, Instant> out = new java.util.TreeMap<>();
    outages.forEach((k, o) -> out.put(k, o.since()));
    return out;
  }

  /**
   * Runs a blocking call (a checkpoint write, a load), waiting and trying again while it throws
   * {@link BackendUnavailableException}, within the budget. Blocks the calling thread.
   *
   * @throws dev.reprocess.ReprocessException when the budget is spent, with the last {@link
   *     BackendUnavailableException} as the cause
   * @throws WaitAbandoned when {@code stopping} holds or {@link #stop()} ends a wait
   */
  public void call(Runnable action, BooleanSupplier stopping) {
    get(() -> {
      action.run();
      return null;
    }, stopping);
  }

  /**
   * As {@link #call}, for a call that returns a value (the shard list, the checkpoints, a lease, a
   * page).
   */
  public <T> T get(Supplier<T> action, BooleanSupplier stopping) {
    String waitedFor = null;
    while (true) {
      try {
        T result = action.get();
        if (waitedFor != null) {
          onAvailable(waitedFor);
        }
        return result;
      } catch (BackendUnavailableException e) {
        waitedFor = e.backend();
        Duration wait = onUnavailable(e);
        if (wait == null) {
          throw new dev.reprocess.ReprocessException(exhausted(e), e);
        }
        if (stopping.getAsBoolean() || !pause(wait)) {
          throw new WaitAbandoned(prefix + "stopped while waiting for " + e.backend(), e);
        }
      }
    }
  }

  /**
   * Waits {@code wait} of real time, or less if {@link #stop()} is called first (a cancel or a
   * failure of the run). Blocks the calling thread.
   *
   * @return true if the time passed, false if the wait was ended by a stop or an interrupt (the
   *     thread's interrupt flag is set again)
   */
  public boolean pause(Duration wait) {
    try {
      return !stopped.await(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Ends every wait in progress and every later one at once: the run stops. Idempotent. */
  public void stop() {
    stopped.countDown();
  }

  /** The message of a job failed by an outage past its budget. */
  public String exhausted(BackendUnavailableException e) {
    return prefix + e.backend() + " stayed unavailable longer than the outage budget (" + budget
        + "); failing: " + e.getMessage();
  }

  /** A wait for a backend ended because the run stops (a cancel, or a failure already recorded). */
  public static final class WaitAbandoned extends dev.reprocess.ReprocessException {
    private static final long serialVersionUID = 1L;

    WaitAbandoned(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
