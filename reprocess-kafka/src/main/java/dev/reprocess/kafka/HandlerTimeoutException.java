package dev.reprocess.kafka;

import dev.reprocess.RetriableException;

/**
 * The failure a {@link KafkaReprocessWorker} records when a handler runs past the worker's {@code
 * handlerTimeout}: the attempt counts as failed (and is retried like any {@link
 * RetriableException}), the handler's thread is interrupted, and the partition moves on. A
 * subclass of core's {@link dev.reprocess.HandlerTimeoutException}, which a job with an in-process
 * handler records, so retry rules and handlers can name either.
 */
public class HandlerTimeoutException extends dev.reprocess.HandlerTimeoutException {
  private static final long serialVersionUID = 1L;

  /** @param message names the job, the event and the limit */
  public HandlerTimeoutException(String message) {
    super(message);
  }

}
