package dev.reprocess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class JobRunTest {

  static List<String> ids(int n) {
    return IntStream.range(0, n).mapToObj(i -> "a-" + i).collect(Collectors.toList());
  }

  @Test
  void runsEveryAssetOnceAndCompletesEveryShard() {
    RecordingHandler handler = new RecordingHandler();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JobReport report = ReprocessJob.builder("smoke")
        .selector(InMemorySelector.ofIds(ids(1000), 3))
        .handler(handler)
        .pageSize(7)
        .checkpointStore(store)
        .meterRegistry(registry)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.selected()).isEqualTo(1000);
    assertThat(report.succeeded()).isEqualTo(1000);
    assertThat(handler.handledAssetIds()).hasSize(1000).containsExactlyInAnyOrderElementsOf(ids(1000));
    assertThat(report.shardsCompleted()).isEqualTo(3);
    assertThat(store.load("smoke").values()).allMatch(Checkpoint::completed);
    assertThat(registry.get("reprocess.events.succeeded").tag("job", "smoke").counter().count()).isEqualTo(1000);
  }

  @Test
  void deadLettersExactlyTheFailingIds() {
    Set<String> failing = Set.of("a-3", "a-50", "a-99");
    RecordingHandler handler = new RecordingHandler().failFor(failing);
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    JobReport report = ReprocessJob.builder("dl")
        .selector(InMemorySelector.ofIds(ids(100), 2))
        .handler(handler)
        .pageSize(10)
        .retry(RetryOptions.custom().maxAttempts(3).initialBackoff(Duration.ofMillis(1)).build())
        .deadLetterSink(dls)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(dls.deadLetters()).extracting(d -> d.event().assetId()).containsExactlyInAnyOrderElementsOf(failing);
    assertThat(dls.deadLetters()).allSatisfy(d -> {
      assertThat(d.attempts()).isEqualTo(3);
      assertThat(d.errorClass()).isEqualTo(RetriableException.class.getName());
    });
    assertThat(report.deadLettered()).isEqualTo(3);
    assertThat(report.failed()).isEqualTo(9);
    assertThat(report.retried()).isEqualTo(6);
    assertThat(report.succeeded()).isEqualTo(97);
  }

  @Test
  void adaptiveConcurrencyRunsEveryAssetWithinItsBound() {
    RecordingHandler handler = new RecordingHandler();
    java.util.concurrent.atomic.AtomicInteger maxSeen = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    handler.beforeEach(e -> {
      maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
      running.decrementAndGet();
      return null;
    });
    JobReport report = ReprocessJob.builder("adaptive")
        .selector(InMemorySelector.ofIds(ids(2000), 4))
        .handler(handler)
        .concurrency(8)
        .adaptiveConcurrency(true)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.distinctHandledAssetIds()).hasSize(2000);
    assertThat(maxSeen.get()).isBetween(1, 8);
  }
}
