package dev.reprocess;

/**
 * Base of every exception Reprocess throws on its own account. Unchecked, like the Cassandra
 * driver's {@code DriverException} and Kafka's {@code KafkaException}.
 *
 * <p>Misuse of the API (a bad option, a call in the wrong state) is reported with the JDK's
 * {@link IllegalArgumentException} or {@link IllegalStateException} instead. Handlers may throw any
 * {@link Exception}; the engine wraps nothing they throw.
 *
 * <p>Messages name the job and the numbers, e.g. {@code job 'backfill-sizes': shard
 * image/png#2024-06-01 page 3 failed after 5 attempts}.
 */
public class ReprocessException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ReprocessException(String message) {
    super(message);
  }

  public ReprocessException(String message, Throwable cause) {
    super(message, cause);
  }
}
