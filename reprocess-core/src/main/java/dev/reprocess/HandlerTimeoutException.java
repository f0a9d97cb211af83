package dev.reprocess;

/**
 * The failure the engine records when a job's handler runs past the job's {@link
 * ReprocessJob.Builder#handlerTimeout(java.time.Duration) handlerTimeout}: the attempt counts as
 * failed, and is retried like any {@link RetriableException} (then dead-lettered), while the
 * handler's thread is interrupted and replaced. The Kafka worker records its subclass {@code
 * dev.reprocess.kafka.HandlerTimeoutException} the same way.
 */
public class HandlerTimeoutException extends RetriableException {
  private static final long serialVersionUID = 1L;

  /** @param message names the asset, the attempt, the limit and the thread */
  public HandlerTimeoutException(String message) {
    super(message);
  }
}
