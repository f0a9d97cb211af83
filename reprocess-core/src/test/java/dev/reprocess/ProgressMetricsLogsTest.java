package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static dev.reprocess.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.ManualClock;
import dev.reprocess.testing.RecordingHandler;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ProgressMetricsLogsTest {

  @Test
  void progressShowsCountsRateAndEtaByTheJobsClock() {
    ManualClock clock = new ManualClock();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch atA50 = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      clock.advance(Duration.ofMillis(10));
      if (e.assetId().equals("a-50")) {
        atA50.countDown(); // after the clock moved: the handler counts an event before this hook runs
        release.await();
      }
      return null;
    });
    JobExecution execution = ReprocessJob.builder("eta")
        .selector(InMemorySelector.ofIds(ids(100), 2))
        .handler(handler)
        .shardsInParallel(1)
        .concurrency(1)
        .pageSize(10)
        .clock(clock)
        .checkpointInterval(Duration.ZERO) // mem-0 COMPLETED (written) before mem-1 starts
        .build()
        .start();
    await().until(() -> atA50.getCount() == 0);
    assertThat(handler.count()).isEqualTo(51);

    JobProgress p = execution.progress();
    assertThat(p.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(p.processed()).isEqualTo(50);
    assertThat(p.succeeded()).isEqualTo(50);
    assertThat(p.inFlight()).isEqualTo(1);
    assertThat(p.elapsed()).isEqualTo(Duration.ofMillis(510));
    assertThat(p.ratePerSecond()).isCloseTo(50 / 0.51, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(p.estimatedTotal()).hasValue(100);
    assertThat(p.eta()).hasValue(Duration.ofMillis(510));
    assertThat(p.shards()).extracting(ShardProgress::shardId).containsExactly("mem-0", "mem-1");
    assertThat(p.shards().get(0).state()).isEqualTo(ShardProgress.State.COMPLETED);
    assertThat(p.shards().get(0).processed()).isEqualTo(50);
    assertThat(p.shards().get(0).estimatedCount()).hasValue(50);
    assertThat(p.shards().get(1).state()).isEqualTo(ShardProgress.State.RUNNING);
    assertThat(p.shardsCompleted()).isEqualTo(1);

    release.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.duration()).isEqualTo(Duration.ofMillis(1000));
    assertThat(report.ratePerSecond()).isEqualTo(100.0);

    clock.advance(Duration.ofMinutes(5));
    JobProgress after = execution.progress();
    assertThat(after.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(after.elapsed()).as("a finished job's elapsed time stops at its end").isEqualTo(report.duration());
    assertThat(after.ratePerSecond()).isEqualTo(report.ratePerSecond());
  }

  @Test
  void metersAreNamedReprocessTaggedWithTheJobAndGaugesGoAwayAfterTheRun() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<JobProgress> duringRun = new CopyOnWriteArrayList<>();
    JobReport report = ReprocessJob.builder("metered")
        .selector(InMemorySelector.ofIds(ids(40), 2))
        .handler(new RecordingHandler().failFor(Set.of("a-1")).skipFor(Set.of("a-2", "a-3")))
        .retry(RetryOptions.custom().maxAttempts(2).initialBackoff(Duration.ZERO).build())
        .deadLetterSink(new InMemoryDeadLetterSink())
        .meterRegistry(registry)
        .listener(new JobListener() {
          @Override
          public void onPageCompleted(String jobName, Shard shard, Checkpoint checkpoint) {
            assertThat(registry.find("reprocess.events.in_flight").tag("job", "metered").gauge()).isNotNull();
            assertThat(registry.find("reprocess.shards.completed").tag("job", "metered").gauge()).isNotNull();
            assertThat(registry.find("reprocess.concurrency.limit").tag("job", "metered").gauge().value()).isEqualTo(16);
          }
        })
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(count(registry, "reprocess.events.selected")).isEqualTo(40);
    assertThat(count(registry, "reprocess.events.succeeded")).isEqualTo(37);
    assertThat(count(registry, "reprocess.events.skipped")).isEqualTo(2);
    assertThat(count(registry, "reprocess.events.failed")).isEqualTo(2);
    assertThat(count(registry, "reprocess.events.retried")).isEqualTo(1);
    assertThat(count(registry, "reprocess.events.dead_lettered")).isEqualTo(1);
    assertThat(registry.get("reprocess.handler.latency").tag("job", "metered").timer().count()).isEqualTo(41);
    assertThat(registry.find("reprocess.events.in_flight").gauge()).isNull();
    assertThat(registry.find("reprocess.shards.completed").gauge()).isNull();
  }

  @Test
  void aRegistryDenyingTheLatencyTimerStillCountsEveryEventAndTheAdaptiveLimitStillSamples() {
    // What the README offers a host that does not need the timer (it costs the handler threads some
    // CPU per event): deny it. The counters stay, and the adaptive limit samples latency itself.
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("reprocess.handler.latency"));
    List<Double> samples = new CopyOnWriteArrayList<>();
    JobReport report = ReprocessJob.builder("metered")
        .selector(InMemorySelector.ofIds(ids(40), 2))
        .pageSize(10)
        .handler(new RecordingHandler())
        .adaptiveConcurrency(true)
        .meterRegistry(registry)
        .listener(new JobListener() {
          @Override
          public void onPageCompleted(String jobName, Shard shard, Checkpoint checkpoint) {
            samples.add(registry.get("reprocess.pressure.samples").tag("job", "metered").gauge().value());
          }
        })
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(count(registry, "reprocess.events.selected")).isEqualTo(40);
    assertThat(count(registry, "reprocess.events.succeeded")).isEqualTo(40);
    assertThat(registry.find("reprocess.handler.latency").timer()).isNull();
    assertThat(samples).isNotEmpty();
    assertThat(samples.get(samples.size() - 1)).isPositive();
  }

  private static double count(SimpleMeterRegistry registry, String name) {
    return registry.get(name).tag("job", "metered").counter().count();
  }

  @Test
  void listenersHearTheJobInOrderAndLogsStartWithTheJobName() {
    List<String> heard = new CopyOnWriteArrayList<>();
    List<ILoggingEvent> logged = EngineLogs.capture(() ->
      ReprocessJob.builder("logged")
          .selector(InMemorySelector.ofIds(ids(4), 1))
          .handler(new RecordingHandler())
          .pageSize(2)
          .listener(new JobListener() {
            @Override
            public void onJobStarted(String jobName, List<Shard> shards) {
              heard.add("job started " + shards.size());
            }

            @Override
            public void onShardStarted(String jobName, Shard shard, Checkpoint resumedFrom) {
              heard.add("shard started " + shard.id());
            }

            @Override
            public void onPageCompleted(String jobName, Shard shard, Checkpoint checkpoint) {
              heard.add("page " + checkpoint.cursor().value());
            }

            @Override
            public void onShardCompleted(String jobName, Shard shard, Checkpoint checkpoint) {
              heard.add("shard completed " + shard.id());
            }

            @Override
            public void onJobFinished(JobReport report) {
              heard.add("job finished " + report.status());
            }
          })
          .listener(new JobListener() {
            @Override
            public void onPageCompleted(String jobName, Shard shard, Checkpoint checkpoint) {
              throw new IllegalStateException("a broken listener changes nothing");
            }
          })
          .build()
          .run());
    // Checkpoints are written in the background: page 2's may be covered by page 4's write.
    assertThat(heard).containsAnyOf("page 2", "page 4");
    List<String> expected = new ArrayList<>(List.of("job started 1", "shard started mem-0"));
    if (heard.contains("page 2")) {
      expected.add("page 2");
    }
    expected.addAll(List.of("page 4", "shard completed mem-0", "job finished COMPLETED"));
    assertThat(heard).containsExactlyElementsOf(expected);
    List<ILoggingEvent> events = logged.stream()
        .filter(e -> e.getLoggerName().startsWith("dev.reprocess")).toList();
    assertThat(events).isNotEmpty()
        .allSatisfy(e -> assertThat(e.getFormattedMessage()).startsWith("job 'logged': "));
    assertThat(events).filteredOn(e -> e.getFormattedMessage().contains("delivering asset"))
        .hasSize(4).allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.TRACE));
    assertThat(events).filteredOn(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage).anySatisfy(m -> assertThat(m).contains("listener"));
  }
}
