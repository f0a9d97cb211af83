package dev.reprocess;

import java.util.concurrent.CompletionStage;

/**
 * Where a job delivers its events: in-process to a handler (synchronous processing), or to a
 * Kafka topic read by a consumer group of workers (asynchronous processing). The engine does not
 * know which; the sink does not know where events come from.
 *
 * <p>Threading: {@link #deliver} is called concurrently from the job's shard threads, up to the
 * job's events in flight; it should return quickly and complete the stage later. {@link #flush()}
 * and {@link #close()} are called by one thread.
 */
public interface EventSink extends AutoCloseable {

  /**
   * Delivers one attempt of one event.
   *
   * @return a stage that completes with the outcome once the attempt is final for this sink (the
   *     handler returned, or the broker acknowledged the event), or exceptionally with the
   *     failure; a {@link RetriableException} cause marks a transient one
   */
  CompletionStage<Outcome> deliver(ReprocessEvent event);

  /**
   * Events in flight a job uses with this sink when the job's builder was not given {@code
   * concurrency}. For a sink that completes a delivery only when a remote system acknowledged it,
   * "in flight" means "sent and not yet acknowledged", so the right number is what keeps that
   * system's pipeline full (for instance a Kafka producer's batches), not a number of threads.
   * Must be between 1 and {@link ReprocessJob#MAX_CONCURRENCY}; {@link ReprocessJob.Builder#build()}
   * refuses the job otherwise.
   *
   * @return default {@link ReprocessJob#DEFAULT_CONCURRENCY}
   */
  default int defaultConcurrency() {
    return ReprocessJob.DEFAULT_CONCURRENCY;
  }

  /**
   * Makes everything delivered so far durable where the sink keeps it. Called before a checkpoint
   * is written and when the job ends. Default no-op.
   */
  default void flush() {}

  /** A short description for logs and reports, e.g. {@code kafka topic reprocess-events}. */
  default String describe() {
    return getClass().getSimpleName();
  }

  /** Releases the sink's resources; never closes a client the host passed in. Idempotent. */
  @Override
  default void close() {}
}
