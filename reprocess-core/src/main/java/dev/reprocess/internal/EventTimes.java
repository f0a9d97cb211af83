package dev.reprocess.internal;

import java.time.Clock;
import java.time.Instant;

/**
 * The creation time of a job's events ({@link dev.reprocess.ReprocessEvent#createdAt()}), read
 * where the engine already reads its {@link Ticker}. On the JVM's monotonic ticker (a job on the
 * system clock) the wall clock is read at most once per millisecond of the ticker, and a reading
 * is reused for the events created within that millisecond: an event's time is at most 1 ms
 * earlier than the wall clock when it was created, the precision at which the event's wire
 * formats carry it. On any other clock (a test's) every event reads the clock. Thread-safe.
 */
final class EventTimes {

  private static final long REUSE_NANOS = 1_000_000L;

  private final Clock clock;
  private final boolean reuse;
  /** The last wall-clock reading and the ticker's time it was taken at; null before the first. */
  private volatile Reading last;

  EventTimes(Clock clock, Ticker ticker) {
    this.clock = clock;
    this.reuse = ticker.isSystem();
  }

  /** The creation time of an event created at {@code tickerNanos} (a reading of the job's ticker). */
  Instant at(long tickerNanos) {
    if (!reuse) {
      return clock.instant();
    }
    Reading r = last;
    if (r != null) {
      long age = tickerNanos - r.tickerNanos;
      if (age >= 0 && age < REUSE_NANOS) {
        return r.instant;
      }
    }
    Instant now = clock.instant();
    last = new Reading(tickerNanos, now);
    return now;
  }

  private record Reading(long tickerNanos, Instant instant) {}
}
