package dev.reprocess.kafka.bench;

import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.json.EventJson;
import dev.reprocess.kafka.KafkaEventSink;
import dev.reprocess.kafka.KafkaReprocessWorker;
import dev.reprocess.kafka.KafkaTopics;
import dev.reprocess.kafka.TopicSpec;
import dev.reprocess.testkit.KafkaServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Prints events per second of {@link KafkaEventSink} against a plain {@link KafkaProducer} loop
 * (same producer settings, same record size and headers), and of {@link KafkaReprocessWorker}
 * with a no-op handler against a plain {@link KafkaConsumer} loop (same consumer settings), in one
 * JVM, alternating, after a warm-up, as medians of several runs.
 *
 * <p>Run (from the repository root, after {@code mvn -pl reprocess-kafka test-compile}):
 *
 * <pre>
 * mvn -B -q -pl reprocess-kafka exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.reprocess.kafka.bench.KafkaBenchmark -Dexec.args="--events 200000 --runs 5"
 * </pre>
 *
 * Options: {@code --bootstrap host:port} to use a running broker (default: start one with the
 * testkit under {@code target/bench-kafka}), {@code --events N} per run (default 200000), {@code
 * --runs N} measured runs (default 5), {@code --warmups N} runs first (default 2), {@code --partitions N} (default 6),
 * {@code --concurrency N} worker handler threads (default 16).
 */
public final class KafkaBenchmark {

