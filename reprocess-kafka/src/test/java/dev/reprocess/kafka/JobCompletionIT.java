package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RetryOptions;
import dev.reprocess.kafka.it.WorkerChild;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testkit.ChildJvm;
import dev.reprocess.testkit.TestBackends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job publishes through a {@link KafkaEventSink}; two workers of one group handle the events, one
 * of them slowly, some events failing once (their next attempt through the retry topic), some
 * always (dead-lettered) and some skipped. {@link KafkaJobCompletion} says not complete before the
 * workers start, and {@code awaitCompletion} returns only once every event is final.
 */
class JobCompletionIT {

  private static final int EVENTS = 400;
  private static final String JOB = "completion-it";

  /** Asset {@code n}: n % 10 == 0 always fails, == 1 fails once, == 2 is skipped, the rest succeed. */
  private static Outcome handle(ReprocessEvent event, Map<String, Integer> attempts, Set<String> finalIds) {
    int n = Integer.parseInt(event.assetId().substring("asset-".length()));
    int attempt = attempts.merge(event.assetId(), 1, Integer::sum);
    if (n % 10 == 0 || (n % 10 == 1 && attempt == 1)) {
      throw new IllegalStateException("asset " + event.assetId() + " is busy");
    }
    finalIds.add(event.assetId());
    return n % 10 == 2 ? Outcome.SKIPPED : Outcome.SUCCEEDED;
  }

  private static List<String> ids() {
    return ids(EVENTS);
  }

