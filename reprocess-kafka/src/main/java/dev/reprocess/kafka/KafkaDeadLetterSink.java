package dev.reprocess.kafka;

import dev.reprocess.BackendUnavailableException;
import dev.reprocess.DeadLetter;
import dev.reprocess.DeadLetterSink;
import dev.reprocess.ReprocessException;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.internal.DeadLetterFit;
import dev.reprocess.kafka.internal.KafkaConnection;
import dev.reprocess.kafka.internal.ProducerHandle;
import dev.reprocess.kafka.internal.Records;
import dev.reprocess.kafka.internal.Sends;
import dev.reprocess.kafka.internal.TopicCheck;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * A {@link DeadLetterSink} for jobs that handle events in-process: each dead letter becomes a
 * record of a dead-letter topic, in the same form as the ones a {@link KafkaReprocessWorker} writes
 * (key = asset id, value = the event's JSON, the {@code reprocess.dlt.*} headers of {@link
 * KafkaHeaders}, without the original topic, partition and offset, which do not exist here), so
 * {@link DeadLetterReplayer} can publish them to an events topic.
 *
 * <p>A dead letter bigger than the producer's {@code max.request.size} (1 MB unless the host's
 * properties set it; 1 MB assumed for the host's producer) is stored with its value cut to fit and
 * the headers {@link KafkaHeaders#DLT_VALUE_TRUNCATED} and {@link
 * KafkaHeaders#DLT_VALUE_ORIGINAL_SIZE}; one the topic still refuses as too large (its {@code
 * max.message.bytes} is smaller) is stored again without its value.
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
  private final int maxRecordBytes;
  private final Map<String, Object> adminConfig;
  private final AtomicBoolean closed = new AtomicBoolean();

  private KafkaDeadLetterSink(String topic, ProducerHandle producer, Duration sendTimeout, int maxRecordBytes,
      Map<String, Object> adminConfig) {
    this.topic = topic;
    this.adminConfig = adminConfig;
    this.maxRecordBytes = maxRecordBytes;
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
    var record = DeadLetterFit.fit(Records.deadLetter(topic, Records.utf8(event.assetId()), EventJson.toBytes(event),
        Records.eventHeaders(event),
        new Records.Failure(event.jobName(), deadLetter.errorClass(), deadLetter.errorMessage(), deadLetter.stackTrace(),
            deadLetter.attempts(), deadLetter.failedAt()),
        null), maxRecordBytes);
    try {
      try {
        send(record);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RecordTooLargeException) || !DeadLetterFit.hasValue(record)) {
          throw e;
        }
        send(DeadLetterFit.withoutValue(record));
      }
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
   * Checks that the topic exists and each of its partitions has a leader that answers, waiting at
   * most the send time-out: with a connection the sink made, through an admin client (which never
   * creates the topic); with the host's producer, through its metadata. A missing topic or
   * unreachable brokers then fail the job before its first event rather than at its first dead
   * letter.
   *
   * <p>Brokers that do not answer within the send time-out are a {@link
   * BackendUnavailableException}: the job waits within its outage budget.
   *
   * @throws ReprocessException naming the topic and the reason
   */
  @Override
  public void preflight() {
    try {
      TopicCheck.require(adminConfig, producer, topic, sendTimeout);
    } catch (KafkaException | ReprocessException e) {
      if (Sends.isBackendUnavailable(e)) {
        throw new BackendUnavailableException(describe(), "the brokers did not answer about the topic"
            + (adminConfig == null ? "" : " (" + adminConfig.get("bootstrap.servers") + ")") + ": " + e.getMessage(), e);
      }
      throw new ReprocessException(describe() + " cannot take dead letters"
          + (adminConfig == null ? "" : " (" + adminConfig.get("bootstrap.servers") + ")") + ": " + e.getMessage(), e);
    }
  }

  private void send(ProducerRecord<byte[], byte[]> record)
      throws ExecutionException, TimeoutException, InterruptedException {
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    Sends.withCompletion(producer.producer(), record, error -> {
      if (error == null) {
        acknowledged.complete(null);
      } else {
        acknowledged.completeExceptionally(error);
      }
    });
    acknowledged.get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
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
      KafkaConnection connection = connection();
      String clientId = "reprocess-dlt-" + topic;
      int maxRecordBytes = connection.hostProducer() != null ? DeadLetterFit.KAFKA_DEFAULT_MAX_BYTES
          : DeadLetterFit.maxRequestSize(connection.producerConfig(sendTimeout, clientId));
      ProducerHandle producer = connection.soleProducer(sendTimeout, clientId,
          "kafka dead-letter sink: topic '" + topic + "'");
      Map<String, Object> admin = producer.owned() ? connection.adminConfig(sendTimeout, clientId + "-admin") : null;
      return new KafkaDeadLetterSink(topic, producer, sendTimeout, maxRecordBytes, admin);
    }
  }
}
