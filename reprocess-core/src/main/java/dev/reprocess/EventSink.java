package dev.reprocess;

import java.util.concurrent.CompletionStage;

/**
 * Where a job delivers its events: in-process to a handler (synchronous processing), or to a
 * Kafka topic read by a consumer group of workers (asynchronous processing). The engine does not
 * know which; the sink does not know where events come from.
 *
 * <p>Threading: {@link #deliver} is called concurrently from the job's shard threads and its timer
 * thread (retries, rate-limited attempts), up to the job's events in flight; it should return
 * quickly and complete the stage later, on any thread. The job never settles an outcome (writes a
 * dead letter, calls listeners) on the thread that completes the stage of a sink the host passed
 * in, so that thread (a Kafka producer's I/O thread) is never blocked by the job. {@link #flush()}
 * is called by one thread at a time.
 *
 * <p>Who closes a sink: a sink the host passed to {@link ReprocessJob.Builder#sink(EventSink)} is
 * the host's; the job never calls its {@link #close()}, so the host closes it once every job using
 * it has finished. The in-process sink a job creates from {@link
 * ReprocessJob.Builder#handler(EventHandler)} is created for each execution and closed by the job
 * when that execution ends.
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

  /**
   * Checks, before the job delivers its first event, that this sink can deliver: its backend
   * answers and its destination exists and accepts events. The engine calls it once per run, after
   * the checkpoints were loaded and before any event; it may block up to the sink's own time-outs.
   * The default checks nothing.
   *
   * <p>A backend that is not reachable or not ready yet is signalled with {@link
   * BackendUnavailableException}: the engine waits and calls again within the job's outage budget.
   *
   * @throws ReprocessException with the reason (and the endpoint) if the sink cannot deliver; the
   *     job then fails before its first event, having delivered, dead-lettered and checkpointed
   *     nothing
   */
  default void preflight() {}

  /**
   * Releases the sink's resources; never closes a client the host passed in. Idempotent. Called by
   * whoever owns the sink (see the class comment), never by the job for a sink the host passed in.
   */

  @Override
  default void close() {}
}
