package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.Checkpoint;
import dev.reprocess.DeadLetter;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Kafka sink whose every record the topic rejects for good (each event is bigger than the
 * topic's {@code max.message.bytes}, so every send fails with {@code RecordTooLargeException}):
 * issue 19's "a job whose events all fail for the same non-retriable reason". Before, the job
 * dead-lettered every event and checkpointed every shard COMPLETED; now it stops after {@code
 * stopAfterSameFailures} (default 100) dead letters, naming the reason, and a re-run once the topic
 * takes the records delivers the rest.
 */
class SameFailuresIT {

  private static final int ASSETS = 2_000;
  private static final int CONCURRENCY = 20;
  /** Smaller than any event record (its JSON alone is a few hundred bytes). */
  private static final String TINY_MAX_MESSAGE_BYTES = "100";

  @RegisterExtension
  static final KafkaIts.Broker KAFKA = new KafkaIts.Broker();

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(String.format("asset-%06d", i));
    }
    return ids;
  }

  private static String topicTakingNothing(String prefix) {
    String topic = KafkaIts.unique(prefix);
    KafkaTopics.ensureTopics(KAFKA.bootstrap(), Map.of(), List.of(new TopicSpec(topic, 2, (short) 1,
        Map.of("max.message.bytes", TINY_MAX_MESSAGE_BYTES))), Duration.ofSeconds(60));
    return topic;
  }

  private static JobReport run(String job, String topic, int assets, InMemoryDeadLetterSink deadLetters,
      InMemoryCheckpointStore store, Long stopAfterSameFailures) {
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(KAFKA.bootstrap()).topic(topic).build()) {
      ReprocessJob.Builder builder = ReprocessJob.builder(job)
          .selector(InMemorySelector.ofIds(ids(assets), 4))
          .sink(sink)
          .pageSize(50)
          .concurrency(CONCURRENCY)
          .deadLetterSink(deadLetters)
          .checkpointStore(store);
      if (stopAfterSameFailures != null) {
        builder.stopAfterSameFailures(stopAfterSameFailures);
      }
      return builder.build().run();
    }
  }

  @Test
  void everyRecordRejectedStopsTheJobAfterAHundredDeadLettersAndACorrectRerunCompletes() throws Exception {
    String topic = topicTakingNothing("too-small");
    String job = "same-failures-" + topic;
    InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();

    JobReport stopped = run(job, topic, ASSETS, deadLetters, store, null);

    assertThat(stopped.status()).as(stopped.toString()).isEqualTo(JobStatus.FAILED);
    assertThat(stopped.failure()).get().asString().contains(
        "events in a row were dead-lettered for the same reason, "
            + "org.apache.kafka.common.errors.RecordTooLargeException: \"",
        "stopAfterSameFailures is 100", "Fix the cause and run the job again");
    // The 100th dead letter stops the job; the events in flight then (at most `concurrency`) end too.
    assertThat(deadLetters.deadLetters()).hasSizeBetween(100, 100 + CONCURRENCY);
    assertThat(deadLetters.deadLetters()).allSatisfy(d ->
        assertThat(d.errorMessage()).contains("RecordTooLargeException"));
    assertThat(stopped.succeeded()).isZero();
    assertThat(store.load(job).values()).noneMatch(Checkpoint::completed);
    assertThat(KafkaIts.count(KAFKA.admin(), topic)).isZero();

    // The topic fixed, the same job resumes from its checkpoints and delivers every asset that was not dead-lettered.
    KAFKA.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
        new AlterConfigOp(new ConfigEntry("max.message.bytes", "1048588"), AlterConfigOp.OpType.SET))))
        .all().get();
    JobReport rerun = run(job, topic, ASSETS, new InMemoryDeadLetterSink(), store, null);

    assertThat(rerun.status()).as(rerun.toString()).isEqualTo(JobStatus.COMPLETED);
    assertThat(rerun.deadLettered()).isZero();
    assertThat(store.load(job).values()).hasSize(4).allMatch(Checkpoint::completed);
    Set<String> delivered = new HashSet<>();
    KafkaIts.readAll(KAFKA.bootstrap(), topic).forEach(r -> delivered.add(new String(r.key(), StandardCharsets.UTF_8)));
    Set<String> deadLettered = new HashSet<>();
    for (DeadLetter d : deadLetters.deadLetters()) {
      deadLettered.add(d.event().assetId());
    }
    Set<String> everyAsset = new HashSet<>(delivered);
    everyAsset.addAll(deadLettered);
    assertThat(everyAsset).as("each asset delivered or dead-lettered").isEqualTo(new HashSet<>(ids(ASSETS)));
  }

  /** The behaviour before stopAfterSameFailures, kept with 0: every event dead-lettered, every shard COMPLETED. */
  @Test
  void withTheCheckOffEveryEventIsDeadLetteredAndEveryShardCompleted() throws Exception {
    String topic = topicTakingNothing("too-small-off");
    String job = "same-failures-off-" + topic;
    InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();

    // Fewer assets: each event fails three attempts (the default retries) before it is dead-lettered.
    int assets = 400;
    JobReport report = run(job, topic, assets, deadLetters, store, 0L);

    assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.deadLettered()).isEqualTo(assets);
    assertThat(deadLetters.deadLetters()).hasSize(assets);
    assertThat(store.load(job).values()).hasSize(4).allMatch(Checkpoint::completed);
    assertThat(KafkaIts.count(KAFKA.admin(), topic)).isZero();
  }
}
