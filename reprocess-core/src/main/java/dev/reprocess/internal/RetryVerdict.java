package dev.reprocess.internal;

import dev.reprocess.RetryOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What to do after one failed attempt of one event, as a value (the idea of the Cassandra driver's
 * {@code RetryVerdict}): the engine and the Kafka worker both ask {@link #decide} and act on the
 * answer, so the rule lives here once and a unit test checks it without running anything.
 *
 * @param action what to do next
 * @param backoff the wait before the next attempt when {@code action} is {@link Action#RETRY};
 *     {@link Duration#ZERO} otherwise
 * @param failure the failure the verdict is about, unwrapped from {@link CompletionException} and
 *     {@link ExecutionException}
 */
public record RetryVerdict(Action action, Duration backoff, Throwable failure) {

  /** The possible decisions. */
  public enum Action {
    /** Attempt the event again after {@link #backoff()}. */
    RETRY,
    /** Attempts are used up, or the failure is not retriable: dead-letter the event. */
    DEAD_LETTER,
    /**
     * The failure is not an {@link Exception} (an {@link Error}: out of memory, a linkage error):
     * stop instead of treating it as the event's fault.
     */
    STOP
  }

  public RetryVerdict {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(failure, "failure");
  }

  /**
   * Decides what follows a failed attempt.
   *
   * @param retry the retry options
   * @param attemptJustFailed the 1-based number of the attempt that failed
   * @param failure what the attempt failed with, possibly wrapped in {@link CompletionException}
   *     or {@link ExecutionException}
   * @param random the source of the backoff's jitter
   * @return {@link Action#STOP} for an {@link Error}; {@link Action#RETRY} with the backoff when
   *     {@link RetryOptions#isRetriable} holds and {@code attemptJustFailed <
   *     retry.maxAttempts()}; {@link Action#DEAD_LETTER} otherwise
   */
  public static RetryVerdict decide(RetryOptions retry, int attemptJustFailed, Throwable failure, Random random) {
    Throwable t = unwrap(Objects.requireNonNull(failure, "failure"));
    if (!(t instanceof Exception)) {
      return new RetryVerdict(Action.STOP, Duration.ZERO, t);
    }
    if (attemptJustFailed < retry.maxAttempts() && retry.isRetriable(t)) {
      return new RetryVerdict(Action.RETRY, retry.backoff(attemptJustFailed, random), t);
    }
    return new RetryVerdict(Action.DEAD_LETTER, Duration.ZERO, t);
  }

  /** Strips {@link CompletionException} and {@link ExecutionException} wrappers that have a cause. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
