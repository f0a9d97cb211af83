package dev.reprocess.kafka;

import dev.reprocess.RetriableException;

/**
 * The failure a {@link KafkaReprocessWorker} records when a handler runs past the worker's {@code
 * handlerTimeout}: the attempt counts as failed (and is retried like any {@link
 * RetriableException}), the handler's thread is interrupted, and the partition moves on.
 */
public class HandlerTimeoutException extends RetriableException {
  private static final long serialVersionUID = 1L;

  /** @param message names the job, the event and the limit */
  public HandlerTimeoutException(String message) {
    super(message);
  }

}
