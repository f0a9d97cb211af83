package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.JobReport;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.kafka.KafkaEventSink;
import dev.reprocess.kafka.KafkaReprocessWorker;
import dev.reprocess.kafka.TopicSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;

/**
 * Case 5: a whole {@link ReprocessJob} over the Cassandra table with the job's default options
 * (4 shards in parallel; pages of {@code --page-size}, 500 by default) and a no-op handler, first delivered directly (16 events in
 * flight, the handler default), then through a {@link KafkaEventSink} to a {@link
 * KafkaReprocessWorker} with a no-op handler (timed from the job's start to the worker's last
 * event; {@value KafkaEventSink#DEFAULT_JOB_CONCURRENCY} events in flight, the Kafka sink's
 * default, and the worker's defaults). The baseline is the plain
 * driver keyset loop reading the same table with 4 threads, in the same rounds: the ratio says how
 * much of the bare selection speed survives the whole pipeline.
 */
final class EndToEndCases {
  private static final String KAFKA_VARIANT = "job -> Kafka -> worker";

  private EndToEndCases() {}

  static void run(Options o, CqlSession session, CassandraData.Table table, String bootstrap, Results results)
      throws Exception {
    CassandraReads reads = new CassandraReads(session, table, o.pageSize);
    long expected = table.assets();
    String prefix = "bench-e2e-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> topics = new ArrayList<>();
    Rounds rounds = new Rounds("e2e");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      rounds.add("plain keyset loop, 4 shards", r -> Reads.repeated((long) (o.minSeconds * 1e9),
          "plain keyset loop", expected, () -> reads.plainKeysetAll(4)));
      rounds.add("job -> direct no-op handler", r -> {
        LongAdder handled = new LongAdder();
        long t0 = System.nanoTime();
        JobReport report = ReprocessJob.builder(prefix + "-direct-" + r)
            .selector(reads.selector())
            .pageSize(o.pageSize)
            .handler(e -> {
              handled.increment();
              return Outcome.SUCCEEDED;
            })
            .meterRegistry(new SimpleMeterRegistry())
            .build()
            .run()
            .throwIfFailed();
        double rate = expected / Stats.seconds(t0);
        Reads.check("job -> direct handler", report.succeeded(), expected);
        Reads.check("job -> direct handler (handler calls)", handled.sum(), expected);
        return rate;
      });
      rounds.add(KAFKA_VARIANT, r -> {
        String topic = prefix + "-" + r;
        KafkaCases.create(admin, topics, List.of(TopicSpec.of(topic, o.kafkaPartitions, 1),
            TopicSpec.of(topic + KafkaReprocessWorker.RETRY_TOPIC_SUFFIX, o.kafkaPartitions, 1),
            TopicSpec.of(topic + KafkaReprocessWorker.DEAD_LETTER_TOPIC_SUFFIX, 1, 1)));
        try {
          return throughKafka(bootstrap, topic, prefix + "-kafka-" + r, reads, expected, o.pageSize);
        } finally {
          KafkaCases.delete(admin, topics);
        }
      });
      rounds.run(o.warmups, o.runs);
    }
    String c = String.format("5. End to end, %,d assets from Cassandra, job defaults", expected);
    results.addRate(c, "plain driver keyset loop, 4 shards, selection only (baseline)", rounds,
        "plain keyset loop, 4 shards", "ids/s", 1.0, null);
    results.addRate(c, "Cassandra -> ReprocessJob -> direct no-op handler", rounds, "job -> direct no-op handler",
        "events/s",
        rounds.ratio("job -> direct no-op handler", "plain keyset loop, 4 shards"), null);
    results.addRate(c, "Cassandra -> ReprocessJob -> KafkaEventSink -> KafkaReprocessWorker, no-op", rounds,
        KAFKA_VARIANT, "events/s",
        rounds.ratio(KAFKA_VARIANT, "plain keyset loop, 4 shards"), null);
  }

  private static double throughKafka(String bootstrap, String topic, String jobName, CassandraReads reads,
      long expected, int pageSize) throws Exception {
    LongAdder handled = new LongAdder();
    try (KafkaReprocessWorker worker = KafkaReprocessWorker.builder().bootstrapServers(bootstrap).topic(topic)
        .groupId(jobName + "-workers")
        .handler(e -> {
          handled.increment();
          return Outcome.SUCCEEDED;
        }).build().start();
        KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(bootstrap).topic(topic).build()) {
      long t0 = System.nanoTime();
      JobReport report = ReprocessJob.builder(jobName)
          .selector(reads.selector())
          .pageSize(pageSize)
          .sink(sink)
          .meterRegistry(new SimpleMeterRegistry())
          .build()
          .run()
          .throwIfFailed();
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
