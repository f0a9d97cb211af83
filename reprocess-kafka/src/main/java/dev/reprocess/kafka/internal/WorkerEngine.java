package dev.reprocess.kafka.internal;

import dev.reprocess.internal.ClockTimer;
import dev.reprocess.kafka.KafkaHeaders;
import dev.reprocess.kafka.WorkerStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of a {@code KafkaReprocessWorker}: one poll thread that owns the consumer and
 * hands what it reads to the pieces that do the work:
 *
 * <ul>
 *   <li>{@link PartitionOffsets}: per-partition windows, commits, pauses and rebalances;
 *   <li>{@link KeyLanes}: per-key lanes run by the handler threads under the time limit;
 *   <li>{@link FailureRouting}: retries in place, through the retry topic, or dead letters;
 *   <li>{@link PendingRecords}: the bound on records read and not yet final.
 * </ul>
 *
 * <p>The poll thread never stops calling {@code poll} (so {@code max.poll.interval.ms} is never
 * overrun): it pauses partitions instead. Retry-topic records not yet due are sought back and their
 * partition paused until due. Close stops new records, finishes and commits the assigned
 * partitions, removes the gauges and client metrics of {@link WorkerMeters}, closes the consumer,
 * then stops the handler threads and the scheduler.
 */
public final class WorkerEngine {

  private static final Logger log = LoggerFactory.getLogger(WorkerEngine.class);

  private final WorkerSettings settings;
  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final boolean ownsProducer;
  private final WorkerShutdown shutdown = new WorkerShutdown();
  private final WorkerMeters meters;
  private final WorkerCounters counters;
  private final PendingRecords pending;
  private final ClockTimer scheduler;
  private final PartitionOffsets offsets;
  private final KeyLanes lanes;
  private final WorkerControl control;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private volatile Thread pollThread;
  private volatile Throwable failure;

  /**
   * @param deadLetterMaxBytes the largest dead-letter record to send: the smaller of the
   *     dead-letter topic's {@code max.message.bytes} and the producer's {@code max.request.size};
   *     a bigger one is sent with its value cut (see {@link DeadLetterFit})
   * @param control the pause, rate and concurrency limits the host changes live; closed with the engine
   */
  public WorkerEngine(WorkerSettings settings, Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer, boolean ownsProducer, int deadLetterMaxBytes, WorkerControl control) {
    this.settings = settings;
    this.consumer = consumer;
    this.producer = producer;
    this.ownsProducer = ownsProducer;
    this.control = control;
    this.meters = new WorkerMeters(settings.meterRegistry(), settings.name(), settings.groupId(), settings.topic());
    this.counters = new WorkerCounters(settings.meterRegistry(), meters.tags());
    this.pending = new PendingRecords(settings.maxPendingRecords());
    String threadPrefix = "reprocess-worker-" + settings.name();
    this.scheduler = new ClockTimer(settings.ticker(), threadPrefix + "-scheduler",
        "worker '" + settings.name() + "': ");
    OutcomeReports reports = settings.outcomesTopic() == null ? null
        : new OutcomeReports(producer, settings.outcomesTopic(), settings.name(), settings.clock());
    this.offsets = new PartitionOffsets(settings, consumer, pending, counters, shutdown, control, reports);
    FailureRouting failures = new FailureRouting(settings, producer, scheduler, pending, counters, shutdown,
        deadLetterMaxBytes);
    this.lanes = new KeyLanes(settings, failures, pending, counters, shutdown, control);
  }

