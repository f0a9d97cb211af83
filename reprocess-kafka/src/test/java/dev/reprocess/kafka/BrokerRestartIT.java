package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reprocess.JobExecution;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RetryOptions;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testkit.KafkaServer;
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
 * A whole job through Kafka while the broker is stopped and started again: it gets its own broker
 * (a {@link KafkaServer} started here, not the shared one), since restarting the shared one would
 * disturb other tests.
 */
class BrokerRestartIT {

  @Test
  void theJobCompletesAndNothingIsLostWhenTheBrokerRestartsMidRun() throws Exception {
    int count = 8_000;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(String.format("asset-%06d", i));
    }
    String topic = KafkaIts.unique("events");
    String group = KafkaIts.unique("workers");
    ConcurrentHashMap.KeySetView<String, Boolean> handled = ConcurrentHashMap.newKeySet();
    InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();

    try (KafkaServer server = KafkaServer.builder().baseDirectory(Path.of("target", "restart-it")).start()) {
      String bootstrap = server.bootstrapServers();
      KafkaIts.createTopics(bootstrap, topic, 4);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
          KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(bootstrap).topic(topic).build();
          KafkaReprocessWorker worker = KafkaReprocessWorker.builder().bootstrapServers(bootstrap).topic(topic)
              .groupId(group).commitInterval(Duration.ofMillis(200)).concurrency(8)
              .handler(e -> {
                handled.add(e.assetId());
                return Outcome.SUCCEEDED;
              }).build().start()) {
        ReprocessJob job = ReprocessJob.builder("restart-" + topic)
            .selector(InMemorySelector.ofIds(ids, 4))
            .sink(sink)
            .pageSize(200)
            .maxEventsPerSecond(1_000) // at least 8 s of publishing, so the restart lands mid-run
            .retry(RetryOptions.custom().maxAttempts(10).initialBackoff(Duration.ofMillis(200))
                .maxBackoff(Duration.ofSeconds(5)).build())
            .deadLetterSink(deadLetters)
            .build();
        JobExecution execution = job.start();
        await().atMost(Duration.ofMinutes(3)).until(() -> handled.size() >= count / 5);

        server.restart();
        assertThat(execution.isDone()).as("the broker restarted while the job was running").isFalse();

        JobReport report = execution.await(Duration.ofMinutes(5));
        assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.COMPLETED);
        assertThat(report.succeeded()).isEqualTo(count);
        assertThat(report.deadLettered()).isZero();
        assertThat(deadLetters.deadLetters()).isEmpty();

        await().atMost(Duration.ofMinutes(3)).until(() -> handled.size() == count);
        KafkaIts.awaitCommittedAtEnd(admin, group, Duration.ofSeconds(60), topic);
        assertThat(KafkaIts.count(admin, topic)).as("every event published (duplicates allowed)").isGreaterThanOrEqualTo(count);
      }
    }
    assertThat(new HashSet<>(handled)).isEqualTo(new HashSet<>(ids));
  }
}