  private KafkaBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int events = Integer.parseInt(opts.getOrDefault("events", "200000"));
    int runs = Integer.parseInt(opts.getOrDefault("runs", "5"));
    int partitions = Integer.parseInt(opts.getOrDefault("partitions", "6"));
    int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "16"));
    int warmups = Integer.parseInt(opts.getOrDefault("warmups", "2"));
    KafkaServer server = null;
    String bootstrap = opts.get("bootstrap");
    if (bootstrap == null) {
      server = KafkaServer.builder().baseDirectory(Path.of("target", "bench-kafka")).start();
      bootstrap = server.bootstrapServers();
    }
    try {
      run(bootstrap, events, warmups, runs, partitions, concurrency);
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private static void run(String bootstrap, int events, int warmups, int runs, int partitions, int concurrency) throws Exception {
    String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 6);
    List<ReprocessEvent> sample = events(prefix, events);
    int recordSize = EventJson.toBytes(sample.get(0)).length;
    System.out.printf("Kafka benchmark: %d events of ~%d B per run, %d partitions, %d measured runs after %d warm-up runs, bootstrap %s%n",
        events, recordSize, partitions, runs, warmups, bootstrap);

    // Producer side: each writes to its own topic, same settings.
    List<Double> sinkRates = new ArrayList<>();
    List<Double> plainProducerRates = new ArrayList<>();
    List<Double> plainEncodeRates = new ArrayList<>();
    List<Double> sinkRatios = new ArrayList<>();
    List<Double> sinkEncodeRatios = new ArrayList<>();
    for (int r = 1 - warmups; r <= runs; r++) {
      String sinkTopic = prefix + "-sink-" + (r + warmups);
      String plainTopic = prefix + "-plain-" + (r + warmups);
      String encodeTopic = prefix + "-encode-" + (r + warmups);
      KafkaTopics.ensureTopics(bootstrap, Map.of(), List.of(TopicSpec.of(sinkTopic, partitions, 1),
          TopicSpec.of(plainTopic, partitions, 1), TopicSpec.of(encodeTopic, partitions, 1)), Duration.ofSeconds(60));
      double plain;
      double encode;
      double sink;
      if (Math.floorMod(r, 2) == 0) {
        plain = plainProducer(bootstrap, plainTopic, sample, false);
        encode = plainProducer(bootstrap, encodeTopic, sample, true);
        sink = sink(bootstrap, sinkTopic, sample);
      } else {
        sink = sink(bootstrap, sinkTopic, sample);
        encode = plainProducer(bootstrap, encodeTopic, sample, true);
        plain = plainProducer(bootstrap, plainTopic, sample, false);
      }
      System.out.printf("  %s run %d: sink %,.0f events/s, plain producer %,.0f records/s (ratio %.2f),"
          + " plain producer + JSON encode %,.0f (ratio %.2f)%n",
          r <= 0 ? "warm-up" : "measured", r, sink, plain, sink / plain, encode, sink / encode);
      if (r > 0) {
        sinkRates.add(sink);
        plainProducerRates.add(plain);
        plainEncodeRates.add(encode);
        sinkRatios.add(sink / plain);
        sinkEncodeRatios.add(sink / encode);
      }
    }

    // Consumer side: one topic filled once, read by a new group per run.
    String source = prefix + "-source";
    KafkaTopics.ensureTopics(bootstrap, Map.of(), List.of(TopicSpec.of(source, partitions, 1),
        TopicSpec.of(source + ".retry", partitions, 1), TopicSpec.of(source + ".dlt", 1, 1)), Duration.ofSeconds(60));
    sink(bootstrap, source, sample);
    List<Double> workerRates = new ArrayList<>();
    List<Double> plainConsumerRates = new ArrayList<>();
    List<Double> plainDecodeRates = new ArrayList<>();
    List<Double> workerRatios = new ArrayList<>();
    List<Double> workerDecodeRatios = new ArrayList<>();
    for (int r = 1 - warmups; r <= runs; r++) {
      double worker;
      double plain;
      double decode;
      if (Math.floorMod(r, 2) == 0) {
        plain = plainConsumer(bootstrap, source, events, false);
        decode = plainConsumer(bootstrap, source, events, true);
        worker = worker(bootstrap, source, events, concurrency);
      } else {
        worker = worker(bootstrap, source, events, concurrency);
        decode = plainConsumer(bootstrap, source, events, true);
        plain = plainConsumer(bootstrap, source, events, false);
      }
      System.out.printf("  %s run %d: worker %,.0f events/s, plain consumer %,.0f records/s (ratio %.2f), plain consumer + JSON decode %,.0f (ratio %.2f)%n",
          r <= 0 ? "warm-up" : "measured", r, worker, plain, worker / plain, decode, worker / decode);
      if (r > 0) {
        workerRates.add(worker);
        plainConsumerRates.add(plain);
        plainDecodeRates.add(decode);
        workerRatios.add(worker / plain);
        workerDecodeRatios.add(worker / decode);
      }
    }
    System.out.printf("MEDIANS over %d measured runs (ratio = median of the per-run paired ratios):%n", runs);
    System.out.printf("  sink            %,10.0f events/s | plain producer                %,10.0f records/s | ratio %.2f (goal >= 0.90)%n",
        median(sinkRates), median(plainProducerRates), median(sinkRatios));
    System.out.printf("  sink            %,10.0f events/s | plain producer + JSON encode  %,10.0f records/s | ratio %.2f%n",
        median(sinkRates), median(plainEncodeRates), median(sinkEncodeRatios));
    System.out.printf("  worker (no-op)  %,10.0f events/s | plain consumer                %,10.0f records/s | ratio %.2f (goal >= 0.80)%n",
        median(workerRates), median(plainConsumerRates), median(workerRatios));
    System.out.printf("  worker (no-op)  %,10.0f events/s | plain consumer + JSON decode  %,10.0f records/s | ratio %.2f%n",
        median(workerRates), median(plainDecodeRates), median(workerDecodeRatios));
  }

  private static List<ReprocessEvent> events(String prefix, int count) {
    List<ReprocessEvent> out = new ArrayList<>(count);
    Instant now = Instant.now();
    for (int i = 0; i < count; i++) {
      out.add(new ReprocessEvent(UUID.randomUUID().toString(), "bench", UUID.randomUUID().toString(), "image/png",
          "image/png#2026-11-30", 1, now, Map.of("size", Integer.toString(1000 + i % 9000))));
    }
    return out;
  }

  private static Map<String, Object> producerConfig(String bootstrap) {
    // What KafkaEventSink sets on its own producer: idempotent, acks=all, byte arrays, max.block.ms 30 s.
    return Map.of("bootstrap.servers", bootstrap, "acks", "all", "enable.idempotence", true,
        "key.serializer", ByteArraySerializer.class.getName(), "value.serializer", ByteArraySerializer.class.getName(),
        "max.block.ms", 30_000L);
  }

  /** The sink as the engine drives it: deliver every event, keep the stages, flush, check every stage. */
  private static double sink(String bootstrap, String topic, List<ReprocessEvent> events) {
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(bootstrap).topic(topic).build()) {
      sink.deliver(events.get(0)).toCompletableFuture().join(); // topic check and connection, outside the timing
      long t0 = System.nanoTime();
      CompletableFuture<?>[] stages = new CompletableFuture<?>[events.size() - 1];
      for (int i = 1; i < events.size(); i++) {
        stages[i - 1] = sink.deliver(events.get(i)).toCompletableFuture();
      }
      sink.flush();
      CompletableFuture.allOf(stages).join();
      return (events.size() - 1) / seconds(t0);
    }
  }

  /**
   * The same records (key, JSON value, the three headers) sent by a plain loop with a callback:
   * pre-built, or built in the loop with the same JSON encoding when {@code encode}.
   */
  private static double plainProducer(String bootstrap, String topic, List<ReprocessEvent> events, boolean encode) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.size());
    if (!encode) {
      for (ReprocessEvent e : events) {
        records.add(record(topic, e));
      }
    }
    AtomicLong failed = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap))) {
      producer.send(record(topic, events.get(0)), (m, e) -> { }).get();
      long t0 = System.nanoTime();
      for (int i = 1; i < events.size(); i++) {
        producer.send(encode ? record(topic, events.get(i)) : records.get(i), (m, e) -> {
          if (e != null) {
            failed.incrementAndGet();
          }
        });
      }
      producer.flush();
      double rate = (events.size() - 1) / seconds(t0);
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " plain sends failed");
      }
      return rate;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, ReprocessEvent e) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("reprocess.job", e.jobName().getBytes(StandardCharsets.UTF_8));
    headers.add("reprocess.attempt", "1".getBytes(StandardCharsets.UTF_8));
    headers.add("reprocess.event.id", e.eventId().getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(topic, null, e.assetId().getBytes(StandardCharsets.UTF_8), EventJson.toBytes(e), headers);
  }

  /** A new group reads the topic: timed from the first record to the last. */
  private static double plainConsumer(String bootstrap, String topic, int expected, boolean decode) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrap);
    config.put("group.id", "plain-" + UUID.randomUUID());
    config.put("enable.auto.commit", false);
    config.put("auto.offset.reset", "earliest");
    config.put("key.deserializer", ByteArrayDeserializer.class.getName());
    config.put("value.deserializer", ByteArrayDeserializer.class.getName());
    config.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    long count = 0;
    long t0 = 0;
    long sink = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      while (count < expected) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty() && t0 == 0) {
          t0 = System.nanoTime();
        }
        for (var r : records) {
          if (decode) {
            sink += EventJson.fromBytes(r.value()).attempt();
          } else {
            sink += r.value().length;
          }
          count++;
        }
        if (!records.isEmpty()) {
          consumer.commitAsync();
        }
      }
      consumer.commitSync();
    }
    if (sink == 42) {
      System.out.print("");
    }
    return count / seconds(t0);
  }

  /** A worker with a no-op handler in a new group: timed from the first handled event to the last. */
  private static double worker(String bootstrap, String topic, int expected, int concurrency) {
    AtomicLong first = new AtomicLong();
    AtomicLong handled = new AtomicLong();
    try (KafkaReprocessWorker worker = KafkaReprocessWorker.builder().bootstrapServers(bootstrap).topic(topic)
        .groupId("worker-" + UUID.randomUUID()).concurrency(concurrency)
        .handler(e -> {
          if (handled.getAndIncrement() == 0) {
            first.set(System.nanoTime());
          }
          return Outcome.SUCCEEDED;
        }).build().start()) {
      while (worker.stats().succeeded() < expected) {
        LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
      }
      long end = System.nanoTime();
      return expected / ((end - first.get()) / 1e9);
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
