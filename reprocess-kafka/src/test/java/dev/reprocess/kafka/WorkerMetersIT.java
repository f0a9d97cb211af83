package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.reprocess.MdcKeys;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.RetryOptions;
import dev.reprocess.testkit.TestBackends;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The worker's and the sink's meters against a real Kafka equal the ground truth and the worker's
 * own stats; a handler logs with its event's MDC keys, and what the worker logs on the same thread
 * right after the call has no event key (job and shard stay on the thread until its next call).
 */
class WorkerMetersIT {

  private static final int EVENTS = 600;
  private static final String JOB = "meters-it";
  private static final org.slf4j.Logger handlerLog = LoggerFactory.getLogger("meters-it-handler");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** Takes each event's MDC on the logging thread, as an asynchronous appender would. */
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent e) {
      e.prepareForDeferredProcessing();
      super.append(e);
    }
  };
  private final List<Logger> watched = new ArrayList<>();

  @AfterEach
  void detach() {
    for (Logger l : watched) {
      l.detachAppender(logs);
      l.setLevel(null);
      l.setAdditive(true);
    }
  }

  /** Captures the logger's events at TRACE, off the console. */
  private void watch(String loggerName) {
    Logger l = (Logger) LoggerFactory.getLogger(loggerName);
    l.setLevel(Level.TRACE);
    l.setAdditive(false);
    l.addAppender(logs);
    watched.add(l);
  }

  private double counter(String name, String... tags) {
    Search s = registry.find(name).tags(tags);
    return s.counters().stream().mapToDouble(c -> c.count()).sum()
        + s.functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
  }

  private Double gauge(String name, String group) {
    var g = registry.find(name).tags("group", group).gauge();
    return g == null ? null : g.value();
  }

  @Test
  void metersMatchTheStatsAndTheGroundTruthAndHandlersLogWithTheirEventsMdcKeys() throws Exception {
    String bootstrap = TestBackends.kafka().bootstrapServers();
    String topic = KafkaIts.unique("meters");
    String group = KafkaIts.unique("meters-workers");
    KafkaIts.createTopics(bootstrap, topic, 3);
    logs.start();
    watch("meters-it-handler");
    watch("dev.reprocess.kafka.internal.KeyLanes");
    watch("dev.reprocess.kafka.internal.FailureRouting");

    // Every 10th asset always fails (dead-lettered after 2 attempts), every 10th + 1 fails once.
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    KafkaReprocessWorker worker = KafkaReprocessWorker.builder().bootstrapServers(bootstrap).topic(topic)
        .groupId(group).concurrency(4).commitInterval(Duration.ofMillis(200)).closeTimeout(Duration.ofSeconds(20))
        .retry(RetryOptions.custom().maxAttempts(2).initialBackoff(Duration.ofMillis(1)).jitter(0).build())
        .meterRegistry(registry)
        .handler(event -> {
          int attempt = attempts.merge(event.assetId(), 1, Integer::sum);
          handlerLog.info("handling {} attempt {}", event.assetId(), attempt);
          int i = Integer.parseInt(event.attributes().get("i"));
          if (i % 10 == 0 || (i % 10 == 1 && attempt == 1)) {
            throw new IllegalStateException("asset " + event.assetId() + " is busy");
          }
          return Outcome.SUCCEEDED;
        })
        .build().start();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      publish(bootstrap, topic);
      int deadLetters = EVENTS / 10;

      KafkaIts.awaitCommittedAtEnd(admin, group, Duration.ofMinutes(2), topic);
      await().atMost(Duration.ofMinutes(1)).until(() -> KafkaIts.count(admin, topic + ".dlt") == deadLetters
          && worker.stats().pending() == 0 && Double.valueOf(0).equals(gauge("reprocess.worker.lag", group)));

      WorkerStats stats = worker.stats();
      String[] tags = {"group", group, "topic", topic};
      assertThat(stats.received()).isEqualTo(EVENTS);
      assertThat(stats.succeeded()).isEqualTo(EVENTS - deadLetters);
      assertThat(stats.deadLettered()).isEqualTo(deadLetters);
      assertThat(stats.failedAttempts()).isEqualTo(2L * deadLetters + EVENTS / 10);
      assertThat(counter("reprocess.worker.records.received", tags)).isEqualTo(stats.received());
      assertThat(counter("reprocess.worker.records.succeeded", tags)).isEqualTo(stats.succeeded());
      assertThat(counter("reprocess.worker.records.failed", tags)).isEqualTo(stats.failedAttempts());
      assertThat(counter("reprocess.worker.records.retried", tags))
          .isEqualTo(stats.retriedInPlace() + stats.sentToRetryTopic()).isEqualTo(deadLetters + EVENTS / 10);
      assertThat(counter("reprocess.worker.records.dead_lettered", tags)).isEqualTo(deadLetters);
      assertThat(counter("reprocess.worker.records.poison", tags)).isZero();
      assertThat(counter("reprocess.worker.commits", tags)).isEqualTo(stats.commits()).isPositive();
      assertThat(registry.find("reprocess.worker.handler.latency").tags(tags).timer().count())
          .isEqualTo(stats.succeeded() + stats.failedAttempts());
      assertThat(gauge("reprocess.worker.records.pending", group)).isZero();
      // Kafka's own consumer metrics, bound through KafkaClientMetrics, saw every record.
      assertThat(counter("kafka.consumer.fetch.manager.records.consumed.total",
          "client.id", "reprocess-worker-" + group)).isGreaterThanOrEqualTo(EVENTS);

      assertMdc();
    } finally {
      worker.close();
    }
    assertThat(gauge("reprocess.worker.lag", group)).isNull();
    assertThat(registry.find("kafka.consumer.fetch.manager.records.consumed.total").meters()).isEmpty();
  }

  private void publish(String bootstrap, String topic) {
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(bootstrap).topic(topic)
        .meterRegistry(registry).build()) {
      List<CompletableFuture<Outcome>> stages = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        ReprocessEvent e = new ReprocessEvent("ev-" + i, JOB, String.format("asset-%04d", i), "image/png", "shard-" + i % 4,
            1, Instant.now(), Map.of("i", Integer.toString(i)));
        stages.add(sink.deliver(e).toCompletableFuture());
      }
      sink.flush();
      CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).join();
      assertThat(counter("reprocess.sink.records.sent", "job", JOB, "topic", topic)).isEqualTo(EVENTS);
      assertThat(counter("reprocess.sink.records.failed", "job", JOB, "topic", topic)).isZero();
      assertThat(registry.find("reprocess.sink.send.latency").tags("job", JOB).timer().count()).isEqualTo(EVENTS);
      assertThat(counter("kafka.producer.record.send.total", "client.id", "reprocess-sink-" + topic))
          .isGreaterThanOrEqualTo(EVENTS);
    }
    assertThat(registry.find("kafka.producer.record.send.total").tags("client.id", "reprocess-sink-" + topic)
        .meters()).isEmpty();
  }

  /** Handler logs carry their event's keys; the worker's logs right after the calls, on the same threads, no event key. */
  private void assertMdc() {
    List<ILoggingEvent> handlerLogs = new ArrayList<>();
    List<ILoggingEvent> afterCalls = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      (e.getLoggerName().equals("meters-it-handler") ? handlerLogs : afterCalls).add(e);
    }
    assertThat(handlerLogs).hasSize((int) (EVENTS + EVENTS / 10 * 2));
    for (ILoggingEvent e : handlerLogs) {
      Map<String, String> mdc = e.getMDCPropertyMap();
      String asset = (String) e.getArgumentArray()[0];
      int i = Integer.parseInt(asset.substring("asset-".length()));
      assertThat(mdc).as("MDC of %s", e.getFormattedMessage())
          .containsEntry(MdcKeys.JOB, JOB).containsEntry(MdcKeys.EVENT, "ev-" + i)
          .containsEntry(MdcKeys.SHARD, "shard-" + i % 4);
    }
    // Outcomes, retries and dead letters are logged at TRACE by the handler thread after each call.
    assertThat(afterCalls).hasSizeGreaterThanOrEqualTo(EVENTS);
    assertThat(afterCalls).allSatisfy(e -> {
      Map<String, String> mdc = e.getMDCPropertyMap();
      assertThat(mdc).as("MDC of '%s' on %s", e.getFormattedMessage(), e.getThreadName())
          .doesNotContainKey(MdcKeys.EVENT);
      if (mdc.containsKey(MdcKeys.JOB)) { // a handler thread's last call: this job's
        assertThat(mdc).containsEntry(MdcKeys.JOB, JOB);
      }
    });
  }
}
