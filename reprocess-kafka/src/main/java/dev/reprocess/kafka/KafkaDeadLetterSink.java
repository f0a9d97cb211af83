package dev.reprocess.kafka;

import dev.reprocess.BackendUnavailableException;
import dev.reprocess.DeadLetter;
import dev.reprocess.DeadLetterSink;
import dev.reprocess.ReprocessException;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.internal.ProducerHandle;
import dev.reprocess.kafka.internal.Records;
import dev.reprocess.kafka.internal.Sends;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link DeadLetterSink} for jobs that handle events in-process: each dead letter becomes a
 * record of a dead-letter topic, in the same form as the ones a {@link KafkaReprocessWorker} writes
 * (key = asset id, value = the event's JSON, the {@code reprocess.dlt.*} headers of {@link
 * KafkaHeaders}, without the original topic, partition and offset, which do not exist here), so
 * {@link DeadLetterReplayer} can publish them to an events topic.
 *
 * <p>{@link #accept} returns once the broker acknowledged the record, or throws a {@link
 * ReprocessException} after at most {@code sendTimeout}. Thread-safe. Closing closes the producer
 * it created, never the host's.
 */
public final class KafkaDeadLetterSink implements DeadLetterSink {

  /** Default bound on storing one dead letter: 30 seconds. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final ProducerHandle producer;
  private final Duration sendTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  private KafkaDeadLetterSink(String topic, ProducerHandle producer, Duration sendTimeout) {
    this.topic = topic;
    this.producer = producer;
    this.sendTimeout = sendTimeout;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void accept(DeadLetter deadLetter) {
    Objects.requireNonNull(deadLetter, "deadLetter");
    if (closed.get()) {
      throw new IllegalStateException(describe() + " is closed");
    }
    var event = deadLetter.event();
    var record = Records.deadLetter(topic, Records.utf8(event.assetId()), EventJson.toBytes(event),
        Records.eventHeaders(event),
        new Records.Failure(event.jobName(), deadLetter.errorClass(), deadLetter.errorMessage(), deadLetter.stackTrace(),
            deadLetter.attempts(), deadLetter.failedAt()),
        null);
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    Sends.withCompletion(producer.producer(), record, error -> {
      if (error == null) {
        acknowledged.complete(null);
      } else {
        acknowledged.completeExceptionally(error);
      }
    });
    try {
      acknowledged.get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (Sends.isBackendUnavailable(e.getCause())) {
        throw new BackendUnavailableException(describe(), "dead letter of event " + event.eventId()
            + " was not stored: " + e.getCause(), e.getCause());
      }
      throw new ReprocessException("job '" + event.jobName() + "': dead letter of event " + event.eventId()
          + " was not stored in " + describe() + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new BackendUnavailableException(describe(), "dead letter of event " + event.eventId()
          + " was not acknowledged by " + describe() + " within " + sendTimeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReprocessException("interrupted while storing a dead letter in " + describe(), e);
    }
  }

  /**
   * The preflight: asks the brokers for the topic's partitions (nothing is sent). Throws {@link
   * BackendUnavailableException} when they do not answer (or the topic is not in the metadata)
   * within the producer's {@code max.block.ms}; the job waits within its outage budget, then fails
   * before its first event.
   */
  @Override
  public void preflight() {
    try {
      var partitions = producer.producer().partitionsFor(topic);
      if (partitions == null || partitions.isEmpty()) {
        throw new ReprocessException(describe() + " has no partitions");
      }
    } catch (RuntimeException e) {
      if (Sends.isBackendUnavailable(e)) {
        throw new BackendUnavailableException(describe(), "no metadata for the topic (missing, or "
            + "the brokers do not answer): " + e.getMessage(), e);
      }
      throw e;
    }
  }

  @Override
  public String describe() {
    return "kafka topic " + topic;
  }

  /** Closes the producer if the sink created it. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      producer.release(sendTimeout);
    }
  }

  /**
   * Builds a {@link KafkaDeadLetterSink}; {@link #build()} checks every option, no I/O. Give either
   * {@link #producer} (the host's, never closed by the sink) or the connection: {@link
   * #bootstrapServers} and/or {@link #kafkaProperties} (see {@link KafkaClientBuilder}).
   */
  public static final class Builder extends KafkaClientBuilder<Builder> {
    private String topic;
    private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;

    private Builder() {}

    /** The dead-letter topic; required. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** Bound on storing one dead letter (also the producer's {@code max.block.ms}); default 30 s. */
    public Builder sendTimeout(Duration sendTimeout) {
      this.sendTimeout = sendTimeout;
      return this;
    }

    /**
     * Checks every option and builds the sink.
     *
     * @throws IllegalArgumentException naming the option, its value and the rule
     */
    public KafkaDeadLetterSink build() {
      Options.topic("topic", topic);
      Options.positive("sendTimeout", sendTimeout);
      ProducerHandle producer = connection().soleProducer(sendTimeout, "reprocess-dlt-" + topic,
          "kafka dead-letter sink: topic '" + topic + "'");
      return new KafkaDeadLetterSink(topic, producer, sendTimeout);
    }
  }
}
