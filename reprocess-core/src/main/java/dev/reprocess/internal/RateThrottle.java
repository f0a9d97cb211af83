package dev.reprocess.internal;

import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.Map;

/**
 * The engine's limit on attempts per second. Each attempt reserves a permit and learns how long to
 * wait before it may be delivered; the engine schedules it on its {@link ClockTimer} rather than
 * blocking a thread.
 *
 * <p>Backed by resilience4j's {@link AtomicRateLimiter} ({@code limitForPeriod = 1}, {@code
 * limitRefreshPeriod = ceil(1 s / rate)}, so permits are spaced evenly, with no burst, and the rate
 * is never exceeded). resilience4j accepts an injected nanosecond time source ({@code
 * AtomicRateLimiter(name, config, tags, Supplier<Long>)}), so no home-made token bucket is needed:
 * the job's {@link Ticker} is passed in, and a test drives the limiter by moving its clock.
 * {@link AtomicRateLimiter#reservePermission(int)} never parks the caller; it returns the wait.
 *
 * <p>Thread-safe (lock-free CAS inside resilience4j).
 */
public final class RateThrottle {

  private static final RateThrottle UNLIMITED = new RateThrottle(null, 0);

  private final AtomicRateLimiter limiter;
  private final double perSecond;

  private RateThrottle(AtomicRateLimiter limiter, double perSecond) {
    this.limiter = limiter;
    this.perSecond = perSecond;
  }

  /** No limit: {@link #reserveNanos()} is always 0. */
  public static RateThrottle unlimited() {
    return UNLIMITED;
  }

  /**
   * A limit of {@code perSecond} permits per second of {@code ticker} time.
   *
   * @param perSecond greater than 0, at most 1e9
   */
  public static RateThrottle perSecond(String name, double perSecond, Ticker ticker) {
    if (!(perSecond > 0) || perSecond > 1e9) {
      throw new IllegalArgumentException("maxEventsPerSecond is " + perSecond + ": it must be in (0, 1e9]");
    }
    long periodNanos = Math.max(1, (long) Math.ceil(1e9 / perSecond));
    RateLimiterConfig config = RateLimiterConfig.custom()
        .limitForPeriod(1)
        .limitRefreshPeriod(Duration.ofNanos(periodNanos))
        // The longest wait a reservation may get; the engine bounds reservations by its
        // concurrency, so waits stay far below this.
        .timeoutDuration(Duration.ofDays(365))
        .writableStackTraceEnabled(false)
        .build();
    AtomicRateLimiter limiter = new AtomicRateLimiter(name, config, Map.of(), ticker::nanoTime);
    return new RateThrottle(limiter, perSecond);
  }

  /** True when there is a limit. */
  public boolean limited() {
    return limiter != null;
  }

  /** The configured rate, 0 when unlimited. */
  public double perSecond() {
    return perSecond;
  }

  /**
   * Reserves one permit.
   *
   * @return nanoseconds of ticker time to wait before using it; 0 when it can be used now
   */
  public long reserveNanos() {
    if (limiter == null) {
      return 0;
    }
    long wait = limiter.reservePermission(1);
    if (wait < 0) {
      // Only when more than a year of reservations are queued, which the engine's concurrency bound rules out.
      throw new IllegalStateException("rate limiter refused a permit: more than 365 days of permits reserved");
    }
    return wait;
  }
}
