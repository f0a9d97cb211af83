package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a real Kafka (which would auto-create topics): a job whose event topic or dead-letter topic
 * does not exist fails before its first event, writes nothing and creates no topic; once the
 * topic exists, a re-run completes.
 */
class PreflightIT {

  private static final List<String> IDS = IntStream.range(0, 200).mapToObj(i -> "asset-" + i).toList();

  @RegisterExtension
  static final KafkaIts.Broker KAFKA = new KafkaIts.Broker();

  @Test
  void aMissingEventTopicFailsTheJobBeforeItsFirstEventAndARerunCompletesOnceItExists() throws Exception {
    String topic = KafkaIts.unique("no-such-events");
    InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
    InMemorySelector selector = InMemorySelector.ofIds(IDS, 4);

    JobReport report = run(topic, selector, checkpoints, deadLetters);

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause().getMessage())
        .contains("cannot be used, so no event was delivered")
        .contains(topic).contains("does not exist").contains(KAFKA.bootstrap());
    assertThat(report.deadLettered()).isZero();
    assertThat(deadLetters.deadLetters()).isEmpty();
    assertThat(checkpoints.load("preflight-events")).isEmpty();
    assertThat(selector.pagesRead()).isZero();
    assertThat(topics()).doesNotContain(topic);

    KafkaIts.createTopics(KAFKA.bootstrap(), topic, 2);
    JobReport rerun = run(topic, selector, checkpoints, deadLetters);

    assertThat(rerun.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(rerun.succeeded()).isEqualTo(IDS.size());
    Set<String> published = KafkaIts.readAll(KAFKA.bootstrap(), topic).stream()
        .map(r -> new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)).collect(Collectors.toSet());
    assertThat(published).containsExactlyInAnyOrderElementsOf(IDS);
  }

  @Test
  void aMissingDeadLetterTopicFailsTheJobBeforeItsFirstEvent() throws Exception {
    String deadLetterTopic = KafkaIts.unique("no-such-dlt");
    InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    AtomicInteger handled = new AtomicInteger();

    JobReport report;
    try (KafkaDeadLetterSink deadLetters = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrap())
        .topic(deadLetterTopic).sendTimeout(Duration.ofSeconds(10)).build()) {
      report = ReprocessJob.builder("preflight-dlt").selector(InMemorySelector.ofIds(IDS, 2))
          .checkpointStore(checkpoints).deadLetterSink(deadLetters)
          .handler(event -> {
            handled.incrementAndGet();
            return Outcome.SUCCEEDED;
          }).build().run();
    }

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause().getMessage())
        .contains("the dead-letter sink kafka topic " + deadLetterTopic)
        .contains("does not exist");
    assertThat(handled).hasValue(0);
    assertThat(checkpoints.load("preflight-dlt")).isEmpty();
    assertThat(topics()).doesNotContain(deadLetterTopic);

    KafkaTopics.ensureTopics(KAFKA.bootstrap(), Map.of(), List.of(TopicSpec.of(deadLetterTopic, 1, 1)),
        Duration.ofSeconds(60));
    try (KafkaDeadLetterSink deadLetters = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrap())
        .topic(deadLetterTopic).sendTimeout(Duration.ofSeconds(10)).build()) {
      JobReport rerun = ReprocessJob.builder("preflight-dlt").selector(InMemorySelector.ofIds(IDS, 2))
          .checkpointStore(checkpoints).deadLetterSink(deadLetters)
          .handler(event -> {
            handled.incrementAndGet();
            return Outcome.SUCCEEDED;
          }).build().run();
      assertThat(rerun.status()).isEqualTo(JobStatus.COMPLETED);
    }
    assertThat(handled).hasValue(IDS.size());
  }

  private static JobReport run(String topic, InMemorySelector selector, InMemoryCheckpointStore checkpoints,
      InMemoryDeadLetterSink deadLetters) {
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(KAFKA.bootstrap()).topic(topic).build()) {
      return ReprocessJob.builder("preflight-events").selector(selector).checkpointStore(checkpoints)
          .deadLetterSink(deadLetters).sink(sink).build().run();
    }
  }

  private static Set<String> topics() throws Exception {
    return KAFKA.admin().listTopics().names().get();
  }
}
