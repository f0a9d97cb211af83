package dev.reprocess.internal;

import dev.reprocess.DeadLetters;
import java.util.Objects;

/**
 * The dead letters of a run in a row that failed for one reason: the class of the root cause of
 * their final failure (a {@code RecordTooLargeException} that the Kafka sink wrapped is a {@code
 * RecordTooLargeException}; a handler's own exception without a cause is its class). Pure and
 * immutable: the run keeps the current streak and replaces it after each dead letter ({@link
 * #after}), so {@link ErrorBudget} can tell a job whose every event fails the same way.
 *
 * @param reason the root cause's class name; null for {@link #NONE}
 * @param message the last root cause's message, shortened to {@link Quote#DEFAULT_MAX_CHARS}; null
 *     for {@link #NONE} or a failure without a message
 * @param length dead letters in a row for {@code reason}, 0 for {@link #NONE}
 */
public record FailureStreak(String reason, String message, long length) {

  /** No dead letter yet. */
  public static final FailureStreak NONE = new FailureStreak(null, null, 0);

  /** Causes followed at most to find the root cause (a cycle ends it too). */
  private static final int MAX_CAUSES = 32;

  /**
   * The streak after one more dead letter whose final failure was {@code failure}: one longer when
   * its root cause has this streak's class, otherwise a new streak of 1.
   */
  public FailureStreak after(Throwable failure) {
    Throwable root = rootCause(Objects.requireNonNull(failure, "failure"));
    String rootReason = root.getClass().getName();
    String rootMessage = messageOf(root);
    long next = rootReason.equals(reason) ? length + 1 : 1;
    return new FailureStreak(rootReason, rootMessage == null ? null : Quote.abbreviate(rootMessage), next);
  }

  /** {@code Class: "message"}, the message quoted and shortened, for a failure message. */
  public String describe() {
    return message == null ? String.valueOf(reason) : reason + ": \"" + message + "\"";
  }

  /** The innermost cause of {@code failure}'s chain (itself when it has none). */
  static Throwable rootCause(Throwable failure) {
    Throwable root = RetryVerdict.unwrap(failure);
    for (int i = 0; i < MAX_CAUSES && root.getCause() != null && root.getCause() != root; i++) {
      root = root.getCause();
    }
    return root;
  }

  /** The failure's message; its {@code toString} is not trusted to work (see {@link DeadLetters#describe}). */
  private static String messageOf(Throwable t) {
    try {
      return t.getMessage();
    } catch (RuntimeException broken) {
      return "(getMessage() threw " + broken.getClass().getName() + ")";
    }
  }
}
