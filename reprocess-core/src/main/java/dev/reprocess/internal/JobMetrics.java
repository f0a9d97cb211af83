package dev.reprocess.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Micrometer meters of one job execution, all tagged {@code job=<name>}. Counters and the
 * timer are cumulative per registry (a second run of the same job adds to them); gauges are
 * registered for the execution and removed by {@link #close()}, so a later run does not read a
 * finished one's state. Succeeded and skipped events are counted a page at a time, when their
 * page has settled. Thread-safe.
 */
public final class JobMetrics implements AutoCloseable {

  public static final String SELECTED = "reprocess.events.selected";
  public static final String SUCCEEDED = "reprocess.events.succeeded";
  public static final String SKIPPED = "reprocess.events.skipped";
  public static final String FAILED = "reprocess.events.failed";
  public static final String RETRIED = "reprocess.events.retried";
  public static final String DEAD_LETTERED = "reprocess.events.dead_lettered";
  public static final String LATENCY = "reprocess.handler.latency";
  public static final String IN_FLIGHT = "reprocess.events.in_flight";
  public static final String CONCURRENCY_LIMIT = "reprocess.concurrency.limit";
  public static final String SHARDS_COMPLETED = "reprocess.shards.completed";
  public static final String PRESSURE_LATENCY = "reprocess.pressure.latency";
  public static final String PRESSURE_SAMPLES = "reprocess.pressure.samples";
  public static final String PRESSURE_DROPS = "reprocess.pressure.drops";

  final Counter selected;
  final Counter succeeded;
  final Counter skipped;
  final Counter failed;
  final Counter retried;
  final Counter deadLettered;
  final Timer latency;
  private final MeterRegistry registry;
  private final List<Meter> gauges = new ArrayList<>();

  JobMetrics(MeterRegistry registry, String jobName) {
    this.registry = registry;
    Tags tags = Tags.of("job", jobName);
    selected = Counter.builder(SELECTED).tags(tags).description("assets read from the selection").register(registry);
    succeeded = Counter.builder(SUCCEEDED).tags(tags).description("events that succeeded").register(registry);
    skipped = Counter.builder(SKIPPED).tags(tags).description("events the handler skipped").register(registry);
    failed = Counter.builder(FAILED).tags(tags).description("failed attempts").register(registry);
    retried = Counter.builder(RETRIED).tags(tags).description("attempts scheduled again").register(registry);
    deadLettered = Counter.builder(DEAD_LETTERED).tags(tags).description("events sent to the dead-letter sink").register(registry);
    latency = Timer.builder(LATENCY).tags(tags).description("one attempt, from delivery to outcome").register(registry);
  }

  void gauge(String name, String description, String jobName, Supplier<Number> value) {
    gauges.add(Gauge.builder(name, value).tags("job", jobName).description(description).strongReference(true)
        .register(registry));
  }

  void recordLatency(long nanos) {
    latency.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    for (Meter g : gauges) {
      registry.remove(g);
    }
    gauges.clear();
  }
}
