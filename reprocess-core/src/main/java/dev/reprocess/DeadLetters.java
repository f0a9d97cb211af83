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
   *     stack trace, cut to {@value #MAX_STACK_TRACE_CHARS} characters. A failure whose {@code
   *     getMessage()} or {@code toString()} itself throws is still recorded: see {@link
   *     #messageOf(Throwable)} and {@link #describe(Throwable)}
   * @param attempts attempts made, at least 1
   * @param failedAt when it was dead-lettered, usually {@code clock.instant()}
   * @throws IllegalArgumentException if {@code attempts} is below 1
   */
  public static DeadLetter of(ReprocessEvent event, Throwable failure, int attempts, Instant failedAt) {
    Objects.requireNonNull(failure, "failure");
    return new DeadLetter(event, failure.getClass().getName(), messageOf(failure),
        truncatedStackTrace(failure, MAX_STACK_TRACE_CHARS), attempts, failedAt);
  }

  /**
   * {@code failure.getMessage()}, or, when that call itself throws {@code X}, {@code "(getMessage()
   * threw X)"} with X's class name: a handler's exception with a broken {@code getMessage()} is
   * recorded like any other failure instead of failing the job that records it. Never throws.
   *
   * @return the message, {@code null} when the failure has none
   */
  public static String messageOf(Throwable failure) {
    try {
      return failure.getMessage();
    } catch (Throwable broken) {
      return "(getMessage() threw " + broken.getClass().getName() + ")";
    }
  }

  /**
   * {@code failure.toString()} (usually {@code "class: message"}), or, when that call itself throws
   * {@code X}, the failure's class name followed by {@code " (toString() threw X)"}; for logs and
   * exception messages. Never throws; {@code "null"} for null.
   */
  public static String describe(Throwable failure) {
    if (failure == null) {
      return "null";
    }
    try {
      return String.valueOf(failure.toString());
    } catch (Throwable broken) {
      return failure.getClass().getName() + " (toString() threw " + broken.getClass().getName() + ")";
    }
  }

  /** Stack frames kept per throwable of the cause chain: {@value}. */
  public static final int MAX_FRAMES_PER_CAUSE = 12;

  /**
   * A compact stack trace of {@code failure} and its causes: each throwable of the chain (at most
   * 8) as {@code class: message}, its first {@value #MAX_FRAMES_PER_CAUSE} frames, then {@code
   * "... n more"}; causes follow as {@code "Caused by: ..."}, the way {@link
   * Throwable#printStackTrace()} writes them. The result is cut to {@code maxChars} characters,
   * ending with {@code "(truncated)"} when cut. A throwable whose {@code toString()}, {@code
   * getStackTrace()} or {@code getCause()} throws is written as far as it can be ({@link
   * #describe(Throwable)}); this method never throws.
   */
  public static String truncatedStackTrace(Throwable failure, int maxChars) {
    StringBuilder out = new StringBuilder();
    java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 8 && seen.add(t); depth++, t = causeOf(t)) {
      if (depth > 0) {
        out.append("Caused by: ");
      }
      out.append(describe(t)).append('\n');
      StackTraceElement[] frames = framesOf(t);
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

  private static Throwable causeOf(Throwable t) {
    try {
      return t.getCause();
    } catch (Throwable broken) {
      return null;
    }
  }

  private static StackTraceElement[] framesOf(Throwable t) {
    try {
      StackTraceElement[] frames = t.getStackTrace();
      return frames != null ? frames : new StackTraceElement[0];
    } catch (Throwable broken) {
      return new StackTraceElement[0];
    }
  }
}
