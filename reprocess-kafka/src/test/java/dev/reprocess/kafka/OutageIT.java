package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprocess.Checkpoint;
import dev.reprocess.JobExecution;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testkit.KafkaServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * A Kafka sink whose brokers are unreachable, or whose topic is missing: the job waits within its
 * outage budget and never dead-letters or checkpoints an event it could not deliver; a missing
 * topic fails the job in its preflight, before the first event.
 */
class OutageIT {

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(String.format("asset-%06d", i));
    }
    return ids;
  }

  /** Issue 15's smallest case: before, COMPLETED with 2,000 dead-lettered and every shard checkpointed. */
  @Test
  void unreachableBrokersFailTheJobAfterItsOutageBudgetWithNothingDeadLetteredOrCheckpointed() {
    InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers("127.0.0.1:1").topic("events")
        .readyTimeout(Duration.ofSeconds(2)).maxBlock(Duration.ofSeconds(2)).build()) {
      JobReport report = ReprocessJob.builder("unreachable")
          .selector(InMemorySelector.ofIds(ids(2_000), 4))
          .sink(sink)
          .deadLetterSink(deadLetters)
          .checkpointStore(store)
          .outageBudget(Duration.ofSeconds(6))
          .build()
          .run();
      assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.FAILED);
      assertThat(report.failure()).get().asString().contains("outage budget", "127.0.0.1:1");
      assertThat(report.deadLettered()).isZero();
      assertThat(deadLetters.deadLetters()).isEmpty();
      assertThat(store.load("unreachable").values()).noneMatch(Checkpoint::completed);
    }
  }

  @Test
  void aJobStartedWhileTheBrokerIsDownWaitsAndDeliversEveryAssetOnceItIsBack() throws Exception {
    int count = 3_000;
    List<String> ids = ids(count);
    String topic = KafkaIts.unique("events");
    ConcurrentHashMap.KeySetView<String, Boolean> handled = ConcurrentHashMap.newKeySet();
    InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
    // The broker and its topic exist, then the broker is stopped (its data kept) before the job starts.
    Path data = Path.of("target", "outage-it-" + topic);
    int port = freePort();
    int controllerPort = freePort();
    try (KafkaServer first = server(data, port, controllerPort)) {
      KafkaIts.createTopics(first.bootstrapServers(), topic, 4);
    }
    String bootstrap = "127.0.0.1:" + port;
    assertThat(answers(port)).as("the broker is down when the job starts").isFalse();
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(bootstrap).topic(topic)
        .readyTimeout(Duration.ofSeconds(3)).maxBlock(Duration.ofSeconds(3)).build()) {
      JobExecution execution = ReprocessJob.builder("down-at-start-" + topic)
          .selector(InMemorySelector.ofIds(ids, 4))
          .sink(sink)
          .deadLetterSink(deadLetters)
          .build()
          .start();
      // Waiting, not failing: nothing delivered, nothing dead-lettered, the job still running.
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.failed() > 0 || execution.progress().elapsed().toSeconds() >= 5);
      assertThat(execution.isDone()).isFalse();
      assertThat(execution.progress().deadLettered()).isZero();
      try (KafkaServer again = server(data, port, controllerPort)) {
        JobReport report = execution.await(Duration.ofMinutes(5));
        assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.COMPLETED);
        assertThat(report.succeeded()).isEqualTo(count);
        assertThat(report.deadLettered()).isZero();
        assertThat(deadLetters.deadLetters()).isEmpty();
        try (KafkaReprocessWorker worker = KafkaReprocessWorker.builder().bootstrapServers(bootstrap).topic(topic)
            .groupId(KafkaIts.unique("workers")).handler(e -> {
              handled.add(e.assetId());
              return Outcome.SUCCEEDED;
            }).build().start()) {
          await().atMost(Duration.ofMinutes(3)).until(() -> handled.size() == count);
        }
      }
    }
    assertThat(new HashSet<>(handled)).isEqualTo(new HashSet<>(ids));
  }

  @Test
  void aMissingTopicFailsThePreflightBeforeTheFirstEventAndACorrectRerunCompletes() throws Exception {
    String topic = KafkaIts.unique("missing");
    String bootstrap = dev.reprocess.testkit.TestBackends.kafka().bootstrapServers();
    InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    String job = "missing-topic-" + topic;
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(bootstrap).topic(topic).build()) {
      JobReport report = ReprocessJob.builder(job).selector(InMemorySelector.ofIds(ids(500), 2))
          .sink(sink).deadLetterSink(deadLetters).checkpointStore(store).build().run();
      assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.FAILED);
      assertThat(report.failure()).get().asString().contains("cannot be used, so no event was delivered", topic, "does not exist");
      assertThat(report.selected()).isZero();
      assertThat(deadLetters.deadLetters()).isEmpty();
      assertThat(store.load(job)).isEmpty();
    }
    KafkaIts.createTopics(bootstrap, topic, 2);
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(bootstrap).topic(topic).build();
        Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      JobReport report = ReprocessJob.builder(job).selector(InMemorySelector.ofIds(ids(500), 2))
          .sink(sink).deadLetterSink(deadLetters).checkpointStore(store).build().run();
      assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.COMPLETED);
      assertThat(report.succeeded()).isEqualTo(500);
      assertThat(KafkaIts.count(admin, topic)).isGreaterThanOrEqualTo(500);
    }
  }

  private static KafkaServer server(Path data, int port, int controllerPort) {
    return KafkaServer.builder().directory(data).keepData(true).port(port).controllerPort(controllerPort).start();
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean answers(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