  /** {@code asset-00000} to {@code count - 1}. */
  private static List<String> ids(int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(String.format("asset-%05d", i));
    }
    return ids;
  }

  /** The events topic (with its retry and dead-letter topics) and its compacted outcomes topic. */
  private static void createTopics(String bootstrap, String topic, int partitions) {
    KafkaIts.createTopics(bootstrap, topic, partitions);
    KafkaTopics.ensureTopics(bootstrap, Map.of(), List.of(KafkaJobCompletion.outcomesTopicSpec(topic, 1)),
        Duration.ofSeconds(60));
  }

  /** Runs a job publishing the ids through a Kafka sink; returns its report. */
  private static JobReport publish(String bootstrap, String topic, String job, List<String> ids, int pageSize) {
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(bootstrap).topic(topic).build()) {
      return ReprocessJob.builder(job).selector(InMemorySelector.ofIds(ids, 4)).sink(sink).pageSize(pageSize)
          .build().run();
    }
  }

  @Test
  void awaitCompletionReturnsOnlyOnceTheWorkersMadeEveryPublishedEventFinal() {
    String bootstrap = TestBackends.kafka().bootstrapServers();
    String topic = KafkaIts.unique("completion");
    String group = KafkaIts.unique("completion-workers");
    createTopics(bootstrap, topic, 3);

    JobReport published = publish(bootstrap, topic, JOB, ids(), 50);
    assertThat(published.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(published.succeeded()).isEqualTo(EVENTS);

    try (KafkaJobCompletion completion = KafkaJobCompletion.builder().bootstrapServers(bootstrap).topic(topic)
        .groupId(group).job(JOB).pollInterval(Duration.ofMillis(200)).build()) {
      // The job is COMPLETED, but no worker ran: nothing is final.
      CompletionStatus before = completion.status();
      assertThat(before.isComplete()).isFalse();
      assertThat(before.lagByTopic()).containsExactly(Map.entry(topic, (long) EVENTS),
          Map.entry(topic + ".retry", 0L));
      assertThat(before.outcomes()).isEqualTo(new JobOutcomes(JOB, 0, 0, 0, 0, 0));
      assertThatThrownBy(() -> completion.awaitCompletion(Duration.ofMillis(300)))
          .isInstanceOf(CompletionTimeoutException.class)
          .hasMessageContaining("group '" + group + "'")
          .hasMessageContaining(EVENTS + " on '" + topic + "'")
          .hasMessageContaining("0 on '" + topic + ".retry'");

      Map<String, Integer> attempts = new ConcurrentHashMap<>();
      Set<String> finalIds = ConcurrentHashMap.newKeySet();
      RetryOptions retry = RetryOptions.custom().maxAttempts(2).initialBackoff(Duration.ofMillis(50)).jitter(0).build();
      List<KafkaReprocessWorker> workers = new ArrayList<>();
      try {
        for (int w = 1; w <= 2; w++) {
          boolean slow = w == 1;
          workers.add(KafkaReprocessWorker.builder().bootstrapServers(bootstrap).topic(topic).groupId(group)
              .name(group + "-" + w).concurrency(4).retry(retry)
              .maxInPlaceBackoff(Duration.ofMillis(1)) // every retry goes through the retry topic
              .commitInterval(Duration.ofMillis(100))
              .outcomesTopic(topic + KafkaReprocessWorker.OUTCOMES_TOPIC_SUFFIX)
              .handler(event -> {
                if (slow) {
                  TimeUnit.MILLISECONDS.sleep(5);
                }
                return handle(event, attempts, finalIds);
              })
              .build().start());
        }

        CompletionStatus done = completion.awaitCompletion(Duration.ofMinutes(2));

        // Read right when it returned: every event succeeded or was skipped, or its dead letter is on the DLT.
        Set<String> finalNow = new HashSet<>(finalIds);
        Set<String> deadLettered = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaIts.readAll(bootstrap, topic + ".dlt")) {
          deadLettered.add(new String(r.key(), StandardCharsets.UTF_8));
        }
        assertThat(done.isComplete()).isTrue();
        assertThat(done.lag()).isZero();
        assertThat(deadLettered).hasSize(EVENTS / 10).allMatch(id -> id.endsWith("0"));
        Set<String> all = new HashSet<>(finalNow);
        all.addAll(deadLettered);
        assertThat(all).as("every published event final when awaitCompletion returned")
            .isEqualTo(new HashSet<>(ids()));
        // The retry path ran: the events failing once went through the retry topic.
        assertThat(workers.stream().mapToLong(w -> w.stats().sentToRetryTopic()).sum())
            .isEqualTo(EVENTS / 10 + EVENTS / 10);
        assertThat(completion.isComplete()).isTrue();

        // Counts that add up, across both workers: published = succeeded + skipped + dead-lettered.
        JobOutcomes outcomes = done.outcomes();
        // Both workers usually report; one alone may have finished everything before the other got partitions.
        assertThat(outcomes.workers()).isBetween(1, 2);
        assertThat(outcomes.deadLettered()).isEqualTo(EVENTS / 10);
        assertThat(outcomes.skipped()).isEqualTo(EVENTS / 10);
        assertThat(outcomes.succeeded()).isEqualTo(EVENTS - 2 * (EVENTS / 10));
        assertThat(outcomes.deadLetterFailed()).isZero();
        assertThat(outcomes.succeeded() + outcomes.skipped() + outcomes.deadLettered())
            .isEqualTo(outcomes.finished()).isEqualTo(published.succeeded());
      } finally {
        workers.forEach(KafkaReprocessWorker::close);
      }
    }
  }

  /**
   * Three worker processes share the job's events; one is killed (SIGKILL) mid-run. Its partitions
   * move to the others, which resume from its last commit: every event is handled, the ones handled
   * twice are among those the killed worker handled, and completion is reached only once every
   * published event is final. The counts add up to at least the published count, and exceed it by
   * no more than the events handled twice.
   */
  @Test
  void aWorkerKilledMidRunLosesNothingAndCompletionWaitsForEveryEvent(@TempDir Path dir) throws Exception {
    int events = 3_000;
    String bootstrap = TestBackends.kafka().bootstrapServers();
    String topic = KafkaIts.unique("completion-kill");
    String group = KafkaIts.unique("completion-kill-workers");
    createTopics(bootstrap, topic, 6);
    List<String> ids = ids(events);
    JobReport published = publish(bootstrap, topic, "kill-" + topic, ids, 100);
    assertThat(published.succeeded()).isEqualTo(events);

    List<ChildJvm> workers = new ArrayList<>();
    List<Path> outs = new ArrayList<>();
    try (KafkaJobCompletion completion = KafkaJobCompletion.builder().bootstrapServers(bootstrap).topic(topic)
        .groupId(group).job("kill-" + topic).pollInterval(Duration.ofMillis(200)).build()) {
      for (int w = 0; w < 3; w++) {
        Path out = dir.resolve("handled-" + w + ".txt");
        outs.add(out);
        ChildJvm child = ChildJvm.start(WorkerChild.class, List.of("-Xmx128m"),
            List.of(bootstrap, topic, group, group + "-" + w, out.toString(), "20"), dir.resolve("worker-" + w + ".log"));
        workers.add(child);
        child.awaitLine("STARTED", Duration.ofSeconds(60));
      }
      // Kill worker 0 once it has handled some of its share and the job is far from done.
      Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
          .until(() -> ChildJvm.completeLines(outs.get(0)).size() >= 100);
      assertThat(completion.isComplete()).as("completion while events are still unhandled").isFalse();
      workers.get(0).kill();
      Set<String> killedHandled = new HashSet<>(ChildJvm.completeLines(outs.get(0)));
      assertThat(killedHandled.size()).as("the kill came mid-run").isLessThan(events);

      CompletionStatus done = completion.awaitCompletion(Duration.ofMinutes(3));

      List<String> handled = new ArrayList<>();
      outs.forEach(out -> handled.addAll(ChildJvm.completeLines(out)));
      assertThat(new HashSet<>(handled)).as("every event handled when awaitCompletion returned")
          .isEqualTo(new HashSet<>(ids));
      Set<String> seen = new HashSet<>();
      Set<String> twice = new HashSet<>();
      handled.forEach(id -> {
        if (!seen.add(id)) {
          twice.add(id);
        }
      });
      assertThat(killedHandled).as("events handled twice were first handled by the killed worker")
          .containsAll(twice);
      assertThat(done.lag()).isZero();
      JobOutcomes outcomes = done.outcomes();
      assertThat(outcomes.deadLettered()).isZero();
      assertThat(outcomes.succeeded()).isBetween((long) events, (long) events + twice.size());
    } finally {
      workers.forEach(ChildJvm::close);
    }
  }
}
