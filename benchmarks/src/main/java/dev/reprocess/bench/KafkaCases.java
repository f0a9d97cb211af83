package dev.reprocess.bench;

import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.KafkaEventSink;
import dev.reprocess.kafka.KafkaHeaders;
import dev.reprocess.kafka.KafkaReprocessWorker;
import dev.reprocess.kafka.KafkaTopics;
import dev.reprocess.kafka.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Case 3: {@link KafkaEventSink} against a plain {@link KafkaProducer} loop with the settings the
 * sink uses (idempotent, {@code acks=all}, byte arrays, defaults otherwise) and the same records
 * (key = asset id, JSON value, the three event headers), each serialising the event inside the
 * timed loop; and {@link KafkaReprocessWorker} with a no-op handler against a plain {@link
 * KafkaConsumer} loop (new group, earliest, manual async commits), reading the same topic, timed
 * from the first record (or event) to the last, so group joins are not counted. Each consuming
 * variant reads the whole topic, with a new group each time, until its timed reading adds up to
 * {@code --min-seconds} (5 s by default), as a Cassandra variant reads its table.
 *
 * <p>With {@code --extra}, also the plain producer loop sending records built before the timed loop
 * (what the send alone costs). {@code --worker-concurrency} sets the measured worker's handler threads.
 */
