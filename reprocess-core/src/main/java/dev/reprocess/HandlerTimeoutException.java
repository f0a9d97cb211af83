package dev.reprocess;

/**
 * The failure recorded when a handler call runs past its time limit: a job's {@link
 * ReprocessJob.Builder#handlerTimeout(java.time.Duration) handlerTimeout} with an in-process
 * handler, or a Kafka worker's {@code handlerTimeout}. The attempt counts as failed and is retried
 * like any {@link RetriableException} (then dead-lettered), while the handler's thread is
 * interrupted and replaced. The message names the job, the event, the asset, the shard, the
 * attempt, the limit and the thread.
 */
public class HandlerTimeoutException extends RetriableException {
  private static final long serialVersionUID = 1L;

  /** @param message names the asset, the attempt, the limit and the thread */
  public HandlerTimeoutException(String message) {
    super(message);
  }
}
