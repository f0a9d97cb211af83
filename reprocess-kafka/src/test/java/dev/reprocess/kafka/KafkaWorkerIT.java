package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprocess.DeadLetters;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetryOptions;
import dev.reprocess.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink, the worker, dead letters and replay against a real Kafka. */
class KafkaWorkerIT {

  @RegisterExtension
  static final KafkaIts.Broker KAFKA = new KafkaIts.Broker();

  private static List<ReprocessEvent> publish(String topic, String job, int count) {
    return KafkaIts.publish(KAFKA.bootstrap(), topic, job, 0, count);
  }

  private static KafkaReprocessWorker.Builder worker(String topic, String group) {
    return KafkaReprocessWorker.builder().bootstrapServers(KAFKA.bootstrap()).topic(topic).groupId(group)
        .commitInterval(Duration.ofMillis(200)).closeTimeout(Duration.ofSeconds(20))
        .kafkaProperties(Map.of("max.poll.interval.ms", 60_000, "session.timeout.ms", 10_000));
  }

  /**
   * Every asset is handled and every offset committed although a worker leaves mid-run: its
   * partitions go to the two others, which finish them. The events are published once the group
   * has settled, so the worker closed owns partitions with work on them whichever worker is fastest.
   */
  @Test
  void fiftyThousandEventsThroughThreeWorkersOneClosedMidRun() throws Exception {
    String topic = KafkaIts.unique("events");
    String group = KafkaIts.unique("workers");
    KafkaIts.createTopics(KAFKA.bootstrap(), topic, 6);

    Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    AtomicInteger calls = new AtomicInteger();
    List<KafkaReprocessWorker> workers = new ArrayList<>();
    List<ReprocessEvent> events;
    try {
      for (int i = 0; i < 3; i++) {
        workers.add(worker(topic, group).name(group + "-" + i).concurrency(8).handler(event -> {
          handled.computeIfAbsent(event.assetId(), k -> new AtomicInteger()).incrementAndGet();
          calls.incrementAndGet();
          return Outcome.SUCCEEDED;
        }).build().start());
      }
      Map<String, Set<TopicPartition>> before = KafkaIts.awaitSettledAssignment(KAFKA.admin(), group, topic, 3,
          Duration.ofMinutes(2));
      String closedClient = "reprocess-worker-" + group + "-0";
      Set<TopicPartition> handedOver = before.get(closedClient);
      assertThat(handedOver).as("partitions of the worker to close, in %s", before).isNotEmpty();
      events = publish(topic, "fifty-k", 50_000);

      await().atMost(Duration.ofMinutes(3)).until(() -> calls.get() >= 15_000);
      workers.get(0).close(); // mid-run: its partitions move to the two others

      Map<String, Set<TopicPartition>> after = KafkaIts.awaitSettledAssignment(KAFKA.admin(), group, topic, 2,
          Duration.ofMinutes(2));
      assertThat(after).doesNotContainKey(closedClient);
      Set<TopicPartition> takenOver = new HashSet<>();
      after.values().forEach(takenOver::addAll);
      assertThat(takenOver).containsAll(handedOver);

      await().atMost(Duration.ofMinutes(5)).until(() -> handled.size() == 50_000);
      KafkaIts.awaitCommittedAtEnd(KAFKA.admin(), group, Duration.ofMinutes(2), topic);
    } finally {
      workers.forEach(KafkaReprocessWorker::close);
    }
    Set<String> expected = new HashSet<>();
    events.forEach(e -> expected.add(e.assetId()));
    assertThat(handled.keySet()).isEqualTo(expected);
    assertThat(KafkaIts.count(KAFKA.admin(), topic + ".dlt")).isZero();
    long total = workers.stream().mapToLong(w -> w.stats().succeeded()).sum();
    assertThat(total).isGreaterThanOrEqualTo(50_000).isEqualTo(calls.get());
  }

