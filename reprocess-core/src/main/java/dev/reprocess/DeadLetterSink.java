package dev.reprocess;

/**
 * Keeps dead letters: events that failed after their retries. Built-in sinks keep them in memory,
 * in a file, or in a Kafka dead-letter topic (in {@code reprocess-kafka}).
 *
 * <p>Threading: {@link #accept} is called concurrently from the job's handler threads and may
 * block. An exception from it fails the job: a dead letter is never dropped silently.
 */
public interface DeadLetterSink extends AutoCloseable {

  /**
   * Stores one dead letter durably before returning.
   *
   * @throws ReprocessException if it cannot be stored
   */
  void accept(DeadLetter deadLetter);

  /** Where the dead letters go, for the job report, e.g. {@code kafka topic reprocess-dlt}. */
  default String describe() {
    return getClass().getSimpleName();
  }

  /**
   * Checks, before the job delivers its first event, that dead letters can be stored here (the file
   * is writable, the topic exists). Called once per run before any event; the default checks
   * nothing.
   *
   * <p>A backend that is not reachable or not ready yet is signalled with {@link
   * BackendUnavailableException}: the engine waits and calls again within the job's outage budget.
   *
   * @throws ReprocessException with the reason if dead letters cannot be stored; the job then fails
   *     before its first event
   */
  default void preflight() {}

  /** Releases the sink's resources. Idempotent. */
  @Override
  default void close() {}
}
