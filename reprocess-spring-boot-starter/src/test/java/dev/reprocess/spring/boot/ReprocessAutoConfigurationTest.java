package dev.reprocess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RetryOptions;
import dev.reprocess.RunningElsewhere;
import dev.reprocess.cassandra.TimeBucketSelector;
import dev.reprocess.cassandra.TokenRangeSelector;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.config.ConfigException;
import dev.reprocess.deadletter.FileDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ReprocessAutoConfigurationTest {

  static final List<String> IDS = IntStream.range(0, 50).mapToObj(i -> "asset-" + i).toList();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ReprocessCassandraAutoConfiguration.class,
          ReprocessAutoConfiguration.class));

  @Configuration(proxyBeanMethods = false)
  static class Beans {
    @Bean
    RecordingHandler recorder() {
      return new RecordingHandler();
    }

    @Bean
    InMemorySelector catalog() {
      return InMemorySelector.ofIds(IDS, 3);
    }

    @Bean
    MeterRegistry meters() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void buildsAPropertiesJobFromASelectorBeanAndAHandlerBeanWithTheApplicationsMeterRegistry() {
    runner.withUserConfiguration(Beans.class)
        .withPropertyValues(
            "reprocess.jobs.backfill.selector.bean=catalog",
            "reprocess.jobs.backfill.handler=recorder",
            "reprocess.jobs.backfill.page-size=7",
            "reprocess.jobs.backfill.shards-in-parallel=2",
            "reprocess.jobs.backfill.concurrency=3",
            "reprocess.jobs.backfill.max-events-per-second=1000",
            "reprocess.jobs.backfill.adaptive-concurrency=true",
            "reprocess.jobs.backfill.limit-algorithm=vegas",
            "reprocess.jobs.backfill.min-concurrency=2",
            "reprocess.jobs.backfill.retry.max-attempts=5",
            "reprocess.jobs.backfill.retry.initial-backoff=20ms",
            "reprocess.jobs.backfill.dead-letters.file=${java.io.tmpdir}/reprocess-starter-test.dlq",
            "reprocess.job-defaults.handler-timeout=5s")
        .run(context -> {
          ReprocessJobRegistry registry = context.getBean(ReprocessJobRegistry.class);
          assertThat(registry.names()).containsExactly("backfill");
          ReprocessJob job = registry.job("backfill").orElseThrow();
          assertThat(job.selector()).isSameAs(context.getBean(InMemorySelector.class));
          assertThat(job.handler()).isSameAs(context.getBean(RecordingHandler.class));
          assertThat(job.pageSize()).isEqualTo(7);
          assertThat(job.shardsInParallel()).isEqualTo(2);
          assertThat(job.concurrency()).isEqualTo(3);
          assertThat(job.maxEventsPerSecond()).isEqualTo(1000);
          assertThat(job.adaptiveConcurrency()).isTrue();
          assertThat(job.limitAlgorithm()).isEqualTo(dev.reprocess.LimitAlgorithm.VEGAS);
          assertThat(job.minConcurrency()).isEqualTo(2);
          assertThat(job.retry().maxAttempts()).isEqualTo(5);
          assertThat(job.retry().initialBackoff()).isEqualTo(Duration.ofMillis(20));
          assertThat(job.retry().maxBackoff()).isEqualTo(RetryOptions.DEFAULT_MAX_BACKOFF);
          assertThat(job.deadLetterSink()).isInstanceOf(FileDeadLetterSink.class);
          assertThat(job.handlerTimeout()).isEqualTo(Duration.ofSeconds(5));
          assertThat(job.meterRegistry()).isSameAs(context.getBean(MeterRegistry.class));
          assertThat(registry.runsOnStartup("backfill")).isFalse();
          assertThat(registry.execution("backfill")).isEmpty();
        });
  }

  @Test
  void mapsOutageBudget() {
    assertThat(backfillWith("outage-budget=90s").outageBudget()).isEqualTo(Duration.ofSeconds(90));
    assertStartupFails("reprocess.jobs.backfill.outage-budget=0s",
        "reprocess.jobs.backfill.outage-budget is 'PT0S': outageBudget is PT0S: it must be positive");
  }

  @Test
  void mapsOnRunningElsewhere() {
    assertThat(backfillWith("on-running-elsewhere=wait").onRunningElsewhere()).isEqualTo(RunningElsewhere.WAIT);
    assertThat(backfillWith("on-running-elsewhere=take-over-expired").onRunningElsewhere())
        .isEqualTo(RunningElsewhere.TAKE_OVER_EXPIRED);
    assertThat(backfillWith("on-running-elsewhere=FAIL").onRunningElsewhere()).isEqualTo(RunningElsewhere.FAIL);
    assertStartupFails("reprocess.jobs.backfill.on-running-elsewhere=sometimes",
        "reprocess.jobs.backfill.on-running-elsewhere is 'sometimes': it must be one of fail, take-over-expired, wait");
  }

  @Test
  void mapsLeaseTimeToLive() {
    assertThat(backfillWith("lease-time-to-live=2m").leaseTimeToLive()).isEqualTo(Duration.ofMinutes(2));
    assertStartupFails("reprocess.jobs.backfill.lease-time-to-live=2h",
        "reprocess.jobs.backfill.lease-time-to-live is 'PT2H': leaseTimeToLive is PT2H");
  }

  @Test
  void mapsAcceptChangedSelection() {
    assertThat(backfillWith("accept-changed-selection=true").acceptChangedSelection()).isTrue();
    assertThat(backfillWith("page-size=7").acceptChangedSelection()).isFalse();
  }

  @Test
  void mapsMaxShards() {
    assertThat(backfillWith("max-shards=12").maxShards()).isEqualTo(12);
    assertStartupFails("reprocess.jobs.backfill.max-shards=0",
        "reprocess.jobs.backfill.max-shards is '0': maxShards is 0");
  }

  /** The job 'backfill' over the catalog and the recorder with one more key of it. */
  private ReprocessJob backfillWith(String keyAndValue) {
    ReprocessJob[] job = new ReprocessJob[1];
    runner.withUserConfiguration(Beans.class)
        .withPropertyValues("reprocess.jobs.backfill.selector.bean=catalog", "reprocess.jobs.backfill.handler=recorder",
            "reprocess.jobs.backfill." + keyAndValue)
        .run(context -> {
          assertThat(context).hasNotFailed();
          job[0] = context.getBean(ReprocessJobRegistry.class).job("backfill").orElseThrow();
        });
    return job[0];
  }

  @Test
  void runsAJobOnStartupWhenAskedAndHandlesEveryAsset() {
    runner.withUserConfiguration(Beans.class)
        .withPropertyValues(
            "reprocess.jobs.backfill.selector.bean=catalog",
            "reprocess.jobs.backfill.handler=recorder",
            "reprocess.jobs.backfill.run-on-startup=true")
        .run(context -> {
          ReprocessJobRegistry registry = context.getBean(ReprocessJobRegistry.class);
          assertThat(registry.execution("backfill")).isPresent();
          assertThat(registry.execution("backfill").get().await(Duration.ofSeconds(30)).status())
              .isEqualTo(JobStatus.COMPLETED);
          assertThat(context.getBean(RecordingHandler.class).distinctHandledAssetIds())
              .containsExactlyInAnyOrderElementsOf(IDS);
        });
  }

  @Test
  void registersReprocessJobBeansBesidePropertiesJobs() {
    runner.withUserConfiguration(Beans.class)
        .withBean("codeJob", ReprocessJob.class, () -> ReprocessJob.builder("from-code")
            .selector(InMemorySelector.ofIds(IDS, 1)).handler(new RecordingHandler()).build())
        .withPropertyValues("reprocess.jobs.from-properties.selector.bean=catalog",
            "reprocess.jobs.from-properties.handler=recorder")
        .run(context -> assertThat(context.getBean(ReprocessJobRegistry.class).names())
            .containsExactly("from-code", "from-properties"));
  }

  @Test
  void buildsCassandraSelectorsFromPropertiesWithTheApplicationsSession() {
    runner.withUserConfiguration(Beans.class)
        .withBean(CqlSession.class, () -> mock(CqlSession.class))
        .withBean(CheckpointStore.class, InMemoryCheckpointStore::new)
        .withPropertyValues(
            "reprocess.jobs.by-bucket.selector.kind=cassandra-time-bucket",
            "reprocess.jobs.by-bucket.selector.table=media.assets_by_type_bucket",
            "reprocess.jobs.by-bucket.selector.asset-types=image/png, image/jpeg",
            "reprocess.jobs.by-bucket.selector.from=2024-06-01T00:00:00Z",
            "reprocess.jobs.by-bucket.selector.to=2024-08-01T00:00:00Z",
            "reprocess.jobs.by-bucket.selector.bucketing=hourly",
            "reprocess.jobs.by-bucket.selector.order=oldest-first",
            "reprocess.jobs.by-bucket.handler=recorder",
            "reprocess.jobs.full-scan.selector.kind=cassandra-token-range",
            "reprocess.jobs.full-scan.selector.table=media.assets",
            "reprocess.jobs.full-scan.selector.splits=16",
            "reprocess.jobs.full-scan.handler=recorder")
        .run(context -> {
          ReprocessJobRegistry registry = context.getBean(ReprocessJobRegistry.class);
          assertThat(registry.job("by-bucket").orElseThrow().selector()).isInstanceOf(TimeBucketSelector.class);
          assertThat(registry.job("by-bucket").orElseThrow().selector().describe())
              .contains("media.assets_by_type_bucket (2 asset types, hourly, 2024-06-01T00:00:00Z to 2024-08-01T00:00:00Z, oldest first)");
          assertThat(registry.job("full-scan").orElseThrow().selector()).isInstanceOf(TokenRangeSelector.class);
          assertThat(registry.job("full-scan").orElseThrow().checkpointStore())
              .isSameAs(context.getBean(CheckpointStore.class));
        });
  }

  @Test
  void theApplicationsCheckpointStoreWinsOverTheCassandraOne() {
    runner.withBean(CqlSession.class, () -> mock(CqlSession.class))
        .withBean("mine", CheckpointStore.class, InMemoryCheckpointStore::new)
        .run(context -> assertThat(context).getBeans(CheckpointStore.class).containsOnlyKeys("mine"));
  }

  @Test
  void noCassandraCheckpointStoreWithoutASessionOrWithoutTheModule() {
    runner.run(context -> assertThat(context).doesNotHaveBean(CheckpointStore.class));
    runner.withBean(CqlSession.class, () -> mock(CqlSession.class))
        .withClassLoader(new FilteredClassLoader("dev.reprocess.cassandra."))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CheckpointStore.class));
  }

  @Test
  void theApplicationsRegistryWins() {
    ReprocessJobRegistry mine = new ReprocessJobRegistry(java.util.Map.of(), java.util.Set.of(),
        Duration.ofSeconds(1), List.of());
    runner.withBean(ReprocessJobRegistry.class, () -> mine)
        .withPropertyValues("reprocess.jobs.ignored.selector.bean=nothing")
        .run(context -> assertThat(context.getBean(ReprocessJobRegistry.class)).isSameAs(mine));
  }

  @Test
  void aBadValueFailsStartupNamingTheKeyTheValueAndTheBuildersRule() {
    assertStartupFails("reprocess.jobs.backfill.page-size=0",
        "reprocess.jobs.backfill.page-size is '0': pageSize is 0: it must be between 1 and 100000");
    assertStartupFails("reprocess.jobs.backfill.retry.jitter=1.5",
        "reprocess.jobs.backfill.retry.jitter is '1.5': jitter is 1.5: it must be in [0, 1)");
    assertStartupFails("reprocess.jobs.backfill.max-events-per-second=-1",
        "reprocess.jobs.backfill.max-events-per-second is '-1.0': maxEventsPerSecond is -1.0: it must be 0 (no limit)");
  }

  @Test
  void aMisspeltOrMissingKeyFailsStartupNamingIt() {
    assertStartupFails("reprocess.jobs.backfill.selector.tabel=x",
        "reprocess.jobs.backfill.selector.tabel is 'x': it is not an option here");
    assertStartupFails("reprocess.jobs.backfill.handler=nobody",
        "reprocess.jobs.backfill.handler and reprocess.jobs.backfill.sink are both set");
    runner.withUserConfiguration(Beans.class)
        .withPropertyValues("reprocess.jobs.backfill.selector.bean=catalog", "reprocess.jobs.backfill.handler=nobody")
        .run(context -> assertThat(configFailure(context)).hasMessage("reprocess.jobs.backfill.handler is 'nobody': there is no EventHandler of that name"));
    runner.withUserConfiguration(Beans.class)
        .withPropertyValues("reprocess.jobs.backfill.selector.kind=mongo", "reprocess.jobs.backfill.handler=recorder")
        .run(context -> assertThat(configFailure(context)).hasMessageStartingWith("reprocess.jobs.backfill.selector.kind is 'mongo': it must be one of "
                + "[cassandra-table, cassandra-time-bucket, cassandra-token-range, elasticsearch, id-list]"));
    runner.withUserConfiguration(Beans.class)
        .withPropertyValues("reprocess.jobs.backfill.selector.kind=cassandra-time-bucket",
            "reprocess.jobs.backfill.handler=recorder")
        .run(context -> assertThat(configFailure(context)).hasMessageStartingWith("reprocess.jobs.backfill.selector.kind needs a CqlSession"));
  }

  @Test
  void anUnknownKeyUnderReprocessFailsStartupNamingTheKeyAndItsValue() {
    for (String property : List.of("reprocess.jobs.backfill.max-event-per-second=5",
        "reprocess.jobs.backfill.handlr=recorder", "reprocess.jobs.backfill.retry.max-attemps=0",
        "reprocess.jobs.backfill.run-on-statup=true", "reprocess.jobs.backfill.dead-letter.file=/tmp/dead",
        "reprocess.job-defaults.page-sise=0", "reprocess.shutdown-timout=1s")) {
      runner.withUserConfiguration(Beans.class)
          .withPropertyValues("reprocess.jobs.backfill.selector.bean=catalog",
              "reprocess.jobs.backfill.handler=recorder", property)
          .run(context -> {
            assertThat(context).as(property).hasFailed();
            FailureAnalysis analysis = new ReprocessConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).as(property).isNotNull();
            String key = property.substring(0, property.indexOf('='));
            assertThat(analysis.getDescription()).as(property)
                .startsWith("Unknown Reprocess properties: " + property)
                .contains(key + "=" + property.substring(key.length() + 1) + " (")
                .endsWith(" is not a Reprocess key");
            assertThat(analysis.getAction()).contains("max-events-per-second", "retry.{max-attempts");
          });
    }
  }

  @Test
  void aBadDefaultFailsStartupNamingTheDefaultsKeyNotTheJobs() {
    runner.withUserConfiguration(Beans.class)
        .withPropertyValues("reprocess.jobs.backfill.selector.bean=catalog",
            "reprocess.jobs.backfill.handler=recorder", "reprocess.job-defaults.concurrency=0")
        .run(context -> {
          ConfigException e = configFailure(context);
          assertThat(e.key()).isEqualTo("reprocess.job-defaults.concurrency");
          assertThat(e).hasMessageStartingWith("reprocess.job-defaults.concurrency is '0': ")
              .hasMessageEndingWith(" (the default of the job 'backfill')")
              .hasMessageNotContaining("reprocess.jobs.");
        });
    assertStartupFails("reprocess.jobs.backfill.concurrency=0", "reprocess.jobs.backfill.concurrency is '0': ");
  }

  /** A job over the catalog and the recorder (as handler, or as sink when the property names a handler), plus one property. */
  private void assertStartupFails(String property, String messageStart) {
    runner.withUserConfiguration(Beans.class)
        .withPropertyValues("reprocess.jobs.backfill.selector.bean=catalog",
            property.contains(".handler=") ? "reprocess.jobs.backfill.sink=recorder" : "reprocess.jobs.backfill.handler=recorder",
            property)
        .run(context -> assertThat(configFailure(context)).hasMessageStartingWith(messageStart));
  }

  /** The configuration error that failed the context's startup. */
  static ConfigException configFailure(org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
    Throwable t = context.getStartupFailure();
    assertThat(t).as("startup failure").isNotNull();
    while (t != null && !(t instanceof ConfigException)) {
      t = t.getCause();
    }
    assertThat(t).as("a ConfigException in the startup failure's causes").isNotNull();
    return (ConfigException) t;
  }
}
