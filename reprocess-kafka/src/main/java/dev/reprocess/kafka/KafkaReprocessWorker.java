package dev.reprocess.kafka;

import dev.reprocess.EventHandler;
import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.LimitAlgorithm;
import dev.reprocess.PressureSignal;
import dev.reprocess.ReprocessException;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RetryOptions;
import dev.reprocess.internal.RateThrottle;
import dev.reprocess.internal.Ticker;
import dev.reprocess.kafka.internal.ClientConfigs;
import dev.reprocess.kafka.internal.DeadLetterFit;
import dev.reprocess.kafka.internal.TopicLimits;
import dev.reprocess.kafka.internal.KafkaConnection;
import dev.reprocess.kafka.internal.WorkerControl;
import dev.reprocess.kafka.internal.WorkerEngine;
import dev.reprocess.kafka.internal.WorkerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member of a Kafka consumer group that reads the events a {@link KafkaEventSink} published and
 * runs the host's {@link EventHandler} on them, retrying failures and sending what keeps failing
 * to a dead-letter topic.
 *
 * <pre>{@code
 * try (KafkaReprocessWorker worker = KafkaReprocessWorker.builder()
 *     .bootstrapServers("kafka-1:9092")
 *     .topic("reprocess-events")          // also reads "reprocess-events.retry", dead letters go to "reprocess-events.dlt"
 *     .groupId("backfill-sizes-workers")
 *     .handler(event -> { backfill(event.assetId()); return Outcome.SUCCEEDED; })
 *     .concurrency(32)
 *     .build()
 *     .start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Concurrency and order.</b> Records run on {@code concurrency} handler threads, more than one
 * per partition, while records of one key (the asset id) run one at a time in offset order. Confluent's
 * parallel-consumer offers this "key ordering", but it does not support kafka-clients 4.x
 * (confluentinc/parallel-consumer#904), so the worker implements the same idea: per-key FIFO lanes
 * served by a bounded pool.
 *
 * <p><b>Offsets.</b> Auto-commit is off; a partition's committed offset only passes records whose
 * outcome is final: succeeded, skipped, or acknowledged by the retry or dead-letter topic. Commits
 * are asynchronous every {@code commitInterval}, and synchronous when partitions are revoked and
 * on close. Delivery is at least once: records read but not final when a partition moves are read
 * again by its next owner.
 *
 * <p><b>Backpressure.</b> The consumer keeps polling (so {@code max.poll.interval.ms} is never
 * overrun) but pauses partitions while {@code maxPendingRecords} records are pending, or a
 * partition holds {@code maxPendingPerPartition} uncommitted records.
 *
 * <p><b>Pause, throttle and adapt.</b> A running worker can be {@linkplain #pause() paused} and
 * {@linkplain #resume() resumed}, {@linkplain #rethrottle(double) rethrottled} and given a lower
 * {@linkplain #concurrency(int) limit on handler calls in flight}, without leaving its group. With
 * {@link Builder#adaptiveConcurrency(boolean) adaptiveConcurrency} the limit moves with a {@link
 * PressureSignal}, as a job's does.
 *
 * <p><b>Retries and dead letters.</b> A failed attempt is retried as the {@link RetryOptions} say:
 * after a backoff of up to {@code maxInPlaceBackoff} in place (the key's lane waits, no thread
 * does), after a longer one through the retry topic ({@code <topic>.retry} by default, header
 * {@link KafkaHeaders#RETRY_NOT_BEFORE}), which this worker also reads; records there wait until
 * due without blocking other partitions. A failure that is not retriable or whose attempts are
 * used up goes to the dead-letter topic ({@code <topic>.dlt} by default) with the {@code
 * reprocess.dlt.*} headers of {@link KafkaHeaders}; so does a record that is not an event (not
 * JSON, missing fields), at once: never a crash loop. {@link DeadLetterReplayer} publishes dead
 * letters again.
 *
 * <p><b>Time limit.</b> A handler running past {@code handlerTimeout} fails its attempt with core's
 * {@link HandlerTimeoutException} (retried like any failure), is interrupted, and its thread is
 * replaced, so the partition moves on even if the handler ignores the interrupt. The same
 * invocation path runs a job's in-process handler.
 *
 * <p><b>Lifecycle.</b> {@link Builder#build()} checks the options without I/O. {@link #start()}
 * checks that the topics exist and answer (bounded by {@code startupTimeout}: unreachable brokers
 * or a missing topic fail with a clear {@link ReprocessException}), then starts the threads. {@link
 * #close()} stops gracefully: running handlers finish (up to {@code closeTimeout}), final offsets
 * are committed, and the rest is left for the group; closing twice is harmless. A producer the
 * host passed in is flushed, never closed.
 *
 * <p><b>Metrics and MDC.</b> Meters go to {@link Builder#meterRegistry} (default {@code
 * Metrics.globalRegistry}): counters {@code reprocess.worker.records.*} and {@code
 * reprocess.worker.commits} counting what {@link #stats()} counts, the timer {@code
 * reprocess.worker.handler.latency}, the gauges {@code reprocess.worker.lag}, {@code
 * reprocess.worker.records.pending}, {@code reprocess.worker.concurrency.limit} and {@code
 * reprocess.worker.paused} (1 while paused), tagged {@code worker}, {@code group}, {@code topic}; and the
 * Kafka clients' own metrics of the consumer and of the producer the worker created. Gauges and
 * client metrics are removed by {@link #close()}. Every handler call runs with the MDC keys of
 * {@link dev.reprocess.MdcKeys} (the event key removed after the call).
 *
 * <p>Thread-safe. The handler is called from the worker's handler threads, concurrently for
 * different keys; it must be thread-safe and idempotent, and may block.
 */
public final class KafkaReprocessWorker implements AutoCloseable {

  /** Default handler threads: {@value}, the same as {@link ReprocessJob#DEFAULT_CONCURRENCY}. */
  public static final int DEFAULT_CONCURRENCY = ReprocessJob.DEFAULT_CONCURRENCY;
  /** Default bound on records read and not yet final: {@value}. */
  public static final int DEFAULT_MAX_PENDING_RECORDS = 2_000;
  /** Default bound on records read and not yet committed, per partition: {@value}. */
  public static final int DEFAULT_MAX_PENDING_PER_PARTITION = 10_000;
  /** Default handler time limit: 60 seconds, the same as {@link ReprocessJob#DEFAULT_HANDLER_TIMEOUT}. */
  public static final Duration DEFAULT_HANDLER_TIMEOUT = ReprocessJob.DEFAULT_HANDLER_TIMEOUT;
  /** Default longest backoff waited in place; longer ones go through the retry topic: 5 seconds. */
  public static final Duration DEFAULT_MAX_IN_PLACE_BACKOFF = Duration.ofSeconds(5);
  /** Default interval between asynchronous offset commits: 1 second. */
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
  /** Default bound on one consumer poll: 100 ms. */
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
  /** Default bound on finishing running handlers on revoke or close: 30 seconds. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /** Default bound on the topic check of {@link #start()}: 30 seconds. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);
  /** Suffix of the default retry topic: {@value}. */
  public static final String RETRY_TOPIC_SUFFIX = ".retry";
  /** Suffix of the default dead-letter topic: {@value}. */
  public static final String DEAD_LETTER_TOPIC_SUFFIX = ".dlt";
  /** Suffix of the conventional outcomes topic ({@link Builder#outcomesTopic}): {@value}. */
  public static final String OUTCOMES_TOPIC_SUFFIX = ".outcomes";

  private static final Logger log = LoggerFactory.getLogger(KafkaReprocessWorker.class);

  private final WorkerSettings settings;
  private final String groupId;
  private final Map<String, Object> consumerConfig;
  private final Map<String, Object> producerConfig;
  private final Map<String, Object> adminConfig;
  private final Producer<byte[], byte[]> hostProducer;
  private final Supplier<Consumer<byte[], byte[]>> consumerFactory;
  private final Duration startupTimeout;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final WorkerControl control;
  private volatile WorkerEngine engine;

  private KafkaReprocessWorker(Builder b, WorkerSettings settings, Map<String, Object> consumerConfig,
      Map<String, Object> producerConfig, Map<String, Object> adminConfig) {
    this.settings = settings;
    this.groupId = b.groupId;
    this.consumerConfig = consumerConfig;
    this.producerConfig = producerConfig;
    this.adminConfig = adminConfig;
    this.hostProducer = b.connection().hostProducer();
    this.consumerFactory = b.consumerFactory;
    this.startupTimeout = b.startupTimeout;
    this.control = new WorkerControl(settings.name(), settings.concurrency(), b.maxEventsPerSecond,
        b.adaptiveConcurrency ? new WorkerControl.Adaptive(b.limitAlgorithm, b.minConcurrency, b.pressureSignal) : null,
        settings.ticker());
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the topics (they exist, every partition has a leader that answers), then joins the
   * group and starts the threads. Returns at once after that; records are handled in the
   * background until {@link #close()}.
   *
   * @return this worker
   * @throws IllegalStateException if started before, or closed
   * @throws ReprocessException if a topic is missing or the brokers do not answer within {@code
   *     startupTimeout}
   */
  public KafkaReprocessWorker start() {
    if (closed.get()) {
      throw new IllegalStateException("worker '" + settings.name() + "' is closed");
    }
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("worker '" + settings.name() + "' is already started");
    }
    List<String> topics = topics();
    int deadLetterMaxBytes = producerConfig != null ? DeadLetterFit.maxRequestSize(producerConfig)
        : DeadLetterFit.KAFKA_DEFAULT_MAX_BYTES;
    if (adminConfig != null) {
      try (Admin admin = Admin.create(adminConfig)) {
        KafkaTopics.requireTopics(admin, topics, startupTimeout);
        int producerMax = deadLetterMaxBytes;
        deadLetterMaxBytes = TopicLimits.maxMessageBytes(admin, settings.deadLetterTopic(), startupTimeout)
            .stream().map(topicMax -> Math.min(topicMax, producerMax)).findFirst().orElse(producerMax);
      } catch (ReprocessException e) {
        started.set(false);
        throw new ReprocessException("worker '" + settings.name() + "' cannot start (bootstrap servers "
            + adminConfig.get("bootstrap.servers") + "): " + e.getMessage(), e.getCause() == null ? e : e.getCause());
      }
    }
    Consumer<byte[], byte[]> consumer = consumerFactory != null ? consumerFactory.get()
        : KafkaConnection.created(consumerConfig, () -> new KafkaConsumer<byte[], byte[]>(consumerConfig));
    Producer<byte[], byte[]> producer;
    try {
      producer = hostProducer != null ? hostProducer
          : KafkaConnection.created(producerConfig, () -> new KafkaProducer<byte[], byte[]>(producerConfig));
    } catch (IllegalArgumentException e) {
      consumer.close(Duration.ZERO);
      started.set(false);
      throw e;
    }
    WorkerEngine e = new WorkerEngine(settings, consumer, producer, hostProducer == null, deadLetterMaxBytes, control);
    engine = e;
    log.info("worker '{}': group '{}', topics {}, dead letters to '{}' (cut to {} bytes), concurrency {}{}, "
        + "maxEventsPerSecond {}{}, consumer config {}",
        settings.name(), groupId, topics, settings.deadLetterTopic(), deadLetterMaxBytes, settings.concurrency(),
        control.adaptiveLimit() ? " (adaptive, learning from " + control.describeSignal() + ")" : "",
        control.maxEventsPerSecond(), control.isPaused() ? ", paused" : "",
        consumerConfig == null ? "(host's)" : ClientConfigs.masked(consumerConfig));
    e.start();
    return this;
  }

  /** Counters since {@link #start()}; all zero before. */
  public WorkerStats stats() {
    WorkerEngine e = engine;
    return e == null ? new WorkerStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) : e.stats();
  }

  /** True between {@link #start()} and {@link #close()}, unless the worker stopped on an error. */
  public boolean isRunning() {
    WorkerEngine e = engine;
    return e != null && e.isRunning();
  }

  /** The error the worker stopped on (an authorization failure, for example), if any. */
  public Optional<Throwable> failure() {
    WorkerEngine e = engine;
    return Optional.ofNullable(e == null ? null : e.failure());
  }

  /**
   * Stops handing new records to the handler: the consumer pauses every assigned partition (and
   * every partition assigned later, until {@link #resume()}) but keeps polling, so the worker stays
   * in its group and no rebalance happens. Handler calls already running finish and their records
   * are committed as usual; records already read and not started wait, uncommitted, for {@link
   * #resume()}. Returns at once; {@link #inFlight()} tells when the running calls are done. Called
   * before {@link #start()}, the worker starts paused.
   *
   * <p>Thread-safe and idempotent; no effect when closed.
   */
  public void pause() {
    control.pause();
  }

  /**
   * Hands records to the handler again after {@link #pause()}, from where it stopped: nothing is
   * lost or skipped. Thread-safe and idempotent; no effect when not paused or closed.
   */
  public void resume() {
    control.resume();
  }

  /** True between {@link #pause()} and {@link #resume()} (running handler calls may still be finishing). */
  public boolean isPaused() {
    return control.isPaused();
  }

  /**
   * Handler calls holding a place under the limit now: running, or about to run (waiting for the
   * rate limit). 0 once a paused worker's last running call ended.
   */
  public int inFlight() {
    return control.inFlight();
  }

  /**
   * Changes the limit on handler calls per second (attempts, retries included), as the builder's
   * {@link Builder#maxEventsPerSecond(double) maxEventsPerSecond}: 0 removes the limit, otherwise
   * {@value ReprocessJob#MIN_EVENTS_PER_SECOND} to {@value ReprocessJob#MAX_EVENTS_PER_SECOND}.
   * Works on a worker built without a rate, before or after {@link #start()}. A call already
   * waiting for its permit keeps its time; every later call is spaced by the new rate. Thread-safe;
   * no effect when closed.
   *
   * @param maxEventsPerSecond handler calls per second, 0 for no limit
   * @throws IllegalArgumentException naming the option, the value and the rule when out of range
   */
  public void rethrottle(double maxEventsPerSecond) {
    control.rethrottle(maxEventsPerSecond);
  }

  /** The limit on handler calls per second in force, 0 for none. */
  public double maxEventsPerSecond() {
    return control.maxEventsPerSecond();
  }

  /**
   * Changes the limit on handler calls in flight: 1 to the {@link Builder#concurrency(int)
   * concurrency} the worker was built with (its handler threads; with adaptive concurrency, the
   * upper bound the limit moves under). Running calls finish; after a lowering no new call starts
   * until fewer than {@code concurrency} run. Thread-safe; no effect when closed.
   *
   * @throws IllegalArgumentException naming the option, the value and the rule when out of range
   */
  public void concurrency(int concurrency) {
    control.concurrency(concurrency);
  }

  /**
   * The limit on handler calls in flight now: the built concurrency, the one set by {@link
   * #concurrency(int)}, or where the adaptive limit moved it (the gauge {@code
   * reprocess.worker.concurrency.limit}).
   */
  public int concurrencyLimit() {
    return control.limit();
  }

  /** The events topic. */
  public String topic() {
    return settings.topic();
  }

  /** The retry topic, empty when long backoffs also wait in place. */
  public Optional<String> retryTopic() {
    return Optional.ofNullable(settings.retryTopic());
  }

  /** The dead-letter topic. */
  public String deadLetterTopic() {
    return settings.deadLetterTopic();
  }

  /** The consumer group. */
  public String groupId() {
    return groupId;
  }

  /**
   * Stops gracefully: no new records start, running handlers finish (up to {@code closeTimeout}),
   * final offsets are committed, the clients the worker created are closed. Idempotent; blocks
   * until done.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    WorkerEngine e = engine;
    if (e != null) {
      e.close();
    }
    control.close();
  }

  private List<String> topics() {
    List<String> topics = new ArrayList<>();
    topics.add(settings.topic());
    if (settings.retryTopic() != null) {
      topics.add(settings.retryTopic());
    }
    topics.add(settings.deadLetterTopic());
    if (settings.outcomesTopic() != null) {
      topics.add(settings.outcomesTopic());
    }
    return topics;
  }

  /**
   * Builds a {@link KafkaReprocessWorker}. Mutable, not thread-safe; {@link #build()} checks every
   * option and does no I/O.
   *
   * <p>Connection: {@link #bootstrapServers} and/or {@link #kafkaProperties} (see {@link
   * KafkaClientBuilder}), shared by the consumer, the producer (retry and dead-letter topics; or
   * the host's {@link #producer}, flushed, never closed) and the admin client.
   */
  public static final class Builder extends KafkaClientBuilder<Builder> {
    private String name;
    private String topic;
    private String groupId;
    private String retryTopic;
    private boolean useRetryTopic = true;
    private String deadLetterTopic;
    private String outcomesTopic;
    private EventHandler handler;
    private Supplier<Consumer<byte[], byte[]>> consumerFactory;
    private int concurrency = DEFAULT_CONCURRENCY;
    private int maxPendingRecords = DEFAULT_MAX_PENDING_RECORDS;
    private int maxPendingPerPartition = DEFAULT_MAX_PENDING_PER_PARTITION;
    private RetryOptions retry = RetryOptions.ofDefaults();
    private Duration maxInPlaceBackoff = DEFAULT_MAX_IN_PLACE_BACKOFF;
    private Duration handlerTimeout = DEFAULT_HANDLER_TIMEOUT;
    private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
    private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private Duration publishRetryBackoff = Duration.ofSeconds(1);
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.SYSTEM;
    private MeterRegistry meterRegistry = Metrics.globalRegistry;
    private double maxEventsPerSecond;
    private boolean adaptiveConcurrency;
    private LimitAlgorithm limitAlgorithm = LimitAlgorithm.GRADIENT2;
    private int minConcurrency = 1;
    private PressureSignal pressureSignal = PressureSignal.handlerLatency();
    /** The adaptive options set, by name with their value, for the check that adaptiveConcurrency is on. */
    private final Map<String, Object> adaptiveOptionsSet = new LinkedHashMap<>();

    private Builder() {}

    /** The events topic (what {@link KafkaEventSink} writes); required. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The consumer group every worker of the fleet shares; required. */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /** The host's handler; required. Called concurrently for different keys. */
    public Builder handler(EventHandler handler) {
      this.handler = handler;
      return this;
    }

    /** A name for threads and logs; default the group id. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The retry topic; default {@code <topic>.retry}. */
    public Builder retryTopic(String retryTopic) {
      this.retryTopic = retryTopic;
      return this;
    }

    /**
     * Whether long backoffs go through the retry topic (default true); when false every backoff
     * waits in place and no retry topic is read or needed.
     */
    public Builder useRetryTopic(boolean useRetryTopic) {
      this.useRetryTopic = useRetryTopic;
      return this;
    }

    /** The dead-letter topic; default {@code <topic>.dlt}. */
    public Builder deadLetterTopic(String deadLetterTopic) {
      this.deadLetterTopic = deadLetterTopic;
      return this;
    }

    /**
     * Where the worker publishes how many events of each job it finished, per outcome, for {@link
     * KafkaJobCompletion#status()} to add up across workers and processes; conventionally {@code
     * <topic>}{@value #OUTCOMES_TOPIC_SUFFIX}, a compacted topic (see {@link
     * KafkaJobCompletion#outcomesTopicSpec}) that must exist ({@link #start()} checks it). Default
     * none: nothing is published.
     *
     * <p>Before each offset commit the worker publishes, for every job whose counts changed, one
     * record of its cumulative counts since it started (key: job and worker instance), and commits
     * only once the topic acknowledged them; if it did not within {@code closeTimeout} the commit
     * waits for the next interval (logged at WARN). A record is counted once, when it becomes part
     * of the final prefix to commit; one forwarded to the retry topic is counted when its copy is
     * final. This costs one acknowledged send per commit interval with changes.
     */
    public Builder outcomesTopic(String outcomesTopic) {
      this.outcomesTopic = outcomesTopic;
      return this;
    }

    /**
     * Handler threads, 1 to 1024; default {@value #DEFAULT_CONCURRENCY}: the most handler calls in
     * flight, and the upper bound of the limit with {@link #adaptiveConcurrency(boolean)}. {@link
     * KafkaReprocessWorker#concurrency(int)} lowers the limit live.
     */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /**
     * Records read and not yet final before every partition pauses; at least {@code concurrency};
     * default {@value #DEFAULT_MAX_PENDING_RECORDS}.
     */
    public Builder maxPendingRecords(int maxPendingRecords) {
      this.maxPendingRecords = maxPendingRecords;
      return this;
    }

    /**
     * Records read and not yet committed in one partition before it pauses (a record whose retries
     * hold the commit back), at least 1; default {@value #DEFAULT_MAX_PENDING_PER_PARTITION}.
     */
    public Builder maxPendingPerPartition(int maxPendingPerPartition) {
      this.maxPendingPerPartition = maxPendingPerPartition;
      return this;
    }

    /** How failed attempts are retried; default {@link RetryOptions#ofDefaults()}. */
    public Builder retry(RetryOptions retry) {
      this.retry = retry;
      return this;
    }

    /** Longest backoff waited in place; longer ones go through the retry topic; default 5 s. */
    public Builder maxInPlaceBackoff(Duration maxInPlaceBackoff) {
      this.maxInPlaceBackoff = maxInPlaceBackoff;
      return this;
    }

    /** Time limit of one handler call; default 60 s. */
    public Builder handlerTimeout(Duration handlerTimeout) {
      this.handlerTimeout = handlerTimeout;
      return this;
    }

    /** Interval between asynchronous offset commits; default 1 s. */
    public Builder commitInterval(Duration commitInterval) {
      this.commitInterval = commitInterval;
      return this;
    }

    /** Bound on one consumer poll, 1 ms to 10 s; default 100 ms. */
    public Builder pollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
      return this;
    }

    /**
     * Bound on waiting for running handlers when partitions are revoked or the worker closes, and
     * on each step after it (publishing the outcome counts, with {@link #outcomesTopic}; the
     * commit); default 30 s. A revocation runs inside {@code poll}, so twice this (three times
     * with an outcomes topic) must be below {@code max.poll.interval.ms} (5 min by default), else
     * {@link #build()} refuses it.
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** Bound on the topic check of {@link #start()}; default 30 s. */
    public Builder startupTimeout(Duration startupTimeout) {
      this.startupTimeout = startupTimeout;
      return this;
    }

    /** The clock for retry not-before times and failure times; default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Where the worker's meters go (counters, the handler latency timer, the lag and pending
     * gauges, and the Kafka clients' own metrics; see the module README's "Metrics" table);
     * default Micrometer's {@link Metrics#globalRegistry}, like a job's.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /**
     * Handler calls per second at most (attempts, retries included; the same option as a job's
     * {@link ReprocessJob.Builder#maxEventsPerSecond(double)}): 0 for no limit (the default), or
     * {@value ReprocessJob#MIN_EVENTS_PER_SECOND} to {@value ReprocessJob#MAX_EVENTS_PER_SECOND}.
     * Calls are spaced evenly, without bursts. {@link KafkaReprocessWorker#rethrottle(double)}
     * changes it live.
     */
    public Builder maxEventsPerSecond(double maxEventsPerSecond) {
      this.maxEventsPerSecond = maxEventsPerSecond;
      return this;
    }

    /**
     * Lets the limit on handler calls in flight move between {@link #minConcurrency(int)
     * minConcurrency} and {@link #concurrency(int) concurrency}, starting at {@code concurrency},
     * as a job's {@link ReprocessJob.Builder#adaptiveConcurrency(boolean)}: the {@link
     * #limitAlgorithm(LimitAlgorithm) limitAlgorithm} lowers it when the {@link
     * #pressureSignal(PressureSignal) pressureSignal} says the backend suffers (latency rising,
     * drops) and raises it when it recovers. The gauge {@code reprocess.worker.concurrency.limit}
     * shows it. Default false (the limit stays at {@code concurrency}).
     */
    public Builder adaptiveConcurrency(boolean adaptiveConcurrency) {
      this.adaptiveConcurrency = adaptiveConcurrency;
      return this;
    }

    /**
     * The adaptive limit's algorithm; default {@link LimitAlgorithm#GRADIENT2}. Only with {@link
     * #adaptiveConcurrency(boolean) adaptiveConcurrency(true)}: {@link #build()} refuses it
     * otherwise.
     */
    public Builder limitAlgorithm(LimitAlgorithm limitAlgorithm) {
      this.limitAlgorithm = limitAlgorithm;
      adaptiveOptionsSet.put("limitAlgorithm", limitAlgorithm);
      return this;
    }

    /**
     * The lowest the adaptive limit goes: 1 (the default) to {@code concurrency}. Only with {@link
     * #adaptiveConcurrency(boolean) adaptiveConcurrency(true)}: {@link #build()} refuses it
     * otherwise.
     */
    public Builder minConcurrency(int minConcurrency) {
      this.minConcurrency = minConcurrency;
      adaptiveOptionsSet.put("minConcurrency", minConcurrency);
      return this;
    }

    /**
     * What the adaptive limit learns from; default {@link PressureSignal#handlerLatency()}: each
     * handler call's latency is a sample, and a call that fails for a reason that means "slow down"
     * (a time-out, {@link dev.reprocess.BackendUnavailableException}, a {@link
     * dev.reprocess.RetriableException}) a drop; other failures are not samples. A host's signal
     * (e.g. {@link dev.reprocess.pressure.TimerPressureSignal}) is subscribed at {@link
     * KafkaReprocessWorker#start()} and closed at {@link KafkaReprocessWorker#close()}. Only with
     * {@link #adaptiveConcurrency(boolean) adaptiveConcurrency(true)}: {@link #build()} refuses it
     * otherwise.
     */
    public Builder pressureSignal(PressureSignal pressureSignal) {
      this.pressureSignal = pressureSignal;
      adaptiveOptionsSet.put("pressureSignal", pressureSignal);
      return this;
    }

    /** Tests: a consumer factory instead of a {@link KafkaConsumer}; skips the topic check. */
    Builder consumerFactory(Supplier<Consumer<byte[], byte[]>> consumerFactory) {
      this.consumerFactory = consumerFactory;
      return this;
    }

    /**
     * Tests: the time source of the handler time limit, in-place backoffs, publish retries and the
     * commit interval, so a test of a time-out runs on a manual clock; default {@link Ticker#SYSTEM}.
     */
    Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    /** Tests: the wait before publishing to the retry or dead-letter topic again after a failure. */
    Builder publishRetryBackoff(Duration publishRetryBackoff) {
      this.publishRetryBackoff = publishRetryBackoff;
      return this;
    }

    /** The checks of single options (and the one between concurrency and maxPendingRecords). */
    private void checkOptions() {
      Options.topic("topic", topic);
      Options.text("groupId", groupId);
      if (handler == null) {
        throw new IllegalArgumentException("handler is null: set the EventHandler the worker runs");
      }
      if (retry == null) {
        throw new IllegalArgumentException("retry is null: set RetryOptions (RetryOptions.ofDefaults() by default)");
      }
      if (clock == null) {
        throw new IllegalArgumentException("clock is null: it must be set");
      }
      if (ticker == null) {
        throw new IllegalArgumentException("ticker is null: it must be set");
      }
      if (concurrency < 1 || concurrency > 1024) {
        throw new IllegalArgumentException("concurrency is " + concurrency + ": it must be between 1 and 1024");
      }
      if (maxPendingRecords < concurrency) {
        throw new IllegalArgumentException("maxPendingRecords is " + maxPendingRecords
            + ": it must be at least concurrency (" + concurrency + ")");
      }
      Options.atLeast("maxPendingPerPartition", maxPendingPerPartition, 1);
      Options.nonNegative("maxInPlaceBackoff", maxInPlaceBackoff);
      Options.positive("handlerTimeout", handlerTimeout);
      Options.positive("commitInterval", commitInterval);
      Options.positive("pollTimeout", pollTimeout);
      if (pollTimeout.compareTo(Duration.ofMillis(1)) < 0 || pollTimeout.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException("pollTimeout is " + pollTimeout + ": it must be between 1 ms and 10 s");
      }
      Options.positive("closeTimeout", closeTimeout);
      Options.positive("startupTimeout", startupTimeout);
      Options.positive("publishRetryBackoff", publishRetryBackoff);
      Options.meterRegistry(meterRegistry);
      checkControls();
    }

    /** The rate, and the adaptive options: they need adaptiveConcurrency, and their bounds must fit. */
    private void checkControls() {
      String rateProblem = RateThrottle.rateProblem(maxEventsPerSecond);
      if (rateProblem != null) {
        throw new IllegalArgumentException("maxEventsPerSecond is " + maxEventsPerSecond + ": " + rateProblem);
      }
      if (!adaptiveConcurrency) {
        if (!adaptiveOptionsSet.isEmpty()) {
          Map.Entry<String, Object> o = adaptiveOptionsSet.entrySet().iterator().next();
          throw new IllegalArgumentException(o.getKey() + " is set (" + o.getValue() + ") but adaptiveConcurrency is "
              + "false: " + o.getKey() + " applies only to an adaptive limit; call adaptiveConcurrency(true) or remove it");
        }
        return;
      }
      if (limitAlgorithm == null) {
        throw new IllegalArgumentException("limitAlgorithm is null: pass GRADIENT2, VEGAS or AIMD");
      }
      if (pressureSignal == null) {
        throw new IllegalArgumentException("pressureSignal is null: pass a signal, or do not call pressureSignal "
            + "for the handler's latency");
      }
      if (minConcurrency < 1 || minConcurrency > concurrency) {
        throw new IllegalArgumentException("minConcurrency is " + minConcurrency + ": it must be between 1 and "
            + "concurrency (" + concurrency + ")");
      }
    }

    /** The retry topic ({@code null} when not used) and the dead-letter topic of a worker. */
    private record FailureTopics(String retry, String deadLetter) {}

    /** The failure topics, checked to be valid names that differ from each other and from the topic. */
    private FailureTopics failureTopics() {
      String retryName = null;
      if (useRetryTopic) {
        retryName = Options.topic("retryTopic", retryTopic != null ? retryTopic : topic + RETRY_TOPIC_SUFFIX);
      } else if (retryTopic != null) {
        throw new IllegalArgumentException("retryTopic is '" + retryTopic + "' while useRetryTopic is false: set one or the other");
      }
      String dltName = Options.topic("deadLetterTopic", deadLetterTopic != null ? deadLetterTopic : topic + DEAD_LETTER_TOPIC_SUFFIX);
      if (topic.equals(retryName) || topic.equals(dltName) || dltName.equals(retryName)) {
        throw new IllegalArgumentException("topic '" + topic + "', retryTopic '" + retryName + "' and deadLetterTopic '"
            + dltName + "': they must be three different topics");
      }
      return new FailureTopics(retryName, dltName);
    }

    private String outcomesTopic() {
      if (outcomesTopic == null) {
        return null;
      }
      Options.topic("outcomesTopic", outcomesTopic);
      if (outcomesTopic.equals(topic)) {
        throw new IllegalArgumentException("outcomesTopic is '" + outcomesTopic + "': it must not be the events topic");
      }
      return outcomesTopic;
    }

    /**
     * Checks every option and builds the worker (no I/O, no threads yet).
     *
     * @throws IllegalArgumentException naming the option, its value and the rule
     */
    public KafkaReprocessWorker build() {
      checkOptions();
      FailureTopics failureTopics = failureTopics();
      String retryName = failureTopics.retry();
      String dltName = failureTopics.deadLetter();
      String workerName = name != null ? Options.text("name", name) : groupId;

      Map<String, Object> consumerConfig = null;
      Map<String, Object> producerConfig = null;
      Map<String, Object> adminConfig = null;
      KafkaConnection connection = connection();
      if (consumerFactory == null || connection.hostProducer() == null) {
        consumerConfig = connection.consumerConfig(groupId, startupTimeout, "reprocess-worker-" + workerName);
        producerConfig = connection.producerConfig(startupTimeout, "reprocess-worker-" + workerName + "-producer");
        adminConfig = consumerFactory == null ? connection.adminConfig(startupTimeout, "reprocess-worker-" + workerName + "-admin") : null;
        int maxPollIntervalMs = new ConsumerConfig(consumerConfig).getInt(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
        boolean counts = outcomesTopic() != null;
        int steps = counts ? 3 : 2;
        if (closeTimeout.toMillis() * steps >= maxPollIntervalMs) {
          throw new IllegalArgumentException("closeTimeout is " + closeTimeout + ": " + steps + " x closeTimeout must be"
              + " below max.poll.interval.ms (" + maxPollIntervalMs + " ms), since a revocation waits up to closeTimeout"
              + " for running handlers, " + (counts ? "as long for the outcome counts, " : "") + "and as long for"
              + " the commit, inside poll");
        }
      }
      WorkerSettings settings = new WorkerSettings(workerName, topic, retryName, dltName, handler, concurrency,
          maxPendingRecords, maxPendingPerPartition, retry, maxInPlaceBackoff, handlerTimeout, commitInterval,
          pollTimeout, closeTimeout, publishRetryBackoff, clock, ticker, groupId, meterRegistry, outcomesTopic());
      return new KafkaReprocessWorker(this, settings, consumerFactory == null ? consumerConfig : null,
          producerConfig, adminConfig);
    }
  }
}
