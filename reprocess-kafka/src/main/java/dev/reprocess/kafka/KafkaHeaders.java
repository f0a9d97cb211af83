package dev.reprocess.kafka;

/**
 * Names of the Kafka record headers that Reprocess writes and reads. Every header value is a
 * UTF-8 string: numbers in decimal, instants in ISO-8601 ({@code 2026-11-30T04:32:55.123Z}).
 *
 * <p>The dead-letter headers are modelled on Kafka Connect's {@code DeadLetterQueueReporter}
 * ({@code connect/runtime/src/main/java/org/apache/kafka/connect/runtime/errors/DeadLetterQueueReporter.java}
 * in apache/kafka), which writes {@code __connect.errors.topic}, {@code .partition}, {@code .offset},
 * {@code .exception.class.name}, {@code .exception.message} and {@code .exception.stacktrace}; ours add
 * the job, the attempts and the time of failure.
 */
public final class KafkaHeaders {

  /** The job name, on every event record. */
  public static final String JOB = "reprocess.job";
  /** The attempt number (1 for the first delivery), on every event record. */
  public static final String ATTEMPT = "reprocess.attempt";
  /** The event id, stable across attempts, on every event record. */
  public static final String EVENT_ID = "reprocess.event.id";

  /**
   * On a retry-topic record: the earliest time (epoch milliseconds) at which a worker may run it.
   */
  public static final String RETRY_NOT_BEFORE = "reprocess.retry.not-before";
  /** On a retry-topic record: the topic the event was first read from. */
  public static final String RETRY_ORIGINAL_TOPIC = "reprocess.retry.original.topic";
  /** On a retry-topic record: the partition the event was first read from. */
  public static final String RETRY_ORIGINAL_PARTITION = "reprocess.retry.original.partition";
  /** On a retry-topic record: the offset the event was first read from. */
  public static final String RETRY_ORIGINAL_OFFSET = "reprocess.retry.original.offset";

  /** Prefix of every dead-letter header. */
  public static final String DLT_PREFIX = "reprocess.dlt.";
  /** On a dead letter: the job name (absent for an undecodable record that carried none). */
  public static final String DLT_JOB = DLT_PREFIX + "job";
  /** On a dead letter: the fully qualified class name of the last failure. */
  public static final String DLT_EXCEPTION_CLASS = DLT_PREFIX + "exception.class";
  /** On a dead letter: the last failure's message (absent when it had none). */
  public static final String DLT_EXCEPTION_MESSAGE = DLT_PREFIX + "exception.message";
  /** On a dead letter: the last failure's stack trace, truncated to {@value #STACK_TRACE_MAX_CHARS} characters. */
  public static final String DLT_EXCEPTION_STACKTRACE = DLT_PREFIX + "exception.stacktrace";
  /** On a dead letter: how many times the handler ran; 0 for a record that could not be decoded. */
  public static final String DLT_ATTEMPTS = DLT_PREFIX + "attempts";
  /** On a dead letter: the topic the event was first read from (absent when it never went through Kafka). */
  public static final String DLT_ORIGINAL_TOPIC = DLT_PREFIX + "original.topic";
  /** On a dead letter: the partition the event was first read from. */
  public static final String DLT_ORIGINAL_PARTITION = DLT_PREFIX + "original.partition";
  /** On a dead letter: the offset the event was first read from. */
  public static final String DLT_ORIGINAL_OFFSET = DLT_PREFIX + "original.offset";
  /** On a dead letter: when it was dead-lettered, ISO-8601. */
  public static final String DLT_FAILED_AT = DLT_PREFIX + "failed-at";

  /**
   * On a dead letter whose value was cut to fit the dead-letter topic: {@code true}. The value is
   * then the first bytes of the original (possibly none), no longer a whole event; the original
   * record is found by {@link #DLT_ORIGINAL_TOPIC}, {@link #DLT_ORIGINAL_PARTITION} and {@link
   * #DLT_ORIGINAL_OFFSET} while the source topic retains it.
   */
  public static final String DLT_VALUE_TRUNCATED = DLT_PREFIX + "value.truncated";
  /** On a dead letter whose value was cut: the size of the original value, in bytes. */
  public static final String DLT_VALUE_ORIGINAL_SIZE = DLT_PREFIX + "value.original-size";

  /** On a replayed event: the dead-letter topic, partition and offset it was replayed from. */
  public static final String REPLAYED_FROM = "reprocess.replayed-from";

  /** The longest exception message a dead-letter header carries, in characters: {@value}. */
  public static final int MESSAGE_MAX_CHARS = 2_000;

  /** The longest stack trace a dead-letter header carries, in characters. */
  public static final int STACK_TRACE_MAX_CHARS = 8_000;

  private KafkaHeaders() {}
}
