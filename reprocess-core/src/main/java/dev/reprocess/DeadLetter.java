package dev.reprocess;

import java.time.Instant;
import java.util.Objects;

/**
 * An event that failed after its retries, with why and where it failed. It can be replayed: the
 * event is complete.
 *
 * @param event the event, as of its last attempt
 * @param errorClass the fully qualified class name of the last failure
 * @param errorMessage the last failure's message, or {@code null}
 * @param stackTrace the last failure's stack trace, truncated to a few kilobytes
 * @param attempts how many attempts were made, at least 1
 * @param failedAt when the event was dead-lettered
 */
public record DeadLetter(
    ReprocessEvent event,
    String errorClass,
    String errorMessage,
    String stackTrace,
    int attempts,
    Instant failedAt) {

  public DeadLetter {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(errorClass, "errorClass");
    Objects.requireNonNull(failedAt, "failedAt");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts is " + attempts + ": it must be at least 1");
    }
  }
}
