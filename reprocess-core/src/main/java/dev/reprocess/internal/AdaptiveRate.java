package dev.reprocess.internal;

import dev.reprocess.ReprocessJob;

/**
 * With {@code adaptiveRate}: the job's rate limit follows its adaptive limit, {@code
 * maxEventsPerSecond × limit / concurrency}, for sinks whose deliveries complete on an
 * acknowledgement (events in flight then bound the sends, not the work done downstream). The rate
 * is changed only when it moves by 5% or more, since each change starts a fresh limiter. Without
 * it, {@link #rethrottle} just sets the rate. Thread-safe.
 */
final class AdaptiveRate {

  private static final double STEP = 0.05;

  private final ConcurrencyGate gate;
  private final RateThrottle throttle;
  private final boolean scaled;
  private volatile double base;
  private double applied = -1;

  AdaptiveRate(ConcurrencyGate gate, RateThrottle throttle, boolean scaled, double maxEventsPerSecond) {
    this.gate = gate;
    this.throttle = throttle;
    this.scaled = scaled;
    this.base = maxEventsPerSecond;
    if (scaled) {
      gate.onLimitChange(this::apply);
      apply();
    }
  }

  /** A new {@code maxEventsPerSecond} (0 for none), scaled by the limit when adaptive. */
  void rethrottle(double maxEventsPerSecond) {
    base = maxEventsPerSecond;
    if (scaled && maxEventsPerSecond > 0) {
      synchronized (this) {
        applied = -1;
      }
      apply();
    } else {
      throttle.change(maxEventsPerSecond);
    }
  }

  /** Sets the rate from the current limit, if it moved enough. */
  synchronized void apply() {
    double b = base;
    if (!scaled || b <= 0) {
      return;
    }
    double rate = Math.max(ReprocessJob.MIN_EVENTS_PER_SECOND, b * gate.limit() / gate.max());
    if (applied < 0 || Math.abs(rate - applied) >= STEP * applied) {
      throttle.change(rate);
      applied = rate;
    }
  }
}
