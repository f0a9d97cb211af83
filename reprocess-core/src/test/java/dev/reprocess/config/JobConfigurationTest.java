package dev.reprocess.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.CheckpointStore;
import dev.reprocess.JobStatus;
import dev.reprocess.LimitAlgorithm;
import dev.reprocess.PressureSignal;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RunningElsewhere;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.FileDeadLetterSink;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.deadletter.LoggingDeadLetterSink;
import dev.reprocess.pressure.TimerPressureSignal;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testing.RecordingSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigurationTest {

  private final InMemorySelector selector = InMemorySelector.ofIds(List.of("a", "b", "c", "d"), 2);
  private final RecordingHandler handler = new RecordingHandler();
  private final PressureSignal productionLatency = TimerPressureSignal.builder(new SimpleMeterRegistry(),
      "production.requests").build();
  private final ConfigContext context = ConfigContext.of(Map.of("catalog", selector, "recorder", handler,
      "production-latency", productionLatency));

  private static Map<String, String> job(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("selector.bean", "catalog");
    map.put("handler", "recorder");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  @Test
  void buildsAJobWithEveryOptionAndRunsIt(@TempDir Path dir) {
    ReprocessJob job = JobConfiguration.build("backfill", job(
        "page-size", "2", "shardsInParallel", "3", "concurrency", "5", "max_events_per_second", "0.5",
        "adaptive-concurrency", "true", "fail-fast", "TRUE", "restart", "false", "handler-timeout", "PT2S",
        "outage-budget", "90s", "max-errors", "7", "limit-algorithm", "aimd", "min-concurrency", "2", "adaptive-rate", "true",
        "pressure-signal", "production-latency",
        "retry.max-attempts", "4", "retry.initial-backoff", "250ms", "retry.multiplier", "1.5",
        "retry.max-backoff", "1m", "retry.jitter", "0", "dead-letters.file", dir.resolve("dlq").toString()), context);
    assertThat(job.name()).isEqualTo("backfill");
    assertThat(job.selector()).isSameAs(selector);
    assertThat(job.handler()).isSameAs(handler);
    assertThat(job.pageSize()).isEqualTo(2);
    assertThat(job.shardsInParallel()).isEqualTo(3);
    assertThat(job.concurrency()).isEqualTo(5);
    assertThat(job.maxEventsPerSecond()).isEqualTo(0.5);
    assertThat(job.adaptiveConcurrency()).isTrue();
    assertThat(job.failFast()).isTrue();
    assertThat(job.restart()).isFalse();
    assertThat(job.handlerTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(job.outageBudget()).isEqualTo(Duration.ofSeconds(90));
    assertThat(job.maxErrors()).isEqualTo(7);
    assertThat(job.limitAlgorithm()).isEqualTo(LimitAlgorithm.AIMD);
    assertThat(job.minConcurrency()).isEqualTo(2);
    assertThat(job.adaptiveRate()).isTrue();
    assertThat(job.pressureSignal()).isSameAs(productionLatency);
    assertThat(job.retry().maxAttempts()).isEqualTo(4);
    assertThat(job.retry().initialBackoff()).isEqualTo(Duration.ofMillis(250));
    assertThat(job.retry().multiplier()).isEqualTo(1.5);
    assertThat(job.retry().maxBackoff()).isEqualTo(Duration.ofMinutes(1));
    assertThat(job.retry().jitter()).isZero();
    assertThat(((FileDeadLetterSink) job.deadLetterSink()).file()).isEqualTo(dir.resolve("dlq"));

    ReprocessJob quick = JobConfiguration.build("quick", job(), context);
    assertThat(quick.run().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.distinctHandledAssetIds()).containsExactlyInAnyOrder("a", "b", "c", "d");
  }

  @Test
  void mapsTheLeaseSelectionAndShardOptions() {
    ReprocessJob job = JobConfiguration.build("leased", job("on-running-elsewhere", "wait",
        "lease-time-to-live", "45s", "accept-changed-selection", "true", "max-shards", "12"), context);
    assertThat(job.onRunningElsewhere()).isEqualTo(RunningElsewhere.WAIT);
    assertThat(job.leaseTimeToLive()).isEqualTo(Duration.ofSeconds(45));
    assertThat(job.acceptChangedSelection()).isTrue();
    assertThat(job.maxShards()).isEqualTo(12);
    ReprocessJob defaults = JobConfiguration.build("plain", job(), context);
    assertThat(defaults.onRunningElsewhere()).isEqualTo(RunningElsewhere.TAKE_OVER_EXPIRED);
    assertThat(defaults.acceptChangedSelection()).isFalse();

    assertError(job("on-running-elsewhere", "sometimes"), "reprocess.jobs.j.on-running-elsewhere is 'sometimes':"
        + " it must be one of fail, take-over-expired, wait");
    assertError(job("lease-time-to-live", "0s"), "reprocess.jobs.j.lease-time-to-live is '0s': leaseTimeToLive is PT0S");
  }

  @Test
  void takesTheContextsCheckpointStoreAndMeterRegistryUnlessAStoreIsNamed() {
    InMemoryCheckpointStore only = new InMemoryCheckpointStore();
    InMemoryCheckpointStore named = new InMemoryCheckpointStore();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    InMemoryDeadLetterSink dead = new InMemoryDeadLetterSink();
    ReprocessJob job = JobConfiguration.build("j", job("dead-letters.bean", "dead"),
        ConfigContext.of(Map.of("catalog", selector, "recorder", handler, "store", only, "meters", meters, "dead", dead)));
    assertThat(job.checkpointStore()).isSameAs(only);
    assertThat(job.meterRegistry()).isSameAs(meters);
    assertThat(job.deadLetterSink()).isSameAs(dead);

    ReprocessJob chosen = JobConfiguration.build("j", job("checkpoint-store", "b"),
        ConfigContext.of(Map.of("catalog", selector, "recorder", handler, "a", only, "b", named)));
    assertThat(chosen.checkpointStore()).isSameAs(named);
    assertThat(chosen.deadLetterSink()).isInstanceOf(LoggingDeadLetterSink.class);
  }

  @Test
  void deliversToANamedSink() {
    RecordingSink sink = new RecordingSink();
    Map<String, String> keys = job();
    keys.remove("handler");
    keys.put("sink", "out");
    ReprocessJob job = JobConfiguration.build("j", keys, ConfigContext.of(Map.of("catalog", selector, "out", sink)));
    assertThat(job.sink()).isSameAs(sink);
  }

  @Test
  void repeatsTheBuildersRuleAfterTheKeyAndItsValue() {
    assertError(job("page-size", "0"),
        "reprocess.jobs.j.page-size is '0': pageSize is 0: it must be between 1 and 100000");
    assertError(job("concurrency", "20000"),
        "reprocess.jobs.j.concurrency is '20000': concurrency is 20000: it must be between 1 and 10000");
    assertError(job("retry.max-attempts", "0"),
        "reprocess.jobs.j.retry.max-attempts is '0': maxAttempts is 0: it must be between 1 and 100");
    assertError(job("handler-timeout", "0s"),
        "reprocess.jobs.j.handler-timeout is '0s': handlerTimeout is PT0S: it must be positive and at most PT24H (24 hours)");
    assertThatThrownBy(() -> JobConfiguration.build("bad name", "reprocess.jobs.bad name.", job(), context))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("reprocess.jobs.bad name: name is 'bad name': it must be 1 to 200 of");
  }

  @Test
  void refusesBadFormatsUnknownKeysAndMissingOrDoubleParts() {
    assertError(job("page-size", "ten"), "reprocess.jobs.j.page-size is 'ten': it must be an integer");
    assertError(job("restart", "yes"), "reprocess.jobs.j.restart is 'yes': it must be true or false");
    assertError(job("retry.max-backoff", "soon"), "reprocess.jobs.j.retry.max-backoff is 'soon': it must be a duration");
    assertError(job("pagesize", "10"), "reprocess.jobs.j.pagesize is '10': it is not an option here");
    assertError(job("handler", "nobody"), "reprocess.jobs.j.handler is 'nobody': there is no EventHandler of that name");
    assertError(job("handler", "catalog"), "reprocess.jobs.j.handler is 'catalog': the object named 'catalog' is a "
        + InMemorySelector.class.getName() + ", not a " + dev.reprocess.EventHandler.class.getName());
    assertError(job("sink", "recorder"), "reprocess.jobs.j.handler and reprocess.jobs.j.sink are both set");
    assertError(job("selector.kind", "id-list"), "reprocess.jobs.j.selector.kind and reprocess.jobs.j.selector.bean are both set");
    Map<String, String> noSelector = job();
    noSelector.remove("selector.bean");
    assertError(noSelector, "reprocess.jobs.j.selector.kind is not set: it must be a selector kind, one of []");
    noSelector.put("selector.kind", "mongo");
    assertError(noSelector, "reprocess.jobs.j.selector.kind is 'mongo': it must be one of []");
    assertError(job("page-size", "1", "pageSize", "2"), "reprocess.jobs.j.pageSize is given twice");
  }

  @Test
  void readsDurationsInBothFormats() {
    ConfigValues values = ConfigValues.of("", Map.of("a", "PT1.5S", "b", "1.5s", "c", "2h", "d", "1d", "e", "30m"));
    assertThat(values.duration("a")).contains(Duration.ofMillis(1500));
    assertThat(values.duration("b")).contains(Duration.ofMillis(1500));
    assertThat(values.duration("c")).contains(Duration.ofHours(2));
    assertThat(values.duration("d")).contains(Duration.ofDays(1));
    assertThat(values.duration("e")).contains(Duration.ofMinutes(30));
    assertThat(values.duration("f")).isEmpty();
  }

  private void assertError(Map<String, String> keys, String messageStart) {
    assertThatThrownBy(() -> JobConfiguration.build("j", "reprocess.jobs.j.", keys, context))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(messageStart);
  }
}
