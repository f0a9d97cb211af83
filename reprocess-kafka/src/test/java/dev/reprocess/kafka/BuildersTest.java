package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.DeadLetters;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessException;
import dev.reprocess.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Option checks of the smaller entry points, and the in-process dead-letter sink's records. */
class BuildersTest {

  @Test
  void topicSpecsAreChecked() {
    assertThatThrownBy(() -> TopicSpec.of("a b", 1, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("topic name is 'a b'");
    assertThatThrownBy(() -> TopicSpec.of("t", 0, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("partitions of topic 't' is 0");
    assertThatThrownBy(() -> TopicSpec.of("t", 1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("replicationFactor of topic 't' is 0");
    assertThat(TopicSpec.of("t", 3, 1).configs()).isEmpty();
  }

  @Test
  void topicHelperChecksItsArgumentsBeforeAnyCall() {
    assertThatThrownBy(() -> KafkaTopics.ensureTopics((org.apache.kafka.clients.admin.Admin) null, List.of(), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("topics is []");
    assertThatThrownBy(() -> KafkaTopics.ensureTopics((org.apache.kafka.clients.admin.Admin) null,
        List.of(TopicSpec.of("t", 1, 1)), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("timeout is PT0S");
    assertThatThrownBy(() -> KafkaTopics.ensureTopics(null, java.util.Map.of(), List.of(TopicSpec.of("t", 1, 1)), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bootstrapServers is 'null'");
  }

  @Test
  void replayerOptionsAreChecked() {
    assertThatThrownBy(() -> DeadLetterReplayer.builder().topic("t").bootstrapServers("h:1").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("deadLetterTopic is 'null'");
    assertThatThrownBy(() -> DeadLetterReplayer.builder().deadLetterTopic("t").topic("t").bootstrapServers("h:1").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must differ from deadLetterTopic");
    assertThatThrownBy(() -> DeadLetterReplayer.builder().deadLetterTopic("t.dlt").topic("t").bootstrapServers("h:1")
        .timeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("timeout is PT0S");
    assertThatThrownBy(() -> DeadLetterReplayer.builder().deadLetterTopic("t.dlt").topic("t").bootstrapServers("h:1")
        .jobs(" ").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("jobs entry is ' '");
  }

  /** Each builder of the module, given only its own required options, so the connection is what varies. */
  private static final Map<String, Function<Function<KafkaClientBuilder<?>, KafkaClientBuilder<?>>, Object>> BUILDERS = Map.of(
      "KafkaEventSink", c -> ((KafkaEventSink.Builder) c.apply(KafkaEventSink.builder().topic("events"))).build(),
      "KafkaDeadLetterSink", c -> ((KafkaDeadLetterSink.Builder) c.apply(KafkaDeadLetterSink.builder().topic("events.dlt"))).build(),
      "DeadLetterReplayer", c -> ((DeadLetterReplayer.Builder) c.apply(DeadLetterReplayer.builder().deadLetterTopic("events.dlt")
          .topic("events"))).build(),
      "KafkaReprocessWorker", c -> ((KafkaReprocessWorker.Builder) c.apply(KafkaReprocessWorker.builder().topic("events")
          .groupId("g").handler(e -> dev.reprocess.Outcome.SUCCEEDED))).build());

  @Test
  void everyBuilderChecksTheConnectionWithTheSameRulesAndMessages() {
    Map<String, Object> nullValue = new HashMap<>();
    nullValue.put("linger.ms", null);
    BUILDERS.forEach((name, build) -> {
      assertThatThrownBy(() -> build.apply(c -> c)).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bootstrapServers is 'null'");
      assertThatThrownBy(() -> build.apply(c -> c.bootstrapServers(" "))).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bootstrapServers is ' '");
      assertThatThrownBy(() -> build.apply(c -> c.bootstrapServers("h:1").kafkaProperties(Map.of("linger.ms", "soon")))).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("kafkaProperties are invalid")
          .hasMessageContaining("linger.ms");
      assertThatThrownBy(() -> build.apply(c -> c.bootstrapServers("h:1").kafkaProperties(nullValue))).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("kafkaProperties has a null key or value (linger.ms=null)");
      assertThatThrownBy(() -> build.apply(c -> c.bootstrapServers("h:1").kafkaProperties(Map.of("acks", "1")))).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("acks is '1'");
      // bootstrap.servers may come from the properties instead of bootstrapServers(...).
      assertThat(builtAndClosed(build.apply(c -> c.kafkaProperties(Map.of("bootstrap.servers", "127.0.0.1:1"))))).as(name)
          .isNotNull();
    });
  }

  private static Object builtAndClosed(Object built) {
    if (built instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return built;
  }

  @Test
  void theSinksTakeTheHostsProducerOrTheConnectionAndTheReadersTakeBoth() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    for (String sink : List.of("KafkaEventSink", "KafkaDeadLetterSink")) {
      assertThatThrownBy(() -> BUILDERS.get(sink).apply(c -> c.producer(producer).bootstrapServers("h:1"))).as(sink)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("producer is set together with bootstrapServers 'h:1'").hasMessageContaining("not both");
      assertThatThrownBy(() -> BUILDERS.get(sink).apply(c -> c.producer(producer).kafkaProperties(Map.of("ssl.key.password", "k3y"))))
          .as(sink).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("producer is set together with kafkaProperties with keys [ssl.key.password]")
          .hasMessageNotContaining("k3y");
      assertThat(builtAndClosed(BUILDERS.get(sink).apply(c -> c.producer(producer)))).as(sink).isNotNull();
    }
    for (String reader : List.of("DeadLetterReplayer", "KafkaReprocessWorker")) {
      assertThatThrownBy(() -> BUILDERS.get(reader).apply(c -> c.producer(producer))).as(reader + ": its consumer needs the connection")
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bootstrapServers is 'null'");
      assertThat(BUILDERS.get(reader).apply(c -> c.producer(producer).bootstrapServers("h:1"))).as(reader).isNotNull();
    }
    assertThat(producer.closed()).isFalse();
  }

  @Test
  void deadLetterSinkWritesTheWorkersRecordShape() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    ReprocessEvent event = TestSupport.event("backfill", "asset-9").withAttempt(3);
    Instant failedAt = Instant.parse("2026-11-30T06:00:00Z");
    try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().topic("events.dlt").producer(producer).build()) {
      sink.accept(DeadLetters.of(event, new IllegalStateException("boom"), 3, failedAt));
      assertThat(sink.describe()).isEqualTo("kafka topic events.dlt");
    }
    assertThat(producer.closed()).isFalse();
    ProducerRecord<byte[], byte[]> r = producer.history().get(0);
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("asset-9");
    assertThat(EventJson.fromBytes(r.value())).isEqualTo(event);
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_JOB)).isEqualTo("backfill");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_EXCEPTION_CLASS)).isEqualTo("java.lang.IllegalStateException");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_EXCEPTION_MESSAGE)).isEqualTo("boom");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_ATTEMPTS)).isEqualTo("3");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_FAILED_AT)).isEqualTo("2026-11-30T06:00:00Z");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_ORIGINAL_TOPIC)).isNull();
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.ATTEMPT)).isEqualTo("3");
  }

  @Test
  void deadLetterSinkFailsLoudlyWhenTheBrokerRefuses() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().topic("events.dlt").producer(producer)
        .sendTimeout(Duration.ofMillis(50)).build();
    assertThatThrownBy(() -> sink.accept(DeadLetters.of(TestSupport.event("j", "a"), new RuntimeException("x"), 1, Instant.now())))
        .isInstanceOf(ReprocessException.class).hasMessageContaining("was not acknowledged by kafka topic events.dlt within PT0.05S");
  }

  @Test
  void deadLetterSinkFailsLoudlyWhenTheSendItselfThrows() {
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().topic("events.dlt").producer(producer).build();
    producer.close();
    assertThatThrownBy(() -> sink.accept(DeadLetters.of(TestSupport.event("j", "a"), new RuntimeException("x"), 1, Instant.now())))
        .isInstanceOf(ReprocessException.class).hasMessageContaining("was not stored in kafka topic events.dlt")
        .hasRootCauseInstanceOf(IllegalStateException.class);
  }
}
