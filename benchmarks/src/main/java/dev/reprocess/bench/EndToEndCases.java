package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.JobReport;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessJob;
import dev.reprocess.kafka.KafkaEventSink;
import dev.reprocess.kafka.KafkaReprocessWorker;
import dev.reprocess.kafka.TopicSpec;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Case 5: a whole {@link ReprocessJob} over the Cassandra table with the job's default options
 * (4 shards in parallel; pages of {@code --page-size}, 500 by default) and a no-op handler, first delivered directly (16 events in
 * flight, the handler default; a new job over the whole table as many times as fit in {@code --min-seconds}, each timed
 * from its build to its report, as the keyset loop reads the table), then through a {@link KafkaEventSink} to a {@link
 * KafkaReprocessWorker} with a no-op handler (timed from the job's start to the worker's last
 * event; {@value KafkaEventSink#DEFAULT_JOB_CONCURRENCY} events in flight, the Kafka sink's
 * default, and the worker's defaults). The baseline is the plain
 * driver keyset loop reading the same table with 4 threads, in the same rounds: the ratio says how
 * much of the bare selection speed survives the whole pipeline. The job through Kafka is also
 * compared with a plain pipeline (the keyset loop feeding a plain producer, a plain consumer
 * decoding the same records, timed to the last one), issue 18's baseline for it.
 */
final class EndToEndCases {
  private static final String KAFKA_VARIANT = "job -> Kafka -> worker";
  private static final String PLAIN_PIPELINE = "plain pipeline: keyset loop -> producer -> consumer";
  /** Issue 18: a job with a no-op handler against selection alone with the same threads. */
  private static final double DIRECT_GOAL = 0.8;
  /**
   * Diagnostic (REPROCESS_BENCH_DIRECT_ONLY set): only selection alone and the direct job, without
   * the rounds through Kafka, for quicker and quieter comparisons of the direct job.
   */
  private static final boolean DIRECT_ONLY = System.getenv("REPROCESS_BENCH_DIRECT_ONLY") != null;
  /**
   * Diagnostic (REPROCESS_BENCH_DIRECT_VARIANTS set): the direct job also with the handler latency
   * timer denied by a meter filter, and with concurrency 4 and 1, in the same rounds (their rows are
   * on stderr, with their CPU per id): what those cost the default job.
   */
  private static final boolean DIRECT_VARIANTS = System.getenv("REPROCESS_BENCH_DIRECT_VARIANTS") != null;
  /** Issue 18: the job through Kafka against the plain pipeline, both to the last event handled. */
  private static final double KAFKA_GOAL = 0.7;

  private EndToEndCases() {}

  /**
   * Runs the case; {@code serverCpu}, when not null (the harness started Cassandra), adds the
   * server's CPU per id of selection alone and of the direct job to their client CPU rows.
   */
  static void run(Options o, CqlSession session, CassandraData.Table table, String bootstrap, LongSupplier serverCpu,
      Results results) throws Exception {
    CassandraReads reads = new CassandraReads(session, table, o.pageSize);
    long expected = table.assets();
    String prefix = "bench-e2e-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> topics = new ArrayList<>();
    Rounds rounds = new Rounds("e2e").serverCpu(serverCpu);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      AtomicInteger directRuns = new AtomicInteger();
      Rounds.Block direct = rounds.block()
          .add("plain keyset loop, 4 shards", r -> Reads.repeated((long) (o.minSeconds * 1e9),
              "plain keyset loop", expected, () -> reads.plainKeysetAll(4)))
          .add("job -> direct no-op handler", r -> Reads.repeated((long) (o.minSeconds * 1e9),
              "job -> direct handler", expected, () -> directJob(prefix + "-direct-" + r + "-"
                  + directRuns.incrementAndGet(), reads, o.pageSize, o.jobConcurrency, false, expected)));
      if (DIRECT_VARIANTS) {
        direct.add("job, latency timer denied", r -> Reads.repeated((long) (o.minSeconds * 1e9),
            "job, latency timer denied", expected, () -> directJob(prefix + "-notimer-" + r + "-"
                + directRuns.incrementAndGet(), reads, o.pageSize, o.jobConcurrency, true, expected)));
        for (int concurrency : new int[] {4, 1}) {
          String v = "job, concurrency " + concurrency;
          direct.add(v, r -> Reads.repeated((long) (o.minSeconds * 1e9), v, expected, () -> directJob(prefix + "-c"
              + concurrency + "-" + r + "-" + directRuns.incrementAndGet(), reads, o.pageSize, concurrency, false,
              expected)));
        }
      }
      if (!DIRECT_ONLY) {
        Rounds.Block kafka = rounds.block();
        kafka.add(PLAIN_PIPELINE, r -> {
          String topic = prefix + "-plain-" + r;
          KafkaCases.create(admin, topics, List.of(TopicSpec.of(topic, o.kafkaPartitions, 1)));
          try {
            return plainPipeline(bootstrap, topic, reads, expected);
          } finally {
            KafkaCases.delete(admin, topics);
          }
        });
        kafka.add(KAFKA_VARIANT, r -> {
          String topic = prefix + "-" + r;
          KafkaCases.create(admin, topics, List.of(TopicSpec.of(topic, o.kafkaPartitions, 1),
              TopicSpec.of(topic + KafkaReprocessWorker.RETRY_TOPIC_SUFFIX, o.kafkaPartitions, 1),
              TopicSpec.of(topic + KafkaReprocessWorker.DEAD_LETTER_TOPIC_SUFFIX, 1, 1)));
          try {
            return throughKafka(o, bootstrap, topic, prefix + "-kafka-" + r, reads, expected);
          } finally {
            KafkaCases.delete(admin, topics);
          }
        });
      }
      rounds.run(o.warmups, o.runs);
    }
    String c = String.format("5. End to end, %,d assets from Cassandra, job defaults%s%s", expected,
        o.jobConcurrency == 0 ? "" : ", direct job concurrency " + o.jobConcurrency, KafkaCases.settings(o));
    results.addRate(c, "plain driver keyset loop, 4 shards, selection only (baseline)", rounds,
        "plain keyset loop, 4 shards", "ids/s", 1.0, null);
    results.addRate(c, "Cassandra -> ReprocessJob -> direct no-op handler", rounds, "job -> direct no-op handler",
        "events/s", rounds.ratio("job -> direct no-op handler", "plain keyset loop, 4 shards"), DIRECT_GOAL);
    // Where the direct job's time goes on a machine whose cores the server shares: CPU per id.
    results.addCpu(c, "plain keyset loop, 4 shards", rounds, "id", "");
    results.addCpu(c, "job -> direct no-op handler", rounds, "id", "");
    if (DIRECT_ONLY) {
      return;
    }
    results.addRate(c, "plain pipeline: the keyset loop, 4 threads -> KafkaProducer -> KafkaConsumer decoding"
        + " (baseline of the job through Kafka); ratio to selection alone", rounds, PLAIN_PIPELINE, "events/s",
        rounds.ratio(PLAIN_PIPELINE, "plain keyset loop, 4 shards"), null);
    results.addRate(c, "Cassandra -> ReprocessJob -> KafkaEventSink -> KafkaReprocessWorker, no-op; ratio to the"
        + " plain pipeline", rounds, KAFKA_VARIANT, "events/s", rounds.ratio(KAFKA_VARIANT, PLAIN_PIPELINE), KAFKA_GOAL);
    results.addRate(c, "Cassandra -> ReprocessJob -> KafkaEventSink -> KafkaReprocessWorker, no-op; ratio to"
        + " selection alone", rounds, KAFKA_VARIANT, "events/s",
        rounds.ratio(KAFKA_VARIANT, "plain keyset loop, 4 shards"), null);
  }

  /**
   * One direct job over the whole table with a no-op handler counting its calls; its events
   * succeeded. {@code concurrency} 0: the job's default; {@code denyLatencyTimer}: a meter filter
   * denies {@code reprocess.handler.latency}, so recording it costs nothing.
   */
  private static long directJob(String name, CassandraReads reads, int pageSize, int concurrency,
      boolean denyLatencyTimer, long expected) {
    LongAdder handled = new LongAdder();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    if (denyLatencyTimer) {
      registry.config().meterFilter(MeterFilter.denyNameStartsWith("reprocess.handler.latency"));
    }
    ReprocessJob.Builder job = ReprocessJob.builder(name)
        .selector(reads.selector())
        .pageSize(pageSize)
        .handler(e -> {
          handled.increment();
          return Outcome.SUCCEEDED;
        })
        .meterRegistry(registry);
    if (concurrency > 0) {
      job.concurrency(concurrency);
    }
    JobReport report = job.build().run().throwIfFailed();
    Reads.check(name + " (handler calls)", handled.sum(), expected);
    return report.succeeded();
  }

  /**
   * What a host writes without the library: the keyset loop on 4 threads, each id made into an
   * event (as the engine makes it) and sent by one producer, and a consumer in a new group decoding
   * every record; timed from the start to the last record decoded.
   */
  private static double plainPipeline(String bootstrap, String topic, CassandraReads reads, long expected)
      throws Exception {
    ExecutorService consumer = Executors.newSingleThreadExecutor();
    AtomicLong failed = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaCases.plainProducerConfig(bootstrap))) {
      long t0 = System.nanoTime();
      Future<Double> consumed = consumer.submit(() -> KafkaCases.plainConsumer(bootstrap, topic, expected, true, t0));
      long read = reads.plainKeysetAll(4, id -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String eventId = new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
            (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L).toString();
        ReprocessEvent e = new ReprocessEvent(eventId, "plain", id.toString(), "image/png", "plain", 1,
            Instant.now(), Map.of());
        producer.send(KafkaCases.record(topic, e), (m, x) -> {
          if (x != null) {
            failed.incrementAndGet();
          }
        });
      });
      producer.flush();
      Reads.check("plain pipeline (ids read)", read, expected);
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " plain sends failed");
      }
      return consumed.get(10, TimeUnit.MINUTES);
    } finally {
      consumer.shutdownNow();
    }
  }

  private static double throughKafka(Options o, String bootstrap, String topic, String jobName,
      CassandraReads reads, long expected) throws Exception {
    int pageSize = o.pageSize;
    LongAdder handled = new LongAdder();
    try (KafkaReprocessWorker worker = KafkaCases.workerBuilder(o, bootstrap, topic)
        .groupId(jobName + "-workers")
        .handler(e -> {
          handled.increment();
          return Outcome.SUCCEEDED;
        }).build().start();
        KafkaEventSink sink = KafkaCases.sinkBuilder(o, bootstrap, topic).build()) {
      long t0 = System.nanoTime();
      ReprocessJob.Builder job = ReprocessJob.builder(jobName)
          .selector(reads.selector())
          .pageSize(pageSize)
          .sink(sink)
          .meterRegistry(new SimpleMeterRegistry());
      if (o.sinkJobConcurrency > 0) {
        job.concurrency(o.sinkJobConcurrency);
      }
      JobReport report = job.build().run().throwIfFailed();
      Reads.check("job -> Kafka sink", report.succeeded(), expected);
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (worker.stats().succeeded() < expected) {
        if (worker.failure().isPresent()) {
          throw new IllegalStateException("worker failed", worker.failure().get());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("worker handled " + worker.stats().succeeded() + " of " + expected);
        }
        LockSupport.parkNanos(200_000);
      }
      double rate = expected / Stats.seconds(t0);
      Reads.check("job -> Kafka -> worker (handler calls)", handled.sum(), expected);
      return rate;
    }
  }
}
