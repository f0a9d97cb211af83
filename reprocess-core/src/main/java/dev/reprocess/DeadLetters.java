package dev.reprocess;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Objects;

/**
 * Builds {@link DeadLetter}s the way the engine and the Kafka worker do, so both record failures
 * alike. Stateless.
 */
public final class DeadLetters {

  /** Longest stack trace kept in a dead letter, in characters: {@value}. */
  public static final int MAX_STACK_TRACE_CHARS = 4096;

  private DeadLetters() {}

  /**
   * A dead letter for an event that failed.
   *
   * @param event the event as of its last attempt
   * @param failure what the last attempt threw; its class name and message are recorded, and its
   *     stack trace, cut to {@value #MAX_STACK_TRACE_CHARS} characters
   * @param attempts attempts made, at least 1
   * @param failedAt when it was dead-lettered, usually {@code clock.instant()}
   * @throws IllegalArgumentException if {@code attempts} is below 1
   */
  public static DeadLetter of(ReprocessEvent event, Throwable failure, int attempts, Instant failedAt) {
    Objects.requireNonNull(failure, "failure");
    return new DeadLetter(event, failure.getClass().getName(), failure.getMessage(),
        truncatedStackTrace(failure, MAX_STACK_TRACE_CHARS), attempts, failedAt);
  }

  /**
   * The stack trace of {@code failure} (with causes), as {@link Throwable#printStackTrace()}
   * writes it, cut to {@code maxChars} characters with a {@code "..."} line when cut.
   */
  public static String truncatedStackTrace(Throwable failure, int maxChars) {
    StringWriter out = new StringWriter();
    try (PrintWriter w = new PrintWriter(out)) {
      failure.printStackTrace(w);
    }
    String s = out.toString();
    if (s.length() <= maxChars) {
      return s;
    }
    String suffix = "\n\t... (truncated)";
    return s.substring(0, Math.max(0, maxChars - suffix.length())) + suffix;
  }
}