  @Test
  void failingIdsAreDeadLetteredWithEveryHeaderThenReplayedAndSucceed() throws Exception {
    String topic = KafkaIts.unique("events");
    String group = KafkaIts.unique("workers");
    KafkaIts.createTopics(KAFKA.bootstrap(), topic, 3);
    List<ReprocessEvent> events = publish(topic, "one-percent", 5_000);
    Set<String> failing = new HashSet<>();
    for (int i = 0; i < events.size(); i += 100) {
      failing.add(events.get(i).assetId());
    }
    Map<String, ReprocessEvent> byAsset = new ConcurrentHashMap<>();
    events.forEach(e -> byAsset.put(e.assetId(), e));
    ConcurrentHashMap.KeySetView<String, Boolean> succeeded = ConcurrentHashMap.newKeySet();
    AtomicInteger fixed = new AtomicInteger();

    try (KafkaReprocessWorker w = worker(topic, group).concurrency(8)
        .retry(RetryOptions.custom().maxAttempts(2).initialBackoff(Duration.ofMillis(5)).build())
        .handler(event -> {
          if (fixed.get() == 0 && failing.contains(event.assetId())) {
            throw new IllegalStateException("thumbnail service rejected " + event.assetId());
          }
          succeeded.add(event.assetId());
          return Outcome.SUCCEEDED;
        }).build().start()) {

      await().atMost(Duration.ofMinutes(3)).until(() -> succeeded.size() == 5_000 - failing.size()
          && KafkaIts.count(KAFKA.admin(), topic + ".dlt") == failing.size());
      KafkaIts.awaitCommittedAtEnd(KAFKA.admin(), group, Duration.ofSeconds(30), topic);

      // Exactly the failing ids are in the dead-letter topic, each with every header.
      List<ConsumerRecord<byte[], byte[]>> dead = KafkaIts.readAll(KAFKA.bootstrap(), topic + ".dlt");
      Set<String> deadIds = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> r : dead) {
        ReprocessEvent e = EventJson.fromBytes(r.value());
        deadIds.add(e.assetId());
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.assetId());
        assertThat(header(r, KafkaHeaders.DLT_JOB)).isEqualTo("one-percent");
        assertThat(header(r, KafkaHeaders.DLT_EXCEPTION_CLASS)).isEqualTo(IllegalStateException.class.getName());
        assertThat(header(r, KafkaHeaders.DLT_EXCEPTION_MESSAGE)).isEqualTo("thumbnail service rejected " + e.assetId());
        assertThat(header(r, KafkaHeaders.DLT_EXCEPTION_STACKTRACE)).startsWith("java.lang.IllegalStateException")
            .hasSizeLessThanOrEqualTo(KafkaHeaders.STACK_TRACE_MAX_CHARS);
        assertThat(header(r, KafkaHeaders.DLT_ATTEMPTS)).isEqualTo("2");
        assertThat(header(r, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(topic);
        assertThat(Integer.parseInt(header(r, KafkaHeaders.DLT_ORIGINAL_PARTITION))).isBetween(0, 2);
        assertThat(Long.parseLong(header(r, KafkaHeaders.DLT_ORIGINAL_OFFSET))).isNotNegative();
        assertThat(Instant.parse(header(r, KafkaHeaders.DLT_FAILED_AT))).isBefore(Instant.now().plusSeconds(1));
        assertThat(e.eventId()).isEqualTo(byAsset.get(e.assetId()).eventId());
      }
      assertThat(deadIds).isEqualTo(failing);

      // Dead letters of another job, stored by the in-process dead-letter sink: the job filter leaves them.
      try (KafkaDeadLetterSink other = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrap())
          .topic(topic + ".dlt").build()) {
        for (int i = 0; i < 3; i++) {
          ReprocessEvent e = new ReprocessEvent("o-" + i, "other-job", "other-" + i, null, "s", 4, Instant.now(), Map.of());
          other.accept(DeadLetters.of(e, new IllegalStateException("other"), 4, Instant.now()));
        }
      }

      // The fault is fixed: replay this job's dead letters of that exception class.
      fixed.set(1);
      ReplayResult result = DeadLetterReplayer.builder().bootstrapServers(KAFKA.bootstrap())
          .deadLetterTopic(topic + ".dlt").topic(topic)
          .jobs("one-percent").exceptionClasses(IllegalStateException.class.getName())
          .build().replay();
      assertThat(result).isEqualTo(new ReplayResult(failing.size() + 3, failing.size(), 3, 0));

      await().atMost(Duration.ofSeconds(60)).until(() -> succeeded.containsAll(failing));
      KafkaIts.awaitCommittedAtEnd(KAFKA.admin(), group, Duration.ofSeconds(30), topic);
      assertThat(KafkaIts.count(KAFKA.admin(), topic + ".dlt")).as("nothing failed again")
          .isEqualTo(failing.size() + 3);
      assertThat(succeeded).hasSize(5_000);
    }
  }

  @Test
  void poisonRecordsGoToTheDeadLetterTopicAndTheRestIsHandled() throws Exception {
    String topic = KafkaIts.unique("events");
    String group = KafkaIts.unique("workers");
    KafkaIts.createTopics(KAFKA.bootstrap(), topic, 2);
    try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrap(),
        "key.serializer", ByteArraySerializer.class.getName(), "value.serializer", ByteArraySerializer.class.getName()))) {
      raw.send(new ProducerRecord<>(topic, "p1".getBytes(), "<xml>not json</xml>".getBytes())).get();
      raw.send(new ProducerRecord<>(topic, "p2".getBytes(), "{\"eventId\":\"x\"}".getBytes())).get();
      raw.send(new ProducerRecord<>(topic, "p3".getBytes(), null)).get();
    }
    publish(topic, "poison", 100);
    AtomicInteger calls = new AtomicInteger();
    try (KafkaReprocessWorker w = worker(topic, group).handler(e -> {
      calls.incrementAndGet();
      return Outcome.SUCCEEDED;
    }).build().start()) {
      KafkaIts.awaitCommittedAtEnd(KAFKA.admin(), group, Duration.ofSeconds(60), topic);
      await().atMost(Duration.ofSeconds(30)).until(() -> KafkaIts.count(KAFKA.admin(), topic + ".dlt") == 3);
      assertThat(w.stats().poison()).isEqualTo(3);
    }
    assertThat(calls.get()).isEqualTo(100);
    List<ConsumerRecord<byte[], byte[]>> dead = KafkaIts.readAll(KAFKA.bootstrap(), topic + ".dlt");
    assertThat(dead).extracting(r -> new String(r.key())).containsExactlyInAnyOrder("p1", "p2", "p3");
    assertThat(dead).allSatisfy(r -> {
      assertThat(header(r, KafkaHeaders.DLT_ATTEMPTS)).isEqualTo("0");
      assertThat(header(r, KafkaHeaders.DLT_EXCEPTION_CLASS)).isEqualTo(IllegalArgumentException.class.getName());
      assertThat(header(r, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(topic);
    });
    // The replayer leaves what it cannot decode alone.
    ReplayResult result = DeadLetterReplayer.builder().bootstrapServers(KAFKA.bootstrap())
        .deadLetterTopic(topic + ".dlt").topic(topic).build().replay();
    assertThat(result).isEqualTo(new ReplayResult(3, 0, 0, 3));
  }

  @Test
  void longBackoffsTravelThroughTheRetryTopic() throws Exception {
    String topic = KafkaIts.unique("events");
    String group = KafkaIts.unique("workers");
    KafkaIts.createTopics(KAFKA.bootstrap(), topic, 2);
    List<ReprocessEvent> events = publish(topic, "retry-topic", 20);
    Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
    Map<String, Long> firstFailureAt = new ConcurrentHashMap<>();
    Map<String, Long> retriedAt = new ConcurrentHashMap<>();
    try (KafkaReprocessWorker w = worker(topic, group)
        .retry(RetryOptions.custom().maxAttempts(2).initialBackoff(Duration.ofSeconds(1)).jitter(0).build())
        .maxInPlaceBackoff(Duration.ZERO)
        .handler(e -> {
          attempts.computeIfAbsent(e.assetId(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(e.attempt());
          if (e.attempt() == 1 && e.assetId().endsWith("7")) {
            firstFailureAt.put(e.assetId(), System.nanoTime());
            throw new dev.reprocess.RetriableException("try later");
          }
          if (e.attempt() == 2) {
            retriedAt.put(e.assetId(), System.nanoTime());
          }
          return Outcome.SUCCEEDED;
        }).build().start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> retriedAt.size() == 2 && attempts.size() == 20);
      KafkaIts.awaitCommittedAtEnd(KAFKA.admin(), group, Duration.ofSeconds(30), topic, topic + ".retry");
      assertThat(w.stats().sentToRetryTopic()).isEqualTo(2);
    }
    retriedAt.forEach((asset, at) -> assertThat(TimeUnit.NANOSECONDS.toMillis(at - firstFailureAt.get(asset)))
        .as("waited for the not-before time").isGreaterThanOrEqualTo(900));
    assertThat(attempts.get(events.get(7).assetId())).containsExactly(1, 2);
    assertThat(KafkaIts.count(KAFKA.admin(), topic + ".retry")).isEqualTo(2);
    assertThat(KafkaIts.count(KAFKA.admin(), topic + ".dlt")).isZero();
  }

  @Test
  void unreachableBrokersFailWithinABoundedTime() {
    String nowhere = "127.0.0.1:1";
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().bootstrapServers(nowhere).topic("t").groupId("g")
        .handler(e -> Outcome.SUCCEEDED).startupTimeout(Duration.ofSeconds(2)).build().start())
        .isInstanceOf(ReprocessException.class).hasMessageContaining("cannot start").hasMessageContaining(nowhere);
    assertThatThrownBy(() -> KafkaTopics.ensureTopics(nowhere, Map.of(), List.of(TopicSpec.of("t", 1, 1)), Duration.ofSeconds(2)))
        .isInstanceOf(ReprocessException.class).hasMessageContaining("did not answer").hasMessageContaining(nowhere);
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(nowhere).topic("t")
        .readyTimeout(Duration.ofSeconds(2)).maxBlock(Duration.ofSeconds(2)).build()) {
      assertThatThrownBy(() -> sink.deliver(KafkaIts.event("j", "a")).toCompletableFuture().join())
          .cause().isInstanceOf(dev.reprocess.BackendUnavailableException.class).hasMessageContaining("is unavailable")
          .hasMessageContaining(nowhere);
    }
    assertThatThrownBy(() -> DeadLetterReplayer.builder().bootstrapServers(nowhere).deadLetterTopic("t.dlt").topic("t")
        .timeout(Duration.ofSeconds(2)).build().replay())
        .isInstanceOf(ReprocessException.class).hasMessageContaining("t.dlt");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void missingTopicsFailClearly() {
    String topic = KafkaIts.unique("missing");
    assertThatThrownBy(() -> worker(topic, "g").handler(e -> Outcome.SUCCEEDED).startupTimeout(Duration.ofSeconds(10))
        .build().start())
        .isInstanceOf(ReprocessException.class).hasMessageContaining(topic).hasMessageContaining("does not exist");
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(KAFKA.bootstrap()).topic(topic)
        .readyTimeout(Duration.ofSeconds(10)).build()) {
      assertThatThrownBy(() -> sink.deliver(KafkaIts.event("j", "a")).toCompletableFuture().join())
          .cause().isInstanceOf(ReprocessException.class).hasMessageContaining(topic).hasMessageContaining("does not exist");
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return TestSupport.header(r.headers(), name);
  }
}
