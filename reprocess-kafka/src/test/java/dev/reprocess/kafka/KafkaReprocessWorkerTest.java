package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprocess.EventHandler;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.RetriableException;
import dev.reprocess.RetryOptions;
import dev.reprocess.internal.Ticker;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.TestSupport.TestConsumer;
import dev.reprocess.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaReprocessWorkerTest {

  private static final String TOPIC = "events";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Instant T0 = Instant.parse("2026-11-30T05:00:00Z");

  private final TestConsumer consumer = new TestConsumer();
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final ManualClock clock = new ManualClock(T0);
  private final List<TopicPartition> eventPartitions = new ArrayList<>();
  private KafkaReprocessWorker worker;

  @AfterEach
  void closeWorker() {
    if (worker != null) {
      worker.close();
    }
  }

  private void start(int partitions, EventHandler handler, UnaryOperator<KafkaReprocessWorker.Builder> options) {
    Map<TopicPartition, Long> beginning = new HashMap<>();
    List<TopicPartition> all = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      TopicPartition events = new TopicPartition(TOPIC, p);
      TopicPartition retry = new TopicPartition(TOPIC + ".retry", p);
      eventPartitions.add(events);
      all.add(events);
      all.add(retry);
      beginning.put(events, 0L);
      beginning.put(retry, 0L);
    }
    consumer.updateBeginningOffsets(beginning);
    KafkaReprocessWorker.Builder b = KafkaReprocessWorker.builder()
        .topic(TOPIC)
        .groupId("g")
        .handler(handler)
        .consumerFactory(() -> consumer)
        .producer(producer)
        .concurrency(4)
        .commitInterval(Duration.ofMillis(5))
        .pollTimeout(Duration.ofMillis(5))
        .closeTimeout(Duration.ofSeconds(5))
        .retry(RetryOptions.custom().maxAttempts(3).initialBackoff(Duration.ofMillis(1)).jitter(0).build())
        .clock(clock);
    worker = options.apply(b).build().start();
    consumer.schedulePollTask(() -> consumer.rebalance(all));
  }

  private void add(ConsumerRecord<byte[], byte[]> record) {
    consumer.schedulePollTask(() -> consumer.addRecord(record));
  }

  /** Adds events for the assets to partition p, from offset 0; returns them. */
  private List<ReprocessEvent> addEvents(int p, List<String> assetIds) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<ReprocessEvent> events = new ArrayList<>();
    for (int i = 0; i < assetIds.size(); i++) {
      ReprocessEvent e = TestSupport.event("backfill", assetIds.get(i));
      events.add(e);
      records.add(TestSupport.record(TOPIC, p, i, e));
    }
    consumer.schedulePollTask(() -> records.forEach(consumer::addRecord));
    return events;
  }

  private long committed(TopicPartition tp) {
    return consumer.commits.getOrDefault(tp, -1L);
  }

  private List<ProducerRecord<byte[], byte[]>> sentTo(String topic) {
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> r : producer.history()) {
      if (r.topic().equals(topic)) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void runsKeysInParallelButEachKeyInOffsetOrder() {
    Map<String, List<Integer>> seenByKey = new ConcurrentHashMap<>();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    start(2, event -> {
      int now = running.incrementAndGet();
      maxRunning.accumulateAndGet(now, Math::max);
      Thread.sleep(1); // a handler doing some I/O
      seenByKey.computeIfAbsent(event.assetId(), k -> Collections.synchronizedList(new ArrayList<>()))
          .add(Integer.parseInt(event.attributes().get("seq")));
      running.decrementAndGet();
      return Outcome.SUCCEEDED;
    }, b -> b);
    // 10 keys, 20 events each, interleaved, spread over 2 partitions by key.
    for (int p = 0; p < 2; p++) {
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      int offset = 0;
      for (int seq = 0; seq < 20; seq++) {
        for (int k = p; k < 10; k += 2) {
          ReprocessEvent e = new ReprocessEvent("e-" + k + "-" + seq, "backfill", "asset-" + k, "t", "s", 1, T0,
              Map.of("seq", Integer.toString(seq)));
          records.add(TestSupport.record(TOPIC, p, offset++, e));
        }
      }
      consumer.schedulePollTask(() -> records.forEach(consumer::addRecord));
    }

    await().atMost(WAIT).until(() -> committed(eventPartitions.get(0)) == 100 && committed(eventPartitions.get(1)) == 100);

    assertThat(seenByKey).hasSize(10);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add(i);
    }
    seenByKey.forEach((key, seqs) -> assertThat(seqs).as(key).isEqualTo(expected));
    assertThat(maxRunning.get()).as("handlers running at once").isGreaterThan(2);
    assertThat(worker.stats().succeeded()).isEqualTo(200);
  }

  @Test
  void commitsOnlyTheContiguousPrefixOfFinalOutcomes() {
    CountDownLatch release = new CountDownLatch(1);
    start(1, event -> {
      if (event.assetId().equals("a2")) {
        release.await();
      }
      return Outcome.SUCCEEDED;
    }, b -> b);
    addEvents(0, List.of("a0", "a1", "a2", "a3", "a4", "a5"));
    TopicPartition tp = eventPartitions.get(0);

    await().atMost(WAIT).until(() -> worker.stats().succeeded() == 5);
    // a3..a5 are done, but a2 is not final: the commit stops before it.
    await().atMost(WAIT).until(() -> committed(tp) == 2);
    await().during(Duration.ofMillis(100)).atMost(WAIT).until(() -> committed(tp) == 2);

    release.countDown();
    await().atMost(WAIT).until(() -> committed(tp) == 6);
  }

  @Test
  void retriesInPlaceWithTheNextAttemptNumber() {
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    start(1, event -> {
      if (event.assetId().equals("flaky")) {
        attempts.add(event.attempt());
        if (event.attempt() < 3) {
          throw new RetriableException("not yet");
        }
      }
      return Outcome.SUCCEEDED;
    }, b -> b);
    addEvents(0, List.of("ok", "flaky", "ok2"));

    await().atMost(WAIT).until(() -> committed(eventPartitions.get(0)) == 3);
    assertThat(attempts).containsExactly(1, 2, 3);
    assertThat(worker.stats().retriedInPlace()).isEqualTo(2);
    assertThat(worker.stats().failedAttempts()).isEqualTo(2);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void exhaustedRetriesGoToTheDeadLetterTopicWithEveryHeader() {
    start(1, event -> {
      if (event.assetId().equals("bad")) {
        throw new IllegalStateException("disk full for " + event.assetId());
      }
      return Outcome.SUCCEEDED;
    }, b -> b);
    List<ReprocessEvent> events = addEvents(0, List.of("ok", "bad", "ok2"));

    await().atMost(WAIT).until(() -> committed(eventPartitions.get(0)) == 3);
    List<ProducerRecord<byte[], byte[]>> dlt = sentTo(TOPIC + ".dlt");
    assertThat(dlt).hasSize(1);
    ProducerRecord<byte[], byte[]> r = dlt.get(0);
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("bad");
    ReprocessEvent dead = EventJson.fromBytes(r.value());
    assertThat(dead.eventId()).isEqualTo(events.get(1).eventId());
    assertThat(dead.attempt()).isEqualTo(3);
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_JOB)).isEqualTo("backfill");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_EXCEPTION_CLASS)).isEqualTo("java.lang.IllegalStateException");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_EXCEPTION_MESSAGE)).isEqualTo("disk full for bad");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_EXCEPTION_STACKTRACE))
        .startsWith("java.lang.IllegalStateException: disk full for bad").contains("KafkaReprocessWorkerTest");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_ATTEMPTS)).isEqualTo("3");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(TOPIC);
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_ORIGINAL_PARTITION)).isEqualTo("0");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_ORIGINAL_OFFSET)).isEqualTo("1");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.DLT_FAILED_AT)).isEqualTo(T0.toString());
    assertThat(worker.stats().deadLettered()).isEqualTo(1);
    assertThat(worker.stats().succeeded()).isEqualTo(2);
  }

  @Test
  void nonRetriableFailuresAreDeadLetteredAfterOneAttempt() {
    AtomicInteger calls = new AtomicInteger();
    start(1, event -> {
      calls.incrementAndGet();
      throw new IllegalArgumentException("asset has no size");
    }, b -> b);
    addEvents(0, List.of("x"));

    await().atMost(WAIT).until(() -> committed(eventPartitions.get(0)) == 1);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(TestSupport.header(sentTo(TOPIC + ".dlt").get(0).headers(), KafkaHeaders.DLT_ATTEMPTS)).isEqualTo("1");
  }

  @Test
  void aFailureWhoseGetMessageThrowsIsStillDeadLetteredWithItsClassName() {
    start(1, event -> {
      throw new IllegalStateException() {
        @Override
        public String getMessage() {
          throw new UnsupportedOperationException("no message for you");
        }
      };
    }, b -> b);
    addEvents(0, List.of("x"));

    await().atMost(WAIT).until(() -> committed(eventPartitions.get(0)) == 1);
    var headers = sentTo(TOPIC + ".dlt").get(0).headers();
    assertThat(TestSupport.header(headers, KafkaHeaders.DLT_EXCEPTION_CLASS)).startsWith(getClass().getName());
    assertThat(TestSupport.header(headers, KafkaHeaders.DLT_EXCEPTION_MESSAGE))
        .contains("getMessage() threw java.lang.UnsupportedOperationException");
    assertThat(worker.failure()).isEmpty();
  }

  @Test
  void poisonRecordsGoStraightToTheDeadLetterTopic() {
    AtomicInteger calls = new AtomicInteger();
    start(1, event -> {
      calls.incrementAndGet();
      return Outcome.SUCCEEDED;
    }, b -> b);
    ConsumerRecord<byte[], byte[]> notJson = new ConsumerRecord<>(TOPIC, 0, 0, "k1".getBytes(StandardCharsets.UTF_8),
        "this is not json".getBytes(StandardCharsets.UTF_8));
    notJson.headers().add(KafkaHeaders.JOB, "backfill".getBytes(StandardCharsets.UTF_8));
    ConsumerRecord<byte[], byte[]> missingFields = new ConsumerRecord<>(TOPIC, 0, 1, "k2".getBytes(StandardCharsets.UTF_8),
        "{\"eventId\":\"e\",\"jobName\":\"backfill\"}".getBytes(StandardCharsets.UTF_8));
    ConsumerRecord<byte[], byte[]> noValue = new ConsumerRecord<>(TOPIC, 0, 2, null, null);
    add(notJson);
    add(missingFields);
    add(noValue);
    add(TestSupport.record(TOPIC, 0, 3, TestSupport.event("backfill", "fine")));

    await().atMost(WAIT).until(() -> committed(eventPartitions.get(0)) == 4);
    assertThat(calls.get()).isEqualTo(1);
    List<ProducerRecord<byte[], byte[]>> dlt = sentTo(TOPIC + ".dlt");
    assertThat(dlt).hasSize(3);
    ProducerRecord<byte[], byte[]> first = dlt.stream().filter(r -> r.key() != null && new String(r.key()).equals("k1")).findFirst().orElseThrow();
    assertThat(new String(first.value(), StandardCharsets.UTF_8)).isEqualTo("this is not json");
    assertThat(TestSupport.header(first.headers(), KafkaHeaders.DLT_EXCEPTION_CLASS)).isEqualTo("java.lang.IllegalArgumentException");
    assertThat(TestSupport.header(first.headers(), KafkaHeaders.DLT_ATTEMPTS)).isEqualTo("0");
    assertThat(TestSupport.header(first.headers(), KafkaHeaders.DLT_JOB)).isEqualTo("backfill");
    assertThat(TestSupport.header(first.headers(), KafkaHeaders.DLT_ORIGINAL_OFFSET)).isEqualTo("0");
    assertThat(worker.stats().poison()).isEqualTo(3);
  }

  @Test
  void aPoisonRecordTooBigToDeadLetterGoesWithItsValueCutAndHeadersSayingSo() {
    AtomicInteger calls = new AtomicInteger();
    start(1, event -> {
      calls.incrementAndGet();
      return Outcome.SUCCEEDED;
    }, b -> b);
    byte[] fiveMegabytes = new byte[5 * 1024 * 1024];
    java.util.Arrays.fill(fiveMegabytes, (byte) 'x');
    add(new ConsumerRecord<>(TOPIC, 0, 0, "big".getBytes(StandardCharsets.UTF_8), fiveMegabytes));
    add(TestSupport.record(TOPIC, 0, 1, TestSupport.event("backfill", "fine")));

    await().atMost(WAIT).until(() -> committed(eventPartitions.get(0)) == 2);
    assertThat(calls.get()).isEqualTo(1);
    ProducerRecord<byte[], byte[]> dead = sentTo(TOPIC + ".dlt").get(0);
    // The host's producer: its max.request.size is unknown, so Kafka's default 1 MB bounds the record.
    assertThat(dead.value().length).isPositive().isLessThan(1_048_576 - 1024);
    assertThat(TestSupport.header(dead.headers(), KafkaHeaders.DLT_VALUE_TRUNCATED)).isEqualTo("true");
    assertThat(TestSupport.header(dead.headers(), KafkaHeaders.DLT_VALUE_ORIGINAL_SIZE)).isEqualTo("5242880");
    assertThat(TestSupport.header(dead.headers(), KafkaHeaders.DLT_ORIGINAL_OFFSET)).isEqualTo("0");
    assertThat(worker.stats().deadLettered()).isEqualTo(1);
  }

  @Test
  void aDeadLetterPublishFailingForANonRetriableReasonIsSkippedAndCountedNotRetriedForever() {
    AtomicInteger calls = new AtomicInteger();
    producer.sendException = new org.apache.kafka.common.errors.TopicAuthorizationException("not allowed on events.dlt");
    start(1, event -> {
      calls.incrementAndGet();
      return Outcome.SUCCEEDED;
    }, b -> b.publishRetryBackoff(Duration.ofMillis(1)));
    add(new ConsumerRecord<>(TOPIC, 0, 0, "k".getBytes(StandardCharsets.UTF_8), "not json".getBytes(StandardCharsets.UTF_8)));
    add(TestSupport.record(TOPIC, 0, 1, TestSupport.event("backfill", "fine")));

    await().atMost(WAIT).until(() -> committed(eventPartitions.get(0)) == 2);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(worker.stats().deadLetterFailed()).isEqualTo(1);
    assertThat(worker.stats().deadLettered()).isZero();
  }

  @Test
  void longBackoffsGoThroughTheRetryTopicWithANotBeforeTime() {
    start(1, event -> {
      if (event.assetId().equals("slow-fix")) {
        throw new RetriableException("backend down");
      }
      return Outcome.SUCCEEDED;
    }, b -> b.retry(RetryOptions.custom().maxAttempts(3).initialBackoff(Duration.ofMinutes(1))
        .maxBackoff(Duration.ofMinutes(10)).jitter(0).build()).maxInPlaceBackoff(Duration.ofSeconds(5)));
    List<ReprocessEvent> events = addEvents(0, List.of("slow-fix", "next"));

    // The failed record is final once the retry topic has it: the partition commits past it.
    await().atMost(WAIT).until(() -> committed(eventPartitions.get(0)) == 2);
    List<ProducerRecord<byte[], byte[]>> retries = sentTo(TOPIC + ".retry");
    assertThat(retries).hasSize(1);
    ProducerRecord<byte[], byte[]> r = retries.get(0);
    assertThat(EventJson.fromBytes(r.value()).attempt()).isEqualTo(2);
    assertThat(EventJson.fromBytes(r.value()).eventId()).isEqualTo(events.get(0).eventId());
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.ATTEMPT)).isEqualTo("2");
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.RETRY_NOT_BEFORE))
        .isEqualTo(Long.toString(T0.plus(Duration.ofMinutes(1)).toEpochMilli()));
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.RETRY_ORIGINAL_TOPIC)).isEqualTo(TOPIC);
    assertThat(TestSupport.header(r.headers(), KafkaHeaders.RETRY_ORIGINAL_OFFSET)).isEqualTo("0");
    assertThat(worker.stats().sentToRetryTopic()).isEqualTo(1);
  }

  @Test
  void retryTopicRecordsWaitUntilDueWithoutHoldingOtherPartitions() {
    List<String> handled = new CopyOnWriteArrayList<>();
    start(1, event -> {
      handled.add(event.assetId() + "#" + event.attempt());
      return Outcome.SUCCEEDED;
    }, b -> b);
    TopicPartition retryTp = new TopicPartition(TOPIC + ".retry", 0);
    ReprocessEvent retried = TestSupport.event("backfill", "later").withAttempt(2);
    ConsumerRecord<byte[], byte[]> retryRecord = TestSupport.record(retryTp.topic(), 0, 0, retried);
    retryRecord.headers().add(KafkaHeaders.RETRY_NOT_BEFORE,
        Long.toString(T0.plusSeconds(30).toEpochMilli()).getBytes(StandardCharsets.UTF_8));
    retryRecord.headers().add(KafkaHeaders.RETRY_ORIGINAL_TOPIC, TOPIC.getBytes(StandardCharsets.UTF_8));
    retryRecord.headers().add(KafkaHeaders.RETRY_ORIGINAL_PARTITION, "0".getBytes(StandardCharsets.UTF_8));
    retryRecord.headers().add(KafkaHeaders.RETRY_ORIGINAL_OFFSET, "7".getBytes(StandardCharsets.UTF_8));
    add(retryRecord);
    addEvents(0, List.of("now"));

    await().atMost(WAIT).until(() -> committed(eventPartitions.get(0)) == 1);
    await().atMost(WAIT).until(() -> consumer.paused().contains(retryTp));
    assertThat(handled).containsExactly("now#1");
    assertThat(consumer.position(retryTp)).as("seeked back to the waiting record").isEqualTo(0);

    clock.advance(Duration.ofSeconds(31));
    await().atMost(WAIT).until(() -> !consumer.paused().contains(retryTp));
    add(retryRecord); // MockConsumer forgets returned records; a broker would serve it again after the seek
    await().atMost(WAIT).until(() -> committed(retryTp) == 1);
    assertThat(handled).containsExactly("now#1", "later#2");
  }

  @Test
  void aHandlerPastItsTimeLimitFailsIsRetriedAndDoesNotStallThePartition() {
    CountDownLatch never = new CountDownLatch(1);
    List<String> attempts = new CopyOnWriteArrayList<>();
    // The time limit, backoffs and commit interval run on this clock: nothing times out unless it moves.
    ManualClock ticks = new ManualClock();
    start(1, event -> {
      if (event.assetId().equals("hangs")) {
        attempts.add(event.attempt() + "@" + Thread.currentThread().getName());
        if (event.attempt() == 1) {
          // Ignores interrupts, like a handler stuck in a non-interruptible call.
          while (never.getCount() > 0) {
            try {
              never.await();
            } catch (InterruptedException ignored) {
              // keep hanging
            }
          }
        }
      }
      return Outcome.SUCCEEDED;
    }, b -> b.handlerTimeout(Duration.ofSeconds(10)).concurrency(2).ticker(Ticker.of(ticks)));
    addEvents(0, List.of("hangs", "b", "c", "d"));

    // The other thread handles the rest of the partition; "hangs" holds its thread while no time passes.
    await().atMost(WAIT).until(() -> attempts.size() == 1 && worker.stats().succeeded() == 3);
    assertThat(worker.stats().timedOut()).isZero();
    ticks.advance(Duration.ofSeconds(11));
    await().atMost(WAIT).until(() -> worker.stats().timedOut() == 1);

    // The retry waits its 1 ms backoff and the commit its interval, on the same clock.
    await().atMost(WAIT).until(() -> {
      ticks.advance(Duration.ofMillis(5));
      return committed(eventPartitions.get(0)) == 4;
    });
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0)).startsWith("1@");
    assertThat(attempts.get(1)).startsWith("2@");
    assertThat(attempts.get(1)).as("a new thread took the hung one's place").isNotEqualTo("2" + attempts.get(0).substring(1));
    assertThat(worker.stats().succeeded()).isEqualTo(4);
    assertThat(worker.stats().failedAttempts()).isEqualTo(1);
    never.countDown();
  }

  @Test
  void pausesPartitionsWhenTooManyRecordsArePendingAndResumesAfter() {
    CountDownLatch release = new CountDownLatch(1);
    start(1, event -> {
      release.await();
      return Outcome.SUCCEEDED;
    }, b -> b.concurrency(2).maxPendingRecords(4));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add("a" + i);
    }
    addEvents(0, ids);
    TopicPartition tp = eventPartitions.get(0);

    await().atMost(WAIT).until(() -> consumer.paused().contains(tp));
    assertThat(worker.stats().pending()).isGreaterThanOrEqualTo(4);
    release.countDown();
    await().atMost(WAIT).until(() -> committed(tp) == 10);
    await().atMost(WAIT).until(() -> !consumer.paused().contains(tp));
  }

  @Test
  void revocationFinishesRunningRecordsCommitsThemAndDropsTheRest() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> handled = new CopyOnWriteArrayList<>();
    start(1, event -> {
      if (event.assetId().equals("long")) {
        started.countDown();
        release.await();
      }
      handled.add(event.assetId());
      return Outcome.SUCCEEDED;
    }, b -> b.concurrency(1));
    // One handler thread: "long" runs, "q1" and "q2" wait in the queue behind it.
    addEvents(0, List.of("long", "q1", "q2"));
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    TopicPartition tp = eventPartitions.get(0);

    CountDownLatch revoked = new CountDownLatch(1);
    consumer.schedulePollTask(() -> {
      consumer.rebalance(List.of());
      revoked.countDown();
    });
    // The revocation waits for "long": release it a little after the rebalance began.
    await().during(Duration.ofMillis(100)).atMost(WAIT).until(() -> revoked.getCount() == 1);
    release.countDown();
    assertThat(revoked.await(20, TimeUnit.SECONDS)).isTrue();

    assertThat(committed(tp)).isEqualTo(1);
    await().atMost(WAIT).until(() -> worker.stats().pending() == 0);
    assertThat(handled).containsExactly("long");
  }

  @Test
  void closeIsGracefulAndIdempotent() {
    start(1, event -> Outcome.SKIPPED, b -> b.commitInterval(Duration.ofHours(1)));
    addEvents(0, List.of("a", "b", "c"));
    await().atMost(WAIT).until(() -> worker.stats().skipped() == 3);
    assertThat(committed(eventPartitions.get(0))).isEqualTo(-1); // no periodic commit yet

    worker.close();
    worker.close();

    assertThat(committed(eventPartitions.get(0))).isEqualTo(3);
    assertThat(consumer.closed()).isTrue();
    assertThat(producer.closed()).as("the host's producer stays open").isFalse();
    assertThat(worker.isRunning()).isFalse();
    assertThatThrownBy(worker::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closingAWorkerThatNeverStartedIsHarmless() {
    KafkaReprocessWorker w = KafkaReprocessWorker.builder().topic(TOPIC).groupId("g")
        .handler(e -> Outcome.SUCCEEDED).bootstrapServers("127.0.0.1:1").build();
    w.close();
    w.close();
    assertThat(w.isRunning()).isFalse();
  }

  @Test
  void buildRejectsBadOptionsNamingThem() {
    EventHandler h = e -> Outcome.SUCCEEDED;
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().groupId("g").handler(h).bootstrapServers("h:1").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("topic is 'null'");
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").handler(h).bootstrapServers("h:1").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("groupId is 'null'");
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").groupId("g").bootstrapServers("h:1").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("handler is null");
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").groupId("g").handler(h).bootstrapServers("h:1")
        .concurrency(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("concurrency is 0");
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").groupId("g").handler(h).bootstrapServers("h:1")
        .concurrency(8).maxPendingRecords(4).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxPendingRecords is 4");
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").groupId("g").handler(h).bootstrapServers("h:1")
        .handlerTimeout(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("handlerTimeout is PT-0.001S");
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").groupId("g").handler(h).bootstrapServers("h:1")
        .deadLetterTopic("t").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("three different topics");
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").groupId("g").handler(h).bootstrapServers("h:1")
        .closeTimeout(Duration.ofMinutes(10)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("closeTimeout is PT10M")
        .hasMessageContaining("max.poll.interval.ms");
    // A revocation waits for the handlers, then commits (and with an outcomes topic, publishes the
    // counts in between), each step up to closeTimeout, all inside poll (5 min by default).
    assertThat(KafkaReprocessWorker.builder().topic("t").groupId("g").handler(h).bootstrapServers("h:1")
        .closeTimeout(Duration.ofMinutes(2)).build()).isNotNull();
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").groupId("g").handler(h).bootstrapServers("h:1")
        .closeTimeout(Duration.ofMinutes(2)).outcomesTopic("t.outcomes").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("closeTimeout is PT2M: 3 x closeTimeout must be below max.poll.interval.ms (300000 ms)");
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").groupId("g").handler(h).bootstrapServers("h:1")
        .closeTimeout(Duration.ofSeconds(150)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("closeTimeout is PT2M30S: 2 x closeTimeout");
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").groupId("g").handler(h).bootstrapServers("h:1")
        .kafkaProperties(Map.of("enable.auto.commit", "true")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("enable.auto.commit is 'true'");
    assertThatThrownBy(() -> KafkaReprocessWorker.builder().topic("t").groupId("g").handler(h).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bootstrapServers is 'null'");
  }
}
