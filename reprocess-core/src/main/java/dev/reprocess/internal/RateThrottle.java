package dev.reprocess.internal;

import static dev.reprocess.ReprocessJob.MAX_EVENTS_PER_SECOND;
import static dev.reprocess.ReprocessJob.MIN_EVENTS_PER_SECOND;

import dev.reprocess.ReprocessJob;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

/**
 * The engine's limit on attempts per second. Each attempt reserves a permit and learns how long to
 * wait before it may be delivered; the engine schedules it on its {@link ClockTimer} rather than
 * blocking a thread.
 *
 * <p>Backed by a resilience4j {@link RateLimiter} built through its public factory ({@code
 * limitForPeriod = 1}, {@code limitRefreshPeriod = ceil(1 s / rate)}, so permits are spaced evenly,
 * with no burst, and the rate is never exceeded). {@link RateLimiter#of(String, RateLimiterConfig,
 * java.util.function.Supplier)} takes a nanosecond time source, so no home-made token bucket is
 * needed: the job's {@link Ticker} is passed in, and a test drives the limiter by moving its clock.
 * {@link RateLimiter#reservePermission(int)} never parks the caller; it returns the wait.
 *
 * <p>Thread-safe (lock-free compare-and-set inside resilience4j).
 */
public final class RateThrottle {

  private final String name;
  private final Ticker ticker;
  /** The limiter in force; swapped whole by {@link #change}, null when unlimited. */
  private volatile Limiter current;

  /** One limiter and its rate, replaced together. */
  private record Limiter(RateLimiter limiter, double perSecond, ThreadLocal<long[]> lastReading) {}

  private RateThrottle(String name, Ticker ticker, double perSecond) {
    this.name = name;
    this.ticker = ticker;
    this.current = build(perSecond);
  }

  /** No limit until {@link #change}: {@link #reserveDeadlineNanos()} returns {@code Long.MIN_VALUE}. */
  public static RateThrottle unlimited(String name, Ticker ticker) {
    return new RateThrottle(name, ticker, 0);
  }

  /**
   * A limit of {@code perSecond} permits per second of {@code ticker} time.
   *
   * @param perSecond {@value ReprocessJob#MIN_EVENTS_PER_SECOND} to {@value
   *     ReprocessJob#MAX_EVENTS_PER_SECOND}
   */
  public static RateThrottle perSecond(String name, double perSecond, Ticker ticker) {
    if (perSecond == 0) {
      throw new IllegalArgumentException("maxEventsPerSecond is 0: use unlimited()");
    }
    requireRate(perSecond);
    return new RateThrottle(name, ticker, perSecond);
  }

  /**
   * Replaces the limit: {@code perSecond} permits per second, or none when 0 (the rule of {@link
   * #rateProblem}; otherwise {@link IllegalArgumentException} {@code maxEventsPerSecond is <value>:
   * <rule>}). Reservations made
   * before keep their deadline; the next reservation is spaced by the new rate alone (a fresh
   * limiter, whose first permit is free). Thread-safe.
   */
  public void change(double perSecond) {
    requireRate(perSecond);
    current = build(perSecond);
  }

  /**
   * Why {@code rate} is not a valid {@code maxEventsPerSecond}, or null when it is: 0 (no limit),
   * or {@value ReprocessJob#MIN_EVENTS_PER_SECOND} to {@value ReprocessJob#MAX_EVENTS_PER_SECOND}.
   * The one declaration of the rule, for the builder option and for {@link #change}.
   */
  public static String rateProblem(Double rate) {
    // -0.0 == 0 is true, but a negative zero is almost surely a bug in the caller: refused too.
    boolean bad = rate == null || Double.isNaN(rate) || rate < 0
        || Double.doubleToRawLongBits(rate) == Double.doubleToRawLongBits(-0.0)
        || (rate > 0 && rate < MIN_EVENTS_PER_SECOND) || rate > MAX_EVENTS_PER_SECOND;
    return bad ? "it must be 0 (no limit) or between " + MIN_EVENTS_PER_SECOND + " and "
        + MAX_EVENTS_PER_SECOND : null;
  }

  /** Throws {@link IllegalArgumentException} {@code maxEventsPerSecond is <value>: <rule>} on a bad rate. */
  public static void requireRate(double perSecond) {
    String problem = rateProblem(perSecond);
    if (problem != null) {
      throw new IllegalArgumentException("maxEventsPerSecond is " + perSecond + ": " + problem);
    }
  }

  private Limiter build(double perSecond) {
    if (perSecond == 0) {
      return null;
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
    ThreadLocal<long[]> lastReading = ThreadLocal.withInitial(() -> new long[1]);
    RateLimiter limiter = RateLimiter.of(name, config, () -> {
      long now = ticker.nanoTime();
      lastReading.get()[0] = now;
      return now;
    });
    return new Limiter(limiter, perSecond, lastReading);
  }

  /** True when there is a limit now. */
  public boolean limited() {
    return current != null;
  }

  /** The rate in force, 0 when unlimited. */
  public double perSecond() {
    Limiter l = current;
    return l == null ? 0 : l.perSecond();
  }

  /**
   * Reserves one permit.
   *
   * @return the ticker time at which the permit may be used, or {@link Long#MIN_VALUE} when it can
   *     be used now (always, when unlimited). The deadline is absolute, taken from the very ticker
   *     reading the limiter computed its wait from, so a clock that moves between the reservation
   *     and the scheduling of the delivery cannot push the delivery later than its permit.
   */
  public long reserveDeadlineNanos() {
    Limiter l = current;
    if (l == null) {
      return Long.MIN_VALUE;
    }
    long wait = l.limiter().reservePermission(1);
    if (wait < 0) {
      // Only when more than a year of reservations are queued, which the engine's concurrency bound rules out.
      throw new IllegalStateException("rate limiter refused a permit: more than 365 days of permits reserved");
    }
    return wait == 0 ? Long.MIN_VALUE : l.lastReading().get()[0] + wait;
  }
}
