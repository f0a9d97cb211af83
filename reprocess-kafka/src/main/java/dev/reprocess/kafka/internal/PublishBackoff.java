package dev.reprocess.kafka.internal;

import dev.reprocess.RetryOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * When a shard publisher whose attempt failed tries again: a jittered exponential backoff until a
 * deadline. Publishers of one job share a transactional id, so hosts that start together fence
 * each other's transactions; random and growing waits let one of them commit while the others
 * wait and look. The waits are {@link RetryOptions#backoff}'s formula with {@link #WAITS}: 100 ms
 * doubling per failed attempt up to 5 s, each a uniformly random 50% to 150% of that, and never
 * past the deadline.
 *
 * <p>Not thread-safe: one per publish call, used by the thread that created it (its default
 * random is that thread's {@link ThreadLocalRandom}).
 */
public final class PublishBackoff {
  /** The waits' shape (only its backoff fields are used). */
  static final RetryOptions WAITS = RetryOptions.custom().initialBackoff(Duration.ofMillis(100)).multiplier(2.0)
      .maxBackoff(Duration.ofSeconds(5)).jitter(0.5).build();

  private final Duration timeout;
  private final LongSupplier nanoTime;
  private final Random random;
  private final long start;
  private int failedAttempts;

  PublishBackoff(Duration timeout, LongSupplier nanoTime, Random random) {
    this.timeout = timeout;
    this.nanoTime = nanoTime;
    this.random = random;
    this.start = nanoTime.getAsLong();
  }

  /** A backoff whose deadline is {@code timeout} from now, on {@link System#nanoTime()}. */
  public static PublishBackoff startingNow(Duration timeout) {
    return new PublishBackoff(timeout, System::nanoTime, ThreadLocalRandom.current());
  }

  /**
   * Counts one more failed attempt and says how long to wait before the next one.
   *
   * @return the wait, at most the time left before the deadline; empty once the deadline is
   *     reached: give up
   */
  public Optional<Duration> afterFailedAttempt() {
    failedAttempts++;
    long leftNanos = timeout.toNanos() - elapsedNanos();
    if (leftNanos <= 0) {
      return Optional.empty();
    }
    Duration wait = WAITS.backoff(failedAttempts, random);
    return Optional.of(wait.toNanos() < leftNanos ? wait : Duration.ofNanos(leftNanos));
  }

  /** Attempts counted as failed so far. */
  public int failedAttempts() {
    return failedAttempts;
  }

  /** Time since this backoff was created. */
  public Duration elapsed() {
    return Duration.ofNanos(elapsedNanos());
  }

  /** The deadline's distance from the start. */
  public Duration timeout() {
    return timeout;
  }

  private long elapsedNanos() {
    return nanoTime.getAsLong() - start;
  }
}
