package dev.reprocess;

/**
 * A transient failure: the same work may succeed if tried again (a timeout, an unavailable
 * replica, a broker leader election). The default retry options retry it; anything else is
 * retried only when the job's retry options say so. The idea and the name come from Kafka's
 * {@code org.apache.kafka.common.errors.RetriableException}.
 */
public class RetriableException extends ReprocessException {
  private static final long serialVersionUID = 1L;

  public RetriableException(String message) {
    super(message);
  }

  public RetriableException(String message, Throwable cause) {
    super(message, cause);
  }
}
