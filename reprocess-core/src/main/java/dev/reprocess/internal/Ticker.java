package dev.reprocess.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * A monotonic-ish nanosecond time source derived from a job's {@link Clock}: the one seam through
 * which the engine reads time for waits (retry backoff, rate limiting) and latencies, so that a
 * test driving a fake clock drives them all.
 *
 * <p>For the JDK's system clock ({@link Clock#systemUTC()}, {@link Clock#systemDefaultZone()}) it
 * is {@link System#nanoTime()} (monotonic, immune to wall-clock jumps). For any other clock it is
 * the clock's instant in nanoseconds since the epoch, which only moves when that clock moves.
 */
public interface Ticker {

  /** The current time in nanoseconds; only differences between two readings are meaningful. */
  long nanoTime();

  /** True when this is the JVM's monotonic clock, so that waits can be done in real time. */
  boolean isSystem();

  /** The ticker of a clock (see the interface comment). */
  static Ticker of(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    if (clock.getClass() == Clock.systemUTC().getClass()) {
      return SYSTEM;
    }
    return new Ticker() {
      @Override
      public long nanoTime() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }

      @Override
      public boolean isSystem() {
        return false;
      }
    };
  }

  /** The JVM's monotonic clock. */
  Ticker SYSTEM = new Ticker() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public boolean isSystem() {
      return true;
    }
  };
}
