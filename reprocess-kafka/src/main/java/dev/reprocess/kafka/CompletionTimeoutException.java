package dev.reprocess.kafka;

import dev.reprocess.ReprocessException;
import java.time.Duration;

/**
 * {@link KafkaJobCompletion#awaitCompletion(Duration)} timed out: the workers had not made every
 * event final. The message names the group, the topics and the lag left on each; {@link
 * #lastStatus()} holds the last status read.
 */
public class CompletionTimeoutException extends ReprocessException {
  private static final long serialVersionUID = 1L;

  private final transient CompletionStatus lastStatus;

  public CompletionTimeoutException(Duration timeout, CompletionStatus lastStatus) {
    super("the workers did not make every event final within " + timeout + ": " + lastStatus
        + " (are the workers of the group running, and not failing?)");
    this.lastStatus = lastStatus;
  }

  /** The last status read before the timeout. */
  public CompletionStatus lastStatus() {
    return lastStatus;
  }
}