final class KafkaCases {
  static final double SINK_GOAL = 0.9;
  static final double WORKER_GOAL = 0.8;
  static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);
  private static final String PREBUILT = "plain KafkaProducer loop, records pre-built";

  private KafkaCases() {}

  static void run(Options o, String bootstrap, Results results) throws Exception {
    String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    List<ReprocessEvent> events = events(o.kafkaEvents);
    int recordSize = EventJson.toBytes(events.get(0)).length;
    List<String> topics = new ArrayList<>();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Rounds producing = new Rounds("kafka");
      producing.block()
          .add("KafkaEventSink", r -> onNewTopic(admin, topics, prefix + "-sink-" + r, o.kafkaPartitions,
              topic -> sink(o, bootstrap, topic, events)))
          .add("plain KafkaProducer loop", r -> onNewTopic(admin, topics, prefix + "-plain-" + r,
              o.kafkaPartitions, topic -> plainProducer(bootstrap, topic, events, false)));
      if (o.extra) {
        producing.add(PREBUILT, r -> onNewTopic(admin, topics, prefix + "-prebuilt-" + r, o.kafkaPartitions,
            topic -> plainProducer(bootstrap, topic, events, true)));
      }
      producing.run(o.warmups, o.runs);
      delete(admin, topics);

      String source = prefix + "-source";
      create(admin, topics, List.of(TopicSpec.of(source, o.kafkaPartitions, 1),
          TopicSpec.of(source + KafkaReprocessWorker.RETRY_TOPIC_SUFFIX, o.kafkaPartitions, 1),
          TopicSpec.of(source + KafkaReprocessWorker.DEAD_LETTER_TOPIC_SUFFIX, 1, 1)));
      sink(o, bootstrap, source, events);
      int total = events.size(); // sink() keeps the first event out of the timing, but sends it too
      Rounds consuming = new Rounds("kafka");
      long minNanos = (long) (o.minSeconds * 1e9);
      // The worker in the middle, next to both loops it is compared with.
      consuming.block()
          .add("plain KafkaConsumer loop + JSON decode",
              r -> Reads.repeatedTimed(minNanos, total, () -> plainConsumerNanos(bootstrap, source, total, true, 0)))
          .add("KafkaReprocessWorker, no-op handler",
              r -> Reads.repeatedTimed(minNanos, total, () -> workerNanos(o, bootstrap, source, total)))
          .add("plain KafkaConsumer loop",
              r -> Reads.repeatedTimed(minNanos, total, () -> plainConsumerNanos(bootstrap, source, total, false, 0)));
      consuming.run(o.warmups, o.runs);
      delete(admin, topics);

      String c = String.format("3. Kafka, %,d events of %d B, %d partitions%s", o.kafkaEvents, recordSize,
          o.kafkaPartitions, settings(o));
      results.addRate(c, "plain KafkaProducer loop (baseline)", producing, "plain KafkaProducer loop", "events/s", 1.0,
          null);
      results.addRate(c, "KafkaEventSink", producing, "KafkaEventSink", "events/s",
          producing.ratio("KafkaEventSink", "plain KafkaProducer loop"), SINK_GOAL);
      if (o.extra) {
        results.addRate(c, PREBUILT + " (extra)", producing, PREBUILT, "events/s",
            producing.ratio(PREBUILT, "plain KafkaProducer loop"), null);
      }
      // Issue 18's goal compares the worker with a loop that decodes the same records; the loop that
      // does not decode is reported too.
      String worker = "KafkaReprocessWorker, no-op handler";
      String decoding = "plain KafkaConsumer loop + JSON decode";
      String workerFigure = worker + ", " + (o.workerConcurrency == 0
          ? "worker defaults (concurrency " + KafkaReprocessWorker.DEFAULT_CONCURRENCY + ")"
          : "concurrency " + o.workerConcurrency + ", other worker defaults");
      results.addRate(c, "plain KafkaConsumer loop, records not decoded (baseline)", consuming,
          "plain KafkaConsumer loop", "events/s", 1.0, null);
      results.addRate(c, decoding + " (EventJson.fromBytes); ratio to the loop that does not decode", consuming,
          decoding, "events/s", consuming.ratio(decoding, "plain KafkaConsumer loop"), null);
      results.addRate(c, workerFigure + "; ratio to the loop that decodes", consuming, worker, "events/s",
          consuming.ratio(worker, decoding), WORKER_GOAL);
      results.addRate(c, workerFigure + "; ratio to the loop that does not decode", consuming, worker, "events/s",
          consuming.ratio(worker, "plain KafkaConsumer loop"), null);
    }
  }

  /** A producing variant: writes to the topic it is given and returns its rate. */
  @FunctionalInterface
  private interface Producing {
    double run(String topic) throws Exception;
  }

  /** Creates a topic of its own for one run of a producing variant, then runs it there. */
  private static double onNewTopic(Admin admin, List<String> created, String topic, int partitions,
      Producing variant) throws Exception {
    create(admin, created, List.of(TopicSpec.of(topic, partitions, 1)));
    return variant.run(topic);
  }

  static void create(Admin admin, List<String> created, List<TopicSpec> specs) {
    KafkaTopics.ensureTopics(admin, specs, TOPIC_TIMEOUT);
    specs.forEach(s -> created.add(s.name()));
  }

  static void delete(Admin admin, List<String> topics) {
    if (topics.isEmpty()) {
      return;
    }
    try {
      admin.deleteTopics(topics).all().get();
    } catch (Exception e) {
      Log.info("deleting topics %s failed: %s", topics, e);
    }
    topics.clear();
  }

  static List<ReprocessEvent> events(int count) {
    List<ReprocessEvent> out = new ArrayList<>(count);
    Instant now = Instant.now();
    for (int i = 0; i < count; i++) {
      out.add(new ReprocessEvent(UUID.randomUUID().toString(), "bench-kafka", UUID.randomUUID().toString(),
          "image/png", "image/png#2024-06-01", 1, now, Map.of()));
    }
    return out;
  }

  /** The sink as the engine drives it: deliver every event, keep the stages, flush, wait for every stage. */
  static double sink(Options o, String bootstrap, String topic, List<ReprocessEvent> events) {
    try (KafkaEventSink sink = sinkBuilder(o, bootstrap, topic).build()) {
      sink.deliver(events.get(0)).toCompletableFuture().join(); // topic check and connection, not timed
      long t0 = System.nanoTime();
      CompletableFuture<?>[] stages = new CompletableFuture<?>[events.size() - 1];
      for (int i = 1; i < events.size(); i++) {
        stages[i - 1] = sink.deliver(events.get(i)).toCompletableFuture();
      }
      sink.flush();
      CompletableFuture.allOf(stages).join();
      return (events.size() - 1) / Stats.seconds(t0);
    }
  }

  /**
   * What a host writes without the library: serialise, send with a callback, flush, check the
   * callbacks; with {@code prebuilt}, the records are serialised before the timed loop.
   */
  static double plainProducer(String bootstrap, String topic, List<ReprocessEvent> events, boolean prebuilt)
      throws Exception {
    Map<String, Object> config = plainProducerConfig(bootstrap);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(prebuilt ? events.size() : 0);
    if (prebuilt) {
      events.forEach(e -> records.add(record(topic, e)));
    }
    AtomicLong failed = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      producer.send(record(topic, events.get(0))).get(); // connection, not timed
      long t0 = System.nanoTime();
      for (int i = 1; i < events.size(); i++) {
        producer.send(prebuilt ? records.get(i) : record(topic, events.get(i)), (m, e) -> {
          if (e != null) {
            failed.incrementAndGet();
          }
        });
      }
      producer.flush();
      double rate = (events.size() - 1) / Stats.seconds(t0);
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " plain sends failed");
      }
      return rate;
    }
  }

  /** A plain producer's settings: the client's defaults, with acks=all and idempotence as the sink has. */
  /** The measured sink's builder, with the {@code --sink-property} settings. */
  static KafkaEventSink.Builder sinkBuilder(Options o, String bootstrap, String topic) {
    return KafkaEventSink.builder().bootstrapServers(bootstrap).kafkaProperties(o.sinkProperties).topic(topic);
  }

  /** The measured worker's builder, with the {@code --worker-property} settings. */
  static KafkaReprocessWorker.Builder workerBuilder(Options o, String bootstrap, String topic) {
    return KafkaReprocessWorker.builder().bootstrapServers(bootstrap).kafkaProperties(o.workerProperties)
        .topic(topic);
  }

  /** The case title's note of the {@code --sink-property} and {@code --worker-property} settings, if any. */
  static String settings(Options o) {
    return (o.sinkJobConcurrency == 0 ? "" : ", job concurrency " + o.sinkJobConcurrency)
        + (o.sinkProperties.isEmpty() ? "" : ", sink " + o.sinkProperties)
        + (o.workerProperties.isEmpty() ? "" : ", worker " + o.workerProperties);
  }

  static Map<String, Object> plainProducerConfig(String bootstrap) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrap);
    config.put("acks", "all");
    config.put("enable.idempotence", true);
    config.put("max.block.ms", 30_000);
    config.put("key.serializer", ByteArraySerializer.class.getName());
    config.put("value.serializer", ByteArraySerializer.class.getName());
    return config;
  }

  static ProducerRecord<byte[], byte[]> record(String topic, ReprocessEvent e) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(KafkaHeaders.JOB, e.jobName().getBytes(StandardCharsets.UTF_8));
    headers.add(KafkaHeaders.ATTEMPT, Integer.toString(e.attempt()).getBytes(StandardCharsets.UTF_8));
    headers.add(KafkaHeaders.EVENT_ID, e.eventId().getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(topic, null, e.assetId().getBytes(StandardCharsets.UTF_8), EventJson.toBytes(e), headers);
  }

  /**
   * A new group reads the whole topic; its rate timed from {@code startNanos} (a {@link
   * System#nanoTime()}; 0 for the first record) to the last record.
   */
  static double plainConsumer(String bootstrap, String topic, long expected, boolean decode, long startNanos) {
    return expected / (plainConsumerNanos(bootstrap, topic, expected, decode, startNanos) / 1e9);
  }

  /**
   * A new group reads the whole topic ({@code expected} records, checked); returns the nanoseconds
   * from {@code startNanos} (a {@link System#nanoTime()}; 0 for the first record) to the last record.
   */
  static long plainConsumerNanos(String bootstrap, String topic, long expected, boolean decode, long startNanos) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrap);
    config.put("group.id", "plain-" + UUID.randomUUID());
    config.put("enable.auto.commit", false);
    config.put("auto.offset.reset", "earliest");
    config.put("key.deserializer", ByteArrayDeserializer.class.getName());
    config.put("value.deserializer", ByteArrayDeserializer.class.getName());
    config.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    long count = 0;
    long t0 = startNanos;
    long sum = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      while (count < expected) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("plain consumer read " + count + " of " + expected + " records in 10 minutes");
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty() && t0 == 0) {
          t0 = System.nanoTime();
        }
        for (var r : records) {
          sum += decode ? EventJson.fromBytes(r.value()).attempt() : r.value().length;
          count++;
        }
        if (!records.isEmpty()) {
          consumer.commitAsync();
        }
      }
      long nanos = System.nanoTime() - t0;
      consumer.commitSync();
      return sum == 42 ? nanos + 1 : nanos;
    }
  }

  /**
   * A worker with a no-op handler in a new group, {@code concurrency} handler threads (0: the
   * worker's default), handles the whole topic; returns the nanoseconds from the first handled event
   * to the last.
   */
  static long workerNanos(Options o, String bootstrap, String topic, int expected) {
    int concurrency = o.workerConcurrency;
    AtomicLong first = new AtomicLong();
    AtomicLong handled = new AtomicLong();
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    KafkaReprocessWorker.Builder builder = workerBuilder(o, bootstrap, topic)
        .groupId("bench-worker-" + UUID.randomUUID())
        .handler(e -> {
          if (handled.getAndIncrement() == 0) {
            first.set(System.nanoTime());
          }
          return Outcome.SUCCEEDED;
        });
    if (concurrency > 0) {
      builder.concurrency(concurrency);
    }
    try (KafkaReprocessWorker worker = builder.build().start()) {
      while (worker.stats().succeeded() < expected) {
        if (worker.failure().isPresent()) {
          throw new IllegalStateException("worker failed", worker.failure().get());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("worker handled " + worker.stats().succeeded() + " of " + expected
              + " events in 10 minutes");
        }
        LockSupport.parkNanos(200_000);
      }
      return System.nanoTime() - first.get();
    }
  }
}
