package dev.reprocess.kafka;

import dev.reprocess.BackendUnavailableException;
import dev.reprocess.EventSink;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import dev.reprocess.kafka.internal.KafkaConnection;
import dev.reprocess.kafka.internal.ProducerHandle;
import dev.reprocess.kafka.internal.Records;
import dev.reprocess.kafka.internal.Sends;
import dev.reprocess.kafka.internal.SinkMeters;
import dev.reprocess.kafka.internal.TopicCheck;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventSink} that publishes each event to a Kafka topic, for workers of a consumer group
 * ({@link KafkaReprocessWorker}) to handle.
 *
 * <p>Records: key = the asset id (UTF-8), so one asset's events land in one partition and stay in
 * order; value = the event as JSON; headers {@link KafkaHeaders#JOB}, {@link KafkaHeaders#ATTEMPT}
 * and {@link KafkaHeaders#EVENT_ID}. The producer is idempotent with {@code acks=all}.
 *
 * <p>Attempts: the job's attempts of an event through this sink are attempts to publish it, so
 * an event the job publishes again after a failed send still goes out as attempt 1 (same event
 * id): the worker's {@code RetryOptions} then count the handler's attempts only, from 1.
 *
 * <p>Acknowledgement: the stage {@link #deliver} returns completes with {@link Outcome#SUCCEEDED}
 * only in the send callback, once the broker acknowledged the record, so a job's checkpoint
 * advances only after every event of the page was acknowledged. A failed send completes it
 * exceptionally with a {@link RetriableException} when Kafka marks the error retriable ({@code
 * org.apache.kafka.common.errors.RetriableException}: a timeout, a leader election), otherwise a
 * {@link ReprocessException}. {@link #flush()} flushes the producer and then fails if any send is
 * still unacknowledged. The stage completes on the producer's I/O thread: do not block in stages
 * that depend on it.
 *
 * <p>Before the first event, the sink checks that the topic exists and that every partition has
 * a leader that answers (see {@link KafkaTopics}; also the job's preflight, {@link #preflight()}):
 * a missing topic fails with a clear {@link ReprocessException}; brokers that do not answer within
 * {@code readyTimeout} fail with a {@link BackendUnavailableException}, as do sends that fail
 * because the brokers cannot be reached (a timeout waiting for metadata or for the
 * acknowledgement, a disconnect): the job then waits for the brokers within its outage budget and
 * never dead-letters those events. With unreachable brokers a send never blocks longer than {@code
 * maxBlock}.
 *
 * <p>Meters go to {@link Builder#meterRegistry}: {@code reprocess.sink.records.sent}, {@code
 * reprocess.sink.records.failed} and the timer {@code reprocess.sink.send.latency}, tagged {@code
 * job} (the event's) and {@code topic}; and the producer's own metrics when the sink created it,
 * removed by {@link #close()}.
 *
 * <p>Thread-safe. Closing it closes the producer it created, never one the host passed in.
 * Configuration is logged at INFO with {@code sasl.jaas.config} and every password-like value
 * hidden.
 */
public final class KafkaEventSink implements EventSink {

  /** Default bound on a send waiting for metadata or buffer space: 30 seconds. */
  public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(30);
  /** Default bound on the topic check before the first event: 30 seconds. */
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);
  /** Default bound on {@link #flush()} waiting for events delivered before it: 30 seconds. */
  public static final Duration DEFAULT_FLUSH_TIMEOUT = Duration.ofSeconds(30);
  /** Default bound on closing the producer: 30 seconds. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Events in flight of a job with this sink when the job does not set {@code concurrency}:
   * {@value}. An event is in flight from {@link #deliver} until the broker acknowledged it, so a
   * job sends at most this many events per broker round trip. The sink's producer compresses with
   * lz4 and batches up to 64 KiB per partition unless the host's Kafka properties say otherwise;
   * 4,000 events of about 250 bytes keep those batches filling across a topic's partitions instead
   * of each waiting for {@code linger.ms}. With events of kilobytes, lower the job's concurrency so
   * that it times the event size stays well under the producer's {@code buffer.memory} (32 MiB by
   * default), or sends block on a full buffer (up to {@code max.block.ms}).
   */
  public static final int DEFAULT_JOB_CONCURRENCY = 4_000;

  private static final Logger log = LoggerFactory.getLogger(KafkaEventSink.class);

  private final String topic;
  private final ProducerHandle producer;
  private final Map<String, Object> adminConfig;
  private final boolean verifyTopic;
  private final Duration readyTimeout;
  private final Duration closeTimeout;
  private final Duration flushTimeout;
  private final AtomicReference<Epoch> epoch = new AtomicReference<>(new Epoch(null));
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final SinkMeters meters;
  private final Object verifyLock = new Object();
  private volatile boolean verified;
  private ReprocessException verifyFailure;
  private long verifyFailedAtNanos;

  private KafkaEventSink(Builder b, ProducerHandle producer, Map<String, Object> adminConfig) {
    this.topic = b.topic;
    this.producer = producer;
    this.adminConfig = adminConfig;
    this.verifyTopic = b.verifyTopic;
    this.readyTimeout = b.readyTimeout;
    this.closeTimeout = b.closeTimeout;
    this.flushTimeout = b.flushTimeout;
    this.meters = new SinkMeters(b.meterRegistry, topic, producer.producer(), producer.owned());
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletionStage<Outcome> deliver(ReprocessEvent event) {
    Objects.requireNonNull(event, "event");
    if (closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException(describe() + " is closed"));
    }
    ReprocessException notReady = verify();
    if (notReady != null) {
      return CompletableFuture.failedFuture(notReady);
    }
    CompletableFuture<Outcome> stage = new CompletableFuture<>();
    Epoch e = Epoch.enter(epoch);
    long start = System.nanoTime();
    try {
      // The job's attempts are attempts to publish; the worker counts handler attempts from 1.
      ReprocessEvent published = event.attempt() == 1 ? event : event.withAttempt(1);
      Sends.withCompletion(producer.producer(), Records.eventRecord(topic, published), error -> {
        e.pending.decrementAndGet();
        meters.sendEnded(event.jobName(), error == null, System.nanoTime() - start);
        if (error == null) {
          acknowledged.increment();
          stage.complete(Outcome.SUCCEEDED);
        } else {
          failed.increment();
          stage.completeExceptionally(classify(event, error));
        }
      });
    } catch (RuntimeException ex) {
      // Records.eventRecord failed (the event cannot be encoded): nothing was sent.
      e.pending.decrementAndGet();
      failed.increment();
      meters.sendEnded(event.jobName(), false, System.nanoTime() - start);
      stage.completeExceptionally(classify(event, ex));
    }
    return stage;
  }

  /** {@value #DEFAULT_JOB_CONCURRENCY}: see {@link #DEFAULT_JOB_CONCURRENCY}. */
  @Override
  public int defaultConcurrency() {
    return DEFAULT_JOB_CONCURRENCY;
  }

  /**
   * Flushes the producer, then checks that every event delivered before this call was
   * acknowledged or failed (its stage completed). A delivery still in progress when the flush
   * began is waited for (flushing again) up to {@code flushTimeout}; events delivered after it
   * began are not. Safe to call from several threads.
   *
   * @throws ReprocessException if events delivered before the call are still unacknowledged after
   *     {@code flushTimeout}
   */
  @Override
  public void flush() {
    Epoch before;
    do {
      before = epoch.get();
    } while (!epoch.compareAndSet(before, new Epoch(before)));
    long deadline = System.nanoTime() + flushTimeout.toNanos();
    while (true) {
      try {
        producer.producer().flush();
      } catch (KafkaException e) {
        throw new ReprocessException(describe() + ": flush failed: " + e, e);
      }
      long unsettled = Epoch.unsettled(before);
      if (unsettled == 0) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new ReprocessException(describe() + ": " + unsettled + " events are still unacknowledged "
            + flushTimeout + " after flush began");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /**
   * The sends delivered between two flushes. {@link #flush()} swaps in a new epoch, flushes the
   * producer, and checks that the old epoch and every one before it has no send left; a deliver
   * that raced with the swap moves itself to the new epoch.
   */
  private static final class Epoch {
    final AtomicLong pending = new AtomicLong();
    volatile Epoch previous;
    volatile boolean settled;

    Epoch(Epoch previous) {
      this.previous = previous;
    }

    static Epoch enter(AtomicReference<Epoch> current) {
      while (true) {
        Epoch e = current.get();
        e.pending.incrementAndGet();
        if (current.get() == e) {
          return e;
        }
        e.pending.decrementAndGet();
      }
    }

    /** Sends left in this epoch and the ones before it; marks them settled when none is. */
    static long unsettled(Epoch newest) {
      long left = 0;
      for (Epoch e = newest; e != null && !e.settled; e = e.previous) {
        left += e.pending.get();
      }
      if (left == 0 && newest != null) {
        newest.settled = true;
        newest.previous = null;
      }
      return left;
    }
  }

  /** Events the broker acknowledged so far. */
  public long acknowledged() {
    return acknowledged.sum();
  }

  /** Events whose send failed so far. */
  public long failed() {
    return failed.sum();
  }

  /** The topic events go to. */
  public String topic() {
    return topic;
  }

  @Override
  public String describe() {
    return "kafka topic " + topic;
  }

  /** Closes the producer if the sink created it (waiting up to {@code closeTimeout}). Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      meters.close();
      producer.release(closeTimeout);
    }
  }

  /**
   * The preflight: checks, as before the first event, that the topic exists and every partition has
   * a leader that answers (nothing is sent). Throws {@link BackendUnavailableException} while the
   * brokers cannot be reached or are not ready within {@code readyTimeout} (the job waits within its
   * outage budget), a {@link ReprocessException} naming the topic when it does not exist (a
   * configuration error: the job fails before its first event). Does nothing when the topic check
   * is off ({@code verifyTopic(false)}).
   */
  @Override
  public void preflight() {
    ReprocessException notReady = verify();
    if (notReady != null) {
      throw notReady;
    }
  }

  private ReprocessException verify() {
    if (verified || !verifyTopic) {
      return null;
    }
    synchronized (verifyLock) {
      if (verified) {
        return null;
      }
      if (verifyFailure != null && System.nanoTime() - verifyFailedAtNanos < readyTimeout.toNanos()) {
        return verifyFailure;
      }
      try {
        TopicCheck.require(adminConfig, producer, topic, readyTimeout);
        verified = true;
        verifyFailure = null;
        return null;
      } catch (RuntimeException e) {
        String bootstrap = adminConfig == null ? "the host's producer" : String.valueOf(adminConfig.get("bootstrap.servers"));
        verifyFailure = isMissingTopic(e)
            ? new ReprocessException(describe() + " is not usable (" + bootstrap + "): " + e.getMessage(), e)
            : new BackendUnavailableException(describe(), "brokers " + bootstrap + ": " + e.getMessage(), e);
        verifyFailedAtNanos = System.nanoTime();
        if (verifyFailure instanceof BackendUnavailableException) {
          log.warn("{}", verifyFailure.getMessage()); // the job waits for the brokers
        } else {
          log.error("{}", verifyFailure.getMessage());
        }
        return verifyFailure;
      }
    }
  }

  private static boolean isMissingTopic(Throwable e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("does not exist") || message.contains("has no partitions");
  }

  private ReprocessException classify(ReprocessEvent event, Throwable error) {
    String message = "job '" + event.jobName() + "': event " + event.eventId() + " (asset " + event.assetId()
        + ", attempt " + event.attempt() + ") was not acknowledged by " + describe() + ": " + error;
    if (Sends.isBackendUnavailable(error)) {
      // Brokers unreachable, metadata not available in time: the event is not at fault.
      return new BackendUnavailableException(describe(), message, error);
    }
    if (error instanceof org.apache.kafka.common.errors.RetriableException) {
      return new RetriableException(message, error);
    }
    return new ReprocessException(message, error);
  }

  /**
   * Builds a {@link KafkaEventSink}. Mutable, not thread-safe; {@link #build()} checks every option
   * before creating anything and does no I/O.
   *
   * <p>Give either {@link #producer} (the host's, never closed by the sink) or the connection:
   * {@link #bootstrapServers} and/or {@link #kafkaProperties} (see {@link KafkaClientBuilder}; TLS,
   * SASL and any producer setting pass through, except that {@code acks} must stay {@code all} and
   * idempotence on).
   */
  public static final class Builder extends KafkaClientBuilder<Builder> {
    private String topic;
    private Duration maxBlock = DEFAULT_MAX_BLOCK;
    private Duration readyTimeout = DEFAULT_READY_TIMEOUT;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private MeterRegistry meterRegistry = Metrics.globalRegistry;
    private Duration flushTimeout = DEFAULT_FLUSH_TIMEOUT;
    private boolean verifyTopic = true;

    private Builder() {}

    /** The topic events go to; required. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** Bound on a send waiting for metadata or buffer space ({@code max.block.ms}); default 30 s. */
    public Builder maxBlock(Duration maxBlock) {
      this.maxBlock = maxBlock;
      return this;
    }

    /** Bound on the topic check before the first event; default 30 s. */
    public Builder readyTimeout(Duration readyTimeout) {
      this.readyTimeout = readyTimeout;
      return this;
    }

    /**
     * Where the sink's meters go ({@value SinkMeters#SENT}, {@value SinkMeters#FAILED}, {@value
     * SinkMeters#LATENCY}, tagged {@code job} and {@code topic}; and the Kafka producer's own metrics
     * when the sink creates the producer); default Micrometer's {@link Metrics#globalRegistry}, like
     * a job's.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /** Bound on closing the producer the sink created; default 30 s. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** Bound on {@link KafkaEventSink#flush()} waiting for events delivered before it; default 30 s. */
    public Builder flushTimeout(Duration flushTimeout) {
      this.flushTimeout = flushTimeout;
      return this;
    }

    /** Whether to check the topic before the first event (default true). */
    public Builder verifyTopic(boolean verifyTopic) {
      this.verifyTopic = verifyTopic;
      return this;
    }

    /**
     * Checks the options and creates the sink (and its producer, which connects lazily).
     *
     * @throws IllegalArgumentException naming the option, its value and the rule
     */
    public KafkaEventSink build() {
      Options.topic("topic", topic);
      Options.positive("maxBlock", maxBlock);
      Options.positive("readyTimeout", readyTimeout);
      Options.positive("closeTimeout", closeTimeout);
      Options.positive("flushTimeout", flushTimeout);
      Options.meterRegistry(meterRegistry);
      KafkaConnection connection = connection();
      ProducerHandle producer = connection.soleProducer(maxBlock, "reprocess-sink-" + topic, "kafka sink: topic '" + topic + "'");
      // The topic check goes through an admin client when the sink has the connection settings.
      Map<String, Object> admin = producer.owned() ? connection.adminConfig(readyTimeout, "reprocess-sink-admin-" + topic) : null;
      return new KafkaEventSink(this, producer, admin);
    }
  }
}
