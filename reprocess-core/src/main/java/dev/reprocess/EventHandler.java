package dev.reprocess;

/**
 * The host's code for one event: backfill a field, re-index a document, delete an expired
 * asset.
 *
 * <p>Contract: <b>idempotent</b>. Delivery is at least once, so after a crash or a retry the same
 * asset can arrive again (with the same {@link ReprocessEvent#eventId()} for a retry, a new one
 * after a restart). Throwing any exception fails the attempt: the job retries it according to its
 * retry options, then sends it to the dead-letter sink.
 *
 * <p>Threading: called concurrently from the job's handler pool (up to the job's concurrency);
 * implementations must be thread-safe and may block.
 */
@FunctionalInterface
public interface EventHandler {

  /**
   * Processes one event.
   *
   * @return {@link Outcome#SUCCEEDED} or {@link Outcome#SKIPPED}; {@code null} counts as succeeded
   * @throws Exception any failure; {@link RetriableException} marks it transient
   */
  Outcome handle(ReprocessEvent event) throws Exception;

  /** A handler that only consumes the event and always reports {@link Outcome#SUCCEEDED}. */
  static EventHandler of(ThrowingConsumer consumer) {
    return event -> {
      consumer.accept(event);
      return Outcome.SUCCEEDED;
    };
  }

  /** A consumer of events that may throw. */
  @FunctionalInterface
  interface ThrowingConsumer {
    void accept(ReprocessEvent event) throws Exception;
  }
}
