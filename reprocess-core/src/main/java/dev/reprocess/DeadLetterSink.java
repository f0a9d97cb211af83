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

  /** Releases the sink's resources. Idempotent. */
  @Override
  default void close() {}

  /**
   * The preflight: called by the engine once per execution, before it delivers anything, to say
   * whether this dead-letter sink is usable (its backend answers, its destination exists and is writable). Returns normally when it is;
   * throws {@link BackendUnavailableException} when its backend is not reachable or not ready yet
   * (the engine waits and calls again within the job's outage budget); throws any other exception,
   * whose message names the reason, when it cannot be used (a configuration error), and the job
   * fails before its first event with nothing written. Must not write anything the job would see.
   * The default does nothing (always usable).
   */
  default void preflight() {}
}
