package dev.reprocess.kafka.internal;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;

/**
 * The Micrometer meters of one worker, all tagged {@code worker=<name>}, {@code group=<group id>},
 * {@code topic=<events topic>}: the counters and the timer of {@link WorkerCounters} (cumulative
 * per registry, like the job's), the gauges {@link #PENDING}, {@link #LAG}, {@link
 * #CONCURRENCY_LIMIT} and {@link #PAUSED} (registered for this worker and removed by {@link #close()}), and Kafka's own client metrics ({@link
 * KafkaClientMetrics}) of the consumer and of the producer when the worker created it, also
 * removed by {@link #close()}. Thread-safe; {@link #updateLag} is for the poll thread only.
 */
final class WorkerMeters implements AutoCloseable {

  static final String RECEIVED = "reprocess.worker.records.received";
  static final String SUCCEEDED = "reprocess.worker.records.succeeded";
  static final String SKIPPED = "reprocess.worker.records.skipped";
  static final String FAILED = "reprocess.worker.records.failed";
  static final String TIMED_OUT = "reprocess.worker.records.timed_out";
  static final String RETRIED = "reprocess.worker.records.retried";
  static final String DEAD_LETTERED = "reprocess.worker.records.dead_lettered";
  static final String POISON = "reprocess.worker.records.poison";
  static final String DEAD_LETTER_FAILED = "reprocess.worker.records.dead_letter_failed";
  static final String COMMITS = "reprocess.worker.commits";
  static final String LATENCY = "reprocess.worker.handler.latency";
  static final String PENDING = "reprocess.worker.records.pending";
  static final String LAG = "reprocess.worker.lag";
  static final String CONCURRENCY_LIMIT = "reprocess.worker.concurrency.limit";
  static final String PAUSED = "reprocess.worker.paused";

  private final MeterRegistry registry;
  private final Tags tags;
  private final AtomicLong lag = new AtomicLong();
  private final List<Meter> gauges = new ArrayList<>();
  private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();

  WorkerMeters(MeterRegistry registry, String name, String groupId, String topic) {
    this.registry = registry;
    this.tags = Tags.of("worker", name, "group", groupId, "topic", topic);
  }

  /** The tags of every meter of this worker. */
  Tags tags() {
    return tags;
  }

  /** Registers the gauges and binds the clients' own metrics; the producer only if the worker owns it. */
  synchronized void bind(Supplier<Number> pending, Consumer<?, ?> consumer, Producer<?, ?> producer,
      boolean ownsProducer) {
    gauges.add(gauge(PENDING, "records read and not yet final", pending));
    gauges.add(gauge(LAG, "records on the assigned partitions not yet read", lag::get));
    bindClient(new KafkaClientMetrics(consumer));
    if (ownsProducer) {
      bindClient(new KafkaClientMetrics(producer));
    }
  }

  /** Registers the gauges of the live controls: the limit on handler calls in flight, and paused (1) or not (0). */
  synchronized void bindControl(WorkerControl control) {
    gauges.add(gauge(CONCURRENCY_LIMIT, "current limit on handler calls in flight", control::limit));
    gauges.add(gauge(PAUSED, "1 while the host paused the worker, else 0", () -> control.isPaused() ? 1 : 0));
  }

  /**
   * Poll thread: sums, over the partitions assigned to the consumer, the records after its
   * position up to the end offset it last fetched; a partition whose lag the consumer does not know
   * yet counts nothing.
   */
  void updateLag(Consumer<?, ?> consumer) {
    long sum = 0;
    for (TopicPartition tp : consumer.assignment()) {
      try {
        OptionalLong partitionLag = consumer.currentLag(tp);
        if (partitionLag.isPresent()) {
          sum += partitionLag.getAsLong();
        }
      } catch (IllegalStateException e) {
        // The partition left the assignment meanwhile: it is no longer this worker's lag.
      }
    }
    lag.set(sum);
  }

  /** Removes the gauges and the clients' metrics; counters and the timer stay. Idempotent. */
  @Override
  public synchronized void close() {
    for (Meter g : gauges) {
      registry.remove(g);
    }
    gauges.clear();
    for (KafkaClientMetrics m : clientMetrics) {
      m.close();
    }
    clientMetrics.clear();
  }

  private Meter gauge(String name, String description, Supplier<Number> value) {
    return Gauge.builder(name, value).tags(tags).description(description).strongReference(true).register(registry);
  }

  private void bindClient(KafkaClientMetrics metrics) {
    metrics.bindTo(registry);
    clientMetrics.add(metrics);
  }
}
