package dev.reprocess.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that moves only when told to, for tests of time-dependent behaviour (retry
 * backoff, rate limiting, rates and ETAs) without sleeping. Pass it to {@link
 * dev.reprocess.ReprocessJob.Builder#clock(Clock)}: the job's waits then elapse when the test calls
 * {@link #advance(Duration)}, shortly after (the job's timer re-reads a non-system clock every few
 * milliseconds), never because real time passed.
 *
 * <p>Thread-safe: the time is one atomic nanosecond counter. UTC zone.
 */
public final class ManualClock extends Clock {

  private final AtomicLong epochNanos;

  /** A clock at {@code start}. */
  public ManualClock(Instant start) {
    this.epochNanos = new AtomicLong(toNanos(Objects.requireNonNull(start, "start")));
  }

  /** A clock at 2026-01-01T00:00:00Z. */
  public ManualClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /**
   * Moves the clock forward.
   *
   * @throws IllegalArgumentException if {@code by} is null or negative
   */
  public void advance(Duration by) {
    if (by == null) {
      throw new IllegalArgumentException("by is null: pass how far to move the clock");
    }
    if (by.isNegative()) {
      throw new IllegalArgumentException("by is " + by + ": a clock only moves forward");
    }
    epochNanos.addAndGet(by.toNanos());
  }

  @Override
  public Instant instant() {
    long n = epochNanos.get();
    return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (ZoneOffset.UTC.equals(zone)) {
      return this;
    }
    throw new UnsupportedOperationException("ManualClock is UTC only");
  }

  private static long toNanos(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }

  @Override
  public String toString() {
    return "ManualClock[" + instant() + "]";
  }
}
