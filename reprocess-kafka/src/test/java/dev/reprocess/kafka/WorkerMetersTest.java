package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprocess.MdcKeys;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.RetryOptions;
import dev.reprocess.kafka.TestSupport.TestConsumer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The worker's meters and MDC keys, on a mock consumer and producer. */
class WorkerMetersTest {

  private static final String TOPIC = "events";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final TopicPartition EVENTS_0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition RETRY_0 = new TopicPartition(TOPIC + ".retry", 0);

  private final TestConsumer consumer = new TestConsumer();
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> seenMdc = new CopyOnWriteArrayList<>();
  private KafkaReprocessWorker worker;

  @AfterEach
  void closeWorker() {
    if (worker != null) {
      worker.close();
    }
  }

  private double count(String name) {
    return registry.find(name).tags("worker", "w", "group", "g", "topic", TOPIC).counters().stream()
        .mapToDouble(c -> c.count()).sum();
  }

  private Double gauge(String name) {
    var g = registry.find(name).tags("worker", "w", "group", "g", "topic", TOPIC).gauge();
    return g == null ? null : g.value();
  }

  @Test
  void theMetersCountWhatTheStatsCountAndTheHandlerSeesItsEventsMdcKeys() {
    consumer.updateBeginningOffsets(Map.of(EVENTS_0, 0L, RETRY_0, 0L));
    // The partition's end is 10 while only 5 records are there: the lag stays at 5 once they are read.
    consumer.updateEndOffsets(Map.of(EVENTS_0, 10L, RETRY_0, 0L));
    worker = KafkaReprocessWorker.builder().topic(TOPIC).groupId("g").name("w")
        .handler(event -> {
          seenMdc.add(event.assetId() + "@" + event.attempt() + ":" + MDC.get(MdcKeys.JOB) + "/"
              + MDC.get(MdcKeys.SHARD) + "/" + MDC.get(MdcKeys.EVENT).equals(event.eventId()));
          if (event.assetId().equals("bad")) {
            throw new IllegalStateException("disk full");
          }
          return event.assetId().equals("skip") ? Outcome.SKIPPED : Outcome.SUCCEEDED;
        })
        .consumerFactory(() -> consumer).producer(producer).concurrency(2)
        .commitInterval(Duration.ofMillis(5)).pollTimeout(Duration.ofMillis(5)).closeTimeout(Duration.ofSeconds(5))
        .retry(RetryOptions.custom().maxAttempts(3).initialBackoff(Duration.ofMillis(1)).jitter(0).build())
        .meterRegistry(registry)
        .build().start();
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(EVENTS_0, RETRY_0)));
    List<String> assets = List.of("ok", "bad", "skip", "ok2");
    for (int i = 0; i < assets.size(); i++) {
      ReprocessEvent e = TestSupport.event("backfill", assets.get(i));
      ConsumerRecord<byte[], byte[]> r = TestSupport.record(TOPIC, 0, i, e);
      consumer.schedulePollTask(() -> consumer.addRecord(r));
    }
    ConsumerRecord<byte[], byte[]> poison = new ConsumerRecord<>(TOPIC, 0, 4, null,
        "not json".getBytes(StandardCharsets.UTF_8));
    consumer.schedulePollTask(() -> consumer.addRecord(poison));

    await().atMost(WAIT).until(() -> consumer.commits.getOrDefault(EVENTS_0, -1L) == 5
        && worker.stats().pending() == 0);
    await().atMost(WAIT).until(() -> Double.valueOf(5).equals(gauge("reprocess.worker.lag")));

    WorkerStats stats = worker.stats();
    assertThat(stats.received()).isEqualTo(5);
    assertThat(count("reprocess.worker.records.received")).isEqualTo(stats.received());
    assertThat(count("reprocess.worker.records.succeeded")).isEqualTo(stats.succeeded()).isEqualTo(2);
    assertThat(count("reprocess.worker.records.skipped")).isEqualTo(stats.skipped()).isEqualTo(1);
    assertThat(count("reprocess.worker.records.failed")).isEqualTo(stats.failedAttempts()).isEqualTo(3);
    assertThat(count("reprocess.worker.records.retried")).isEqualTo(stats.retriedInPlace()).isEqualTo(2);
    assertThat(count("reprocess.worker.records.dead_lettered")).isEqualTo(stats.deadLettered()).isEqualTo(2);
    assertThat(count("reprocess.worker.records.poison")).isEqualTo(stats.poison()).isEqualTo(1);
    assertThat(count("reprocess.worker.commits")).isEqualTo(stats.commits()).isPositive();
    assertThat(registry.find("reprocess.worker.handler.latency").tags("group", "g").timer().count())
        .isEqualTo(stats.succeeded() + stats.skipped() + stats.failedAttempts());
    assertThat(gauge("reprocess.worker.records.pending")).isEqualTo(0.0);
    assertThat(seenMdc).containsExactlyInAnyOrder("ok@1:backfill/shard-1/true", "skip@1:backfill/shard-1/true",
        "ok2@1:backfill/shard-1/true", "bad@1:backfill/shard-1/true", "bad@2:backfill/shard-1/true",
        "bad@3:backfill/shard-1/true");

    worker.close();
    assertThat(gauge("reprocess.worker.lag")).isNull();
    assertThat(gauge("reprocess.worker.records.pending")).isNull();
    assertThat(count("reprocess.worker.records.received")).isEqualTo(5); // counters stay, like the job's
  }

  @Test
  void aNullRegistryIsRefusedNamingTheOption() {
    KafkaReprocessWorker.Builder b = KafkaReprocessWorker.builder().topic(TOPIC).groupId("g")
        .handler(e -> Outcome.SUCCEEDED).consumerFactory(() -> consumer).producer(producer).meterRegistry(null);
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("meterRegistry is null");
  }
}