  /** Subscribes and starts the threads. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("worker '" + settings.name() + "' is already started");
    }
    meters.bind(pending::count, consumer, producer, ownsProducer);
    meters.bindControl(control);
    control.start();
    lanes.start();
    Thread t = new Thread(this::pollLoop, "reprocess-worker-" + settings.name() + "-poll");
    pollThread = t;
    pending.setPollThread(t);
    t.start();
  }

  /** Stops gracefully (see the class comment) and waits up to about twice the close timeout. */
  public void close() {
    if (!closeRequested.compareAndSet(false, true)) {
      return;
    }
    shutdown.closing = true;
    control.wakeUp();
    Thread t = pollThread;
    if (t == null) {
      stopThreadsAndProducer();
      return;
    }
    consumer.wakeup();
    LockSupport.unpark(t);
    if (t != Thread.currentThread()) {
      Duration joinTimeout = settings.closeTimeout().multipliedBy(2).plusSeconds(10);
      try {
        t.join(joinTimeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        log.warn("worker '{}': poll thread did not stop within {}", settings.name(), joinTimeout);
      }
    }
  }

  public boolean isRunning() {
    Thread t = pollThread;
    return t != null && t.isAlive() && !shutdown.closing;
  }

  public Throwable failure() {
    return failure;
  }

  public WorkerStats stats() {
    return counters.snapshot(pending.count());
  }

  private void pollLoop() {
    List<String> topics = new ArrayList<>();
    topics.add(settings.topic());
    if (settings.retryTopic() != null) {
      topics.add(settings.retryTopic());
    }
    try {
      consumer.subscribe(topics, offsets);
      log.info("worker '{}': subscribed to {}", settings.name(), topics);
      long commitIntervalNanos = settings.commitInterval().toNanos();
      long nextCommitNanos = settings.ticker().nanoTime() + commitIntervalNanos;
      while (!shutdown.closing) {
        ConsumerRecords<byte[], byte[]> records = pollOnce();
        meters.updateLag(consumer);
        if (records != null && !records.isEmpty()) {
          accept(records);
        }
        if (settings.ticker().nanoTime() - nextCommitNanos >= 0) {
          offsets.commitAsync();
          nextCommitNanos = settings.ticker().nanoTime() + commitIntervalNanos;
        }
      }
    } catch (Throwable t) {
      failure = t;
      log.error("worker '{}' stopped on an error: {}", settings.name(), t.toString(), t);
    } finally {
      finishAndClose();
    }
  }

  /** One poll, after applying pauses; null when woken up. */
  private ConsumerRecords<byte[], byte[]> pollOnce() {
    boolean allPaused = offsets.applyPauses();
    try {
      if (allPaused) {
        pending.waitForCapacity(settings.pollTimeout().toNanos());
        return consumer.poll(Duration.ZERO);
      }
      return consumer.poll(settings.pollTimeout());
    } catch (WakeupException e) {
      return null;
    }
  }

  private void finishAndClose() {
    shutdown.closing = true;
    try {
      offsets.finishAndCommitAll();
    } catch (RuntimeException e) {
      log.warn("worker '{}': final commit failed: {}", settings.name(), e.toString());
    }
    meters.close();
    try {
      consumer.close(settings.closeTimeout());
    } catch (RuntimeException e) {
      log.warn("worker '{}': closing the consumer failed: {}", settings.name(), e.toString());
    }
    stopThreadsAndProducer();
    log.info("worker '{}' closed: {}", settings.name(), stats());
  }

  private void stopThreadsAndProducer() {
    shutdown.stopped = true;
    meters.close();
    control.close();
    lanes.stop();
    scheduler.close();
    try {
      if (ownsProducer) {
        producer.close(settings.closeTimeout());
      } else {
        producer.flush();
      }
    } catch (RuntimeException e) {
      log.warn("worker '{}': closing the producer failed: {}", settings.name(), e.toString());
    }
  }

  /** Hands the polled records to their partitions' windows and their keys' lanes. */
  private void accept(ConsumerRecords<byte[], byte[]> records) {
    long nowMillis = settings.clock().millis();
    for (TopicPartition partition : records.partitions()) {
      PartitionWindow window = offsets.window(partition);
      boolean fromRetryTopic = partition.topic().equals(settings.retryTopic());
      for (ConsumerRecord<byte[], byte[]> r : records.records(partition)) {
        Records.Origin origin = new Records.Origin(r.topic(), r.partition(), r.offset());
        if (fromRetryTopic) {
          long notBefore = Records.longHeader(r.headers(), KafkaHeaders.RETRY_NOT_BEFORE, 0);
          if (notBefore > nowMillis) {
            // Not due yet: read it again once due; later records of this partition wait behind it.
            consumer.seek(partition, r.offset());
            offsets.delayUntil(partition, notBefore);
            break;
          }
          origin = originalOrigin(r, origin);
        }
        String laneKey = r.key() == null ? "\u0000" + partition : new String(r.key(), StandardCharsets.UTF_8);
        WorkItem item = new WorkItem(r, window, laneKey, origin);
        window.add(item);
        pending.added();
        counters.received.increment();
        lanes.submit(item);
      }
    }
  }

  /** Where a retry-topic record first came from, as its headers say; {@code fallback} without them. */
  private static Records.Origin originalOrigin(ConsumerRecord<byte[], byte[]> r, Records.Origin fallback) {
    String topic = Records.header(r.headers(), KafkaHeaders.RETRY_ORIGINAL_TOPIC);
    if (topic == null) {
      return fallback;
    }
    return new Records.Origin(topic, (int) Records.longHeader(r.headers(), KafkaHeaders.RETRY_ORIGINAL_PARTITION, -1),
        Records.longHeader(r.headers(), KafkaHeaders.RETRY_ORIGINAL_OFFSET, -1));
  }
}
