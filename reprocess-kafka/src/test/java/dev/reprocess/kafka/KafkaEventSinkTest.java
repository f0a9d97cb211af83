package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import dev.reprocess.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaEventSinkTest {

  private static MockProducer<byte[], byte[]> producer(boolean autoComplete) {
    Node node = new Node(1, "127.0.0.1", 9092);
    Cluster cluster = new Cluster("c", List.of(node),
        List.of(new PartitionInfo("events", 0, node, new Node[] {node}, new Node[] {node})), java.util.Set.of(), java.util.Set.of());
    return new MockProducer<>(cluster, autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Test
  void aJobWithTheSinkKeepsAThousandEventsInFlightUnlessItSetsConcurrency() {
    try (KafkaEventSink sink = KafkaEventSink.builder().topic("events").producer(producer(true)).build()) {
      dev.reprocess.AssetSelector selector = dev.reprocess.testing.InMemorySelector.ofIds(java.util.List.of("a"), 1);
      assertThat(dev.reprocess.ReprocessJob.builder("kafka-default").selector(selector).sink(sink).build()
          .concurrency()).isEqualTo(KafkaEventSink.DEFAULT_JOB_CONCURRENCY).isEqualTo(4_000);
      assertThat(dev.reprocess.ReprocessJob.builder("kafka-set").selector(selector).sink(sink).concurrency(50).build()
          .concurrency()).isEqualTo(50);
    }
  }

  @Test
  void anEventPublishedAgainAfterAFailedSendGoesOutAsAttemptOneSoTheWorkerKeepsAllItsAttempts() {
    MockProducer<byte[], byte[]> producer = producer(true);
    try (KafkaEventSink sink = KafkaEventSink.builder().topic("events").producer(producer).build()) {
      ReprocessEvent resent = new ReprocessEvent("e-1", "job", "asset-1", "image", "image#2024-01-01", 3,
          java.time.Instant.parse("2024-01-01T00:00:00Z"), java.util.Map.of());
      assertThat(sink.deliver(resent).toCompletableFuture().join()).isEqualTo(Outcome.SUCCEEDED);
      var record = producer.history().get(producer.history().size() - 1);
      ReprocessEvent onTheTopic = EventJson.fromBytes(record.value());
      assertThat(onTheTopic.attempt()).isEqualTo(1);
      assertThat(onTheTopic.eventId()).isEqualTo("e-1");
      assertThat(new String(record.headers().lastHeader(KafkaHeaders.ATTEMPT).value(), StandardCharsets.UTF_8))
          .isEqualTo("1");
    }
  }

  @Test
  void stageCompletesOnlyWhenTheBrokerAcknowledges() throws Exception {
    MockProducer<byte[], byte[]> producer = producer(false);
    try (KafkaEventSink sink = KafkaEventSink.builder().topic("events").producer(producer).build()) {
      ReprocessEvent event = TestSupport.event("backfill", "asset-1");
      CompletableFuture<Outcome> stage = sink.deliver(event).toCompletableFuture();

      assertThat(stage).isNotDone();
      producer.completeNext();
      assertThat(stage.get()).isEqualTo(Outcome.SUCCEEDED);
      assertThat(sink.acknowledged()).isEqualTo(1);

      ProducerRecord<byte[], byte[]> record = producer.history().get(0);
      assertThat(record.topic()).isEqualTo("events");
      assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("asset-1");
      assertThat(EventJson.fromBytes(record.value())).isEqualTo(event);
      assertThat(TestSupport.header(record.headers(), KafkaHeaders.JOB)).isEqualTo("backfill");
      assertThat(TestSupport.header(record.headers(), KafkaHeaders.ATTEMPT)).isEqualTo("1");
      assertThat(TestSupport.header(record.headers(), KafkaHeaders.EVENT_ID)).isEqualTo(event.eventId());
    }
  }

  @Test
  void retriableKafkaErrorsBecomeRetriableExceptionsAndOthersFatal() {
    MockProducer<byte[], byte[]> producer = producer(false);
    try (KafkaEventSink sink = KafkaEventSink.builder().topic("events").producer(producer).build()) {
      CompletableFuture<Outcome> transientFailure = sink.deliver(TestSupport.event("j", "a1")).toCompletableFuture();
      CompletableFuture<Outcome> fatalFailure = sink.deliver(TestSupport.event("j", "a2")).toCompletableFuture();
      producer.errorNext(new NotEnoughReplicasException("only 1 in sync"));
      producer.errorNext(new RecordTooLargeException("too big"));

      assertThatThrownBy(transientFailure::get).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(RetriableException.class)
          .hasMessageContaining("job 'j'").hasMessageContaining("asset a1").hasMessageContaining("only 1 in sync");
      assertThatThrownBy(fatalFailure::get).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(ReprocessException.class).isNotInstanceOf(RetriableException.class)
          .hasMessageContaining("too big");
      assertThat(sink.failed()).isEqualTo(2);
    }
  }

  @Test
  void flushFailsWhileSendsAreUnacknowledged() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
      @Override
      public synchronized void flush() {
        // a producer whose flush returns with sends outstanding
      }
    };
    try (KafkaEventSink sink = KafkaEventSink.builder().topic("events").producer(producer).verifyTopic(false)
        .flushTimeout(Duration.ofMillis(50)).build()) {
      sink.deliver(TestSupport.event("j", "a1"));
      sink.deliver(TestSupport.event("j", "a2"));
      assertThatThrownBy(sink::flush).isInstanceOf(ReprocessException.class)
          .hasMessageContaining("2 events are still unacknowledged PT0.05S after flush began");
      producer.completeNext();
      producer.completeNext();
      sink.flush();
    }
  }

  @Test
  void flushDoesNotWaitForEventsOtherThreadsDeliverMeanwhile() {
    KafkaEventSink[] sinkRef = new KafkaEventSink[1];
    MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
      @Override
      public synchronized void flush() {
        // Another shard delivers while this flush runs; the flush only answers for what came before it.
        sinkRef[0].deliver(TestSupport.event("j", "concurrent"));
        while (completeNext()) {
          if (history().size() > 1) {
            break;
          }
        }
      }
    };
    try (KafkaEventSink sink = KafkaEventSink.builder().topic("events").producer(producer).verifyTopic(false).build()) {
      sinkRef[0] = sink;
      CompletableFuture<Outcome> before = sink.deliver(TestSupport.event("j", "before")).toCompletableFuture();
      sink.flush();
      assertThat(before).isCompletedWithValue(Outcome.SUCCEEDED);
      assertThat(producer.history()).hasSize(2);
    }
  }

  @Test
  void flushCompletesEveryPendingStage() {
    MockProducer<byte[], byte[]> producer = producer(false);
    try (KafkaEventSink sink = KafkaEventSink.builder().topic("events").producer(producer).build()) {
      var stages = List.of(sink.deliver(TestSupport.event("j", "a1")).toCompletableFuture(),
          sink.deliver(TestSupport.event("j", "a2")).toCompletableFuture());
      sink.flush();
      assertThat(stages).allSatisfy(s -> assertThat(s).isCompletedWithValue(Outcome.SUCCEEDED));
    }
  }

  @Test
  void aTopicUnknownToTheProducerFailsDeliveryClearly() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    try (KafkaEventSink sink = KafkaEventSink.builder().topic("events").producer(producer).build()) {
      CompletableFuture<Outcome> stage = sink.deliver(TestSupport.event("j", "a1")).toCompletableFuture();
      assertThatThrownBy(stage::get).cause().isInstanceOf(ReprocessException.class)
          .hasMessageContaining("kafka topic events is not usable");
      assertThat(producer.history()).isEmpty();
    }
  }

  @Test
  void neverClosesTheHostsProducer() {
    MockProducer<byte[], byte[]> producer = producer(true);
    KafkaEventSink sink = KafkaEventSink.builder().topic("events").producer(producer).build();
    sink.close();
    sink.close();
    assertThat(producer.closed()).isFalse();
    assertThatThrownBy(() -> sink.deliver(TestSupport.event("j", "a")).toCompletableFuture().get())
        .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void buildRejectsBadOptionsNamingThem() {
    assertThatThrownBy(() -> KafkaEventSink.builder().bootstrapServers("h:1").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("topic is 'null'");
    assertThatThrownBy(() -> KafkaEventSink.builder().topic("bad topic").bootstrapServers("h:1").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad topic");
    assertThatThrownBy(() -> KafkaEventSink.builder().topic("events").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bootstrapServers is 'null'");
    assertThatThrownBy(() -> KafkaEventSink.builder().topic("events").bootstrapServers("h:1")
        .kafkaProperties(Map.of("acks", "1")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("acks is '1'");
    assertThatThrownBy(() -> KafkaEventSink.builder().topic("events").bootstrapServers("h:1")
        .kafkaProperties(Map.of("enable.idempotence", "false")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("enable.idempotence is 'false'");
    assertThatThrownBy(() -> KafkaEventSink.builder().topic("events").bootstrapServers("h:1").maxBlock(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxBlock is PT0S");
    assertThatThrownBy(() -> KafkaEventSink.builder().topic("events").bootstrapServers("h:1").producer(producer(true)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> KafkaEventSink.builder().topic("events").bootstrapServers("h:1")
        .kafkaProperties(Map.of("linger.ms", "soon")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linger.ms");
  }
}
