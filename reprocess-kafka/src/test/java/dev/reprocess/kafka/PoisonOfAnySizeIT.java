package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.RetryOptions;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.internal.Records;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records too big to dead-letter as they are, on a real Kafka: the events topic takes 8 MB
 * records, the dead-letter topic only 300 kB. Both a 5 MB record that is not an event and a valid
 * 5 MB event whose handler fails reach the dead-letter topic cut to fit, with headers saying so,
 * and the partition moves on to the records behind them.
 */
class PoisonOfAnySizeIT {

  private static final int FIVE_MB = 5 * 1024 * 1024;
  private static final int DLT_MAX_MESSAGE_BYTES = 300_000;

  @RegisterExtension
  static final KafkaIts.Broker KAFKA = new KafkaIts.Broker();

  @Test
  void fiveMegabytePoisonAndAFailingFiveMegabyteEventAreDeadLetteredCutAndThePartitionMovesOn() throws Exception {
    String topic = KafkaIts.unique("big");
    String group = KafkaIts.unique("workers");
    KafkaTopics.ensureTopics(KAFKA.bootstrap(), Map.of(), List.of(
        new TopicSpec(topic, 1, (short) 1, Map.of("max.message.bytes", Integer.toString(8 * 1024 * 1024))),
        TopicSpec.of(topic + KafkaReprocessWorker.RETRY_TOPIC_SUFFIX, 1, 1),
        new TopicSpec(topic + KafkaReprocessWorker.DEAD_LETTER_TOPIC_SUFFIX, 1, (short) 1,
            Map.of("max.message.bytes", Integer.toString(DLT_MAX_MESSAGE_BYTES)))), Duration.ofSeconds(60));
    char[] filler = new char[FIVE_MB];
    Arrays.fill(filler, 'x');
    ReprocessEvent bigEvent = new ReprocessEvent("big-event", "poison", "big-asset", "image/png", "mem-0", 1,
        Instant.now(), Map.of("blob", new String(filler)));
    byte[] bigPoison = new String(filler).getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrap(),
        "max.request.size", 8 * 1024 * 1024, "buffer.memory", 64L * 1024 * 1024,
        "key.serializer", ByteArraySerializer.class.getName(), "value.serializer", ByteArraySerializer.class.getName()))) {
      raw.send(new ProducerRecord<>(topic, "big-poison".getBytes(StandardCharsets.UTF_8), bigPoison)).get();
      raw.send(Records.eventRecord(topic, bigEvent)).get();
      for (int i = 0; i < 10; i++) {
        raw.send(Records.eventRecord(topic, KafkaIts.event("poison", "small-" + i))).get();
      }
    }
    Set<String> handled = ConcurrentHashMap.newKeySet();
    try (KafkaReprocessWorker w = KafkaReprocessWorker.builder().bootstrapServers(KAFKA.bootstrap())
        .topic(topic).groupId(group)
        .commitInterval(Duration.ofMillis(200)).retry(RetryOptions.noRetry())
        .handler(e -> {
          if (e.assetId().equals("big-asset")) {
            throw new IllegalStateException("cannot handle " + e.attributes().get("blob"));
          }
          handled.add(e.assetId());
          return Outcome.SUCCEEDED;
        }).build().start()) {
      KafkaIts.awaitCommittedAtEnd(KAFKA.admin(), group, Duration.ofSeconds(60), topic);
      assertThat(w.stats().deadLettered()).isEqualTo(2);
      assertThat(w.stats().poison()).isEqualTo(1);
      assertThat(w.stats().deadLetterFailed()).isZero();
    }
    assertThat(handled).hasSize(10);
    List<ConsumerRecord<byte[], byte[]>> dead = KafkaIts.readAll(KAFKA.bootstrap(), topic + ".dlt");
    assertThat(dead).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
        .containsExactlyInAnyOrder("big-poison", "big-asset");
    assertThat(dead).allSatisfy(r -> {
      assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_VALUE_TRUNCATED)).isEqualTo("true");
      assertThat(Long.parseLong(TestSupport.header(r.headers(), KafkaHeaders.DLT_VALUE_ORIGINAL_SIZE))).isGreaterThanOrEqualTo(FIVE_MB);
      assertThat(r.value().length).isPositive().isLessThan(DLT_MAX_MESSAGE_BYTES);
      assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(topic);
    });
    ConsumerRecord<byte[], byte[]> failed = dead.stream()
        .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("big-asset")).findFirst().orElseThrow();
    assertThat(TestSupport.header(failed.headers(), KafkaHeaders.DLT_EXCEPTION_CLASS))
        .isEqualTo(IllegalStateException.class.getName());
    assertThat(TestSupport.header(failed.headers(), KafkaHeaders.DLT_EXCEPTION_MESSAGE))
        .startsWith("cannot handle xxx").hasSizeLessThan(KafkaHeaders.MESSAGE_MAX_CHARS + 100);
    assertThat(TestSupport.header(failed.headers(), KafkaHeaders.DLT_ORIGINAL_OFFSET)).isEqualTo("1");
  }

  /** The job-side dead-letter sink cuts a dead letter bigger than its producer takes. */
  @Test
  void theJobSideSinkStoresAFiveMegabyteDeadLetterCut() throws Exception {
    String dlt = KafkaIts.unique("job-dlt");
    KafkaTopics.ensureTopics(KAFKA.bootstrap(), Map.of(), List.of(TopicSpec.of(dlt, 1, 1)), Duration.ofSeconds(60));
    char[] filler = new char[FIVE_MB];
    Arrays.fill(filler, 'y');
    ReprocessEvent bigEvent = new ReprocessEvent("e1", "job", "big-asset", "image/png", "mem-0", 1, Instant.now(),
        Map.of("blob", new String(filler)));
    try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrap()).topic(dlt)
        .build()) {
      sink.accept(dev.reprocess.DeadLetters.of(bigEvent, new IllegalStateException("boom"), 1, Instant.now()));
    }
    List<ConsumerRecord<byte[], byte[]>> dead = KafkaIts.readAll(KAFKA.bootstrap(), dlt);
    assertThat(dead).hasSize(1);
    assertThat(TestSupport.header(dead.get(0).headers(), KafkaHeaders.DLT_VALUE_TRUNCATED)).isEqualTo("true");
    assertThat(Long.parseLong(TestSupport.header(dead.get(0).headers(), KafkaHeaders.DLT_VALUE_ORIGINAL_SIZE)))
        .isEqualTo(EventJson.toBytes(bigEvent).length);
    assertThat(dead.get(0).value().length).isPositive().isLessThanOrEqualTo(1_048_576);
  }
}
