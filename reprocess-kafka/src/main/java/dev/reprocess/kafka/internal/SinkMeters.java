package dev.reprocess.kafka.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;

/**
 * The Micrometer meters of a {@code KafkaEventSink}, tagged {@code job=<the event's job>} and
 * {@code topic=<events topic>}: records the broker acknowledged, records that failed, and the time
 * from a delivery to its acknowledgement or failure; cumulative per registry. Kafka's own client
 * metrics ({@link KafkaClientMetrics}) of the producer when the sink created it, removed by {@link
 * #close()}. Thread-safe.
 */
public final class SinkMeters implements AutoCloseable {

  public static final String SENT = "reprocess.sink.records.sent";
  public static final String FAILED = "reprocess.sink.records.failed";
  public static final String LATENCY = "reprocess.sink.send.latency";

  private final MeterRegistry registry;
  private final String topic;
  private final ConcurrentHashMap<String, JobMeters> byJob = new ConcurrentHashMap<>();
  private final KafkaClientMetrics producerMetrics;

  /**
   * @param producer the sink's producer, whose own metrics are bound when {@code owned}
   * @param owned true when the sink created the producer (the host binds its own producer's metrics)
   */
  public SinkMeters(MeterRegistry registry, String topic, Producer<?, ?> producer, boolean owned) {
    this.registry = registry;
    this.topic = topic;
    if (owned) {
      producerMetrics = new KafkaClientMetrics(producer);
      producerMetrics.bindTo(registry);
    } else {
      producerMetrics = null;
    }
  }

  /** Counts one send of the job's event that ended, {@code nanos} after it started. */
  public void sendEnded(String job, boolean acknowledged, long nanos) {
    JobMeters m = byJob.computeIfAbsent(job, this::jobMeters);
    (acknowledged ? m.sent : m.failed).increment();
    m.latency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Removes the producer's client metrics; the counters and the timer stay. */
  @Override
  public void close() {
    if (producerMetrics != null) {
      producerMetrics.close();
    }
  }

  private JobMeters jobMeters(String job) {
    Tags tags = Tags.of("job", job, "topic", topic);
    return new JobMeters(
        Counter.builder(SENT).tags(tags).description("events the broker acknowledged").register(registry),
        Counter.builder(FAILED).tags(tags).description("events whose send failed").register(registry),
        Timer.builder(LATENCY).tags(tags).description("from a delivery to its acknowledgement or failure")
            .register(registry));
  }

  private record JobMeters(Counter sent, Counter failed, Timer latency) {}
}
