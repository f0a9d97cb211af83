package dev.reprocess;

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

  /** Stack frames kept per throwable of the cause chain: {@value}. */
  public static final int MAX_FRAMES_PER_CAUSE = 12;

  /**
   * A compact stack trace of {@code failure} and its causes: each throwable of the chain (at most
   * 8) as {@code class: message}, its first {@value #MAX_FRAMES_PER_CAUSE} frames, then {@code
   * "... n more"}; causes follow as {@code "Caused by: ..."}, the way {@link
   * Throwable#printStackTrace()} writes them. The result is cut to {@code maxChars} characters,
   * ending with {@code "(truncated)"} when cut.
   */
  public static String truncatedStackTrace(Throwable failure, int maxChars) {
    StringBuilder out = new StringBuilder();
    java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 8 && seen.add(t); depth++, t = t.getCause()) {
      if (depth > 0) {
        out.append("Caused by: ");
      }
      out.append(t).append('\n');
      StackTraceElement[] frames = t.getStackTrace();
      int shown = Math.min(frames.length, MAX_FRAMES_PER_CAUSE);
      for (int i = 0; i < shown; i++) {
        out.append("\tat ").append(frames[i]).append('\n');
      }
      if (frames.length > shown) {
        out.append("\t... ").append(frames.length - shown).append(" more\n");
      }
      if (out.length() > maxChars) {
        break;
      }
    }
    if (out.length() <= maxChars) {
      return out.toString();
    }
    String suffix = "\n\t... (truncated)";
    return out.substring(0, Math.max(0, maxChars - suffix.length())) + suffix;
  }
}
