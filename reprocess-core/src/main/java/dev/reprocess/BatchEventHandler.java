package dev.reprocess;

import java.util.List;

/**
 * The host's code for several events at once, for hosts that write back in bulk (a bulk index
 * request, a batch statement, one round trip to another service), like Spring Batch's chunk
 * writer. Set with {@link ReprocessJob.Builder#batchHandler(BatchEventHandler, int)}.
 *
 * <p>Every event of a batch keeps its own outcome, retries and dead letter: the handler says per
 * event what happened in the returned {@link BatchResult}; an event it does not mention succeeded.
 * Throwing from {@code handle} fails the attempt of every event of the batch, and each is then
 * retried on its own per the job's retry options (a retry is a batch of one). The job's {@code
 * concurrency} bounds events in flight, so a batch of N holds N of them; a batch never holds more
 * than {@code maxBatchSize} events nor more than are free when its thread starts it. Events of a
 * batch are in selection order and may come from several pages and shards.
 *
 * <p>Contract: <b>idempotent</b>, as {@link EventHandler}: delivery is at least once. The job's
 * {@code handlerTimeout} bounds the whole call. The logging context ({@link MdcKeys}) holds the job
 * and the first event's shard and event id during the call.
 *
 * <p>Threading: called concurrently from the job's handler threads; implementations must be
 * thread-safe and may block.
 */
@FunctionalInterface
public interface BatchEventHandler {

  /**
   * Processes the events.
   *
   * @param events one to {@code maxBatchSize} events, in selection order; not modifiable
   * @return what happened per event; {@code null} (or {@link BatchResult#allSucceeded()}): every
   *     event succeeded
   * @throws Exception any failure of the whole call: every event's attempt fails; {@link
   *     RetriableException} marks it transient
   */
  BatchResult handle(List<ReprocessEvent> events) throws Exception;
}
