package dev.reprocess.internal;

import dev.reprocess.BackendUnavailableException;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;

/**
 * The outage budget of one execution: while a backend is unavailable ({@link
 * BackendUnavailableException}) the work waits and tries again with an exponential backoff (200 ms
 * doubling up to 5 s, resilience4j's {@link IntervalFunction}) until the backend answers again or
 * the outage, counted from its first failure, has lasted longer than the budget. Each backend (by
 * {@link BackendUnavailableException#backend()}) has its own outage. Thread-safe.
 */
public final class OutageWait {

  private static final Logger LOG = RunContext.LOG;
  private static final IntervalFunction BACKOFF = IntervalFunction.ofExponentialBackoff(200, 2.0, 5_000);

  private final String prefix;
  private final Duration budget;
  private final Ticker ticker;
  private final ConcurrentMap<String, Outage> outages = new ConcurrentHashMap<>();

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
   * @throws dev.reprocess.ReprocessException when the budget is spent or {@code stopping} holds,
   *     with the last {@link BackendUnavailableException} as the cause
   */
  public void call(Runnable action, java.util.function.BooleanSupplier stopping) {
    String waitedFor = null;
    while (true) {
      try {
        action.run();
        if (waitedFor != null) {
          onAvailable(waitedFor);
        }
        return;
      } catch (BackendUnavailableException e) {
        waitedFor = e.backend();
        Duration wait = onUnavailable(e);
        if (wait == null || stopping.getAsBoolean()) {
          throw new dev.reprocess.ReprocessException(exhausted(e), e);
        }
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new dev.reprocess.ReprocessException(prefix + "interrupted while waiting for "
              + e.backend(), e);
        }
      }
    }
  }

  /** The message of a job failed by an outage past its budget. */
  public String exhausted(BackendUnavailableException e) {
    return prefix + e.backend() + " stayed unavailable longer than the outage budget (" + budget
        + "); failing: " + e.getMessage();
  }
}
