package dev.reprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.verifyNoInteractions;

import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingSink;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReprocessJobBuilderTest {

  private static final InMemorySelector SELECTOR = InMemorySelector.ofIds(List.of("a"), 1);

  private static ReprocessJob.Builder valid() {
    return ReprocessJob.builder("valid-job").selector(SELECTOR).handler(e -> Outcome.SUCCEEDED);
  }

  /** One case per bad option: what to change, and the pieces the message must contain. */
  static Stream<Arguments> badOptions() {
    return Stream.of(
        bad("name null", b -> ReprocessJob.builder(null).selector(SELECTOR).handler(e -> null),
            "name is 'null'", "[A-Za-z0-9._-]{1,200}"),
        bad("name with a space", b -> ReprocessJob.builder("my job").selector(SELECTOR).handler(e -> null),
            "name is 'my job'", "1 to 200 of A-Z a-z 0-9 . _ -"),
        bad("name '.'", b -> ReprocessJob.builder(".").selector(SELECTOR).handler(e -> null),
            "name is '.'", "must not be '.' or '..'", "file names"),
        bad("name '..'", b -> ReprocessJob.builder("..").selector(SELECTOR).handler(e -> null),
            "name is '..'", "must not be '.' or '..'", "file names"),
        bad("name too long", b -> ReprocessJob.builder("x".repeat(201)).selector(SELECTOR).handler(e -> null),
            "name is 'xxx", "{1,200}"),
        bad("selector missing", b -> ReprocessJob.builder("j").handler(e -> null),
            "selector is null", "requires a selector"),
        bad("neither handler nor sink", b -> ReprocessJob.builder("j").selector(SELECTOR),
            "handler and sink are both null", "exactly one of handler, batchHandler or sink"),
        bad("both handler and sink", b -> b.sink(new RecordingSink()),
            "handler (", ") and sink (", ") are both set", "exactly one of handler, batchHandler or sink"),
        bad("pageSize 0", b -> b.pageSize(0), "pageSize is 0", "between 1 and 100000"),
        bad("pageSize too big", b -> b.pageSize(100_001), "pageSize is 100001", "between 1 and 100000"),
        bad("shardsInParallel 0", b -> b.shardsInParallel(0), "shardsInParallel is 0", "between 1 and 1024"),
        bad("concurrency 0", b -> b.concurrency(0), "concurrency is 0", "between 1 and 10000"),
        bad("concurrency negative", b -> b.concurrency(-3), "concurrency is -3", "between 1 and 10000"),
        bad("maxEventsPerSecond negative", b -> b.maxEventsPerSecond(-1), "maxEventsPerSecond is -1.0",
            "0 (no limit) or between 0.001"),
        bad("maxEventsPerSecond -0.0", b -> b.maxEventsPerSecond(-0.0), "maxEventsPerSecond is -0.0",
            "0 (no limit) or between 0.001"),
        bad("maxEventsPerSecond NaN", b -> b.maxEventsPerSecond(Double.NaN), "maxEventsPerSecond is NaN",
            "0 (no limit)"),
        bad("maxEventsPerSecond too small", b -> b.maxEventsPerSecond(0.0001), "maxEventsPerSecond is 1.0E-4",
            "between 0.001"),
        bad("maxEventsPerSecond infinite", b -> b.maxEventsPerSecond(Double.POSITIVE_INFINITY),
            "maxEventsPerSecond is Infinity", "1.0E9"),
        bad("retry null", b -> b.retry(null), "retry is null", "RetryOptions"),
        bad("deadLetterSink null", b -> b.deadLetterSink(null), "deadLetterSink is null", "pass a sink"),
        bad("checkpointStore null", b -> b.checkpointStore(null), "checkpointStore is null", "pass a store"),
        bad("listener null", b -> b.listener(new JobListener() {}).listener(null), "listener #2 is null",
            "non-null"),
        bad("meterRegistry null", b -> b.meterRegistry(null), "meterRegistry is null", "pass a registry"),
        bad("clock null", b -> b.clock(null), "clock is null", "pass a clock"),
        bad("handlerTimeout zero", b -> b.handlerTimeout(Duration.ZERO), "handlerTimeout is PT0S",
            "positive and at most PT24H"),
        bad("handlerTimeout negative", b -> b.handlerTimeout(Duration.ofSeconds(-1)),
            "handlerTimeout is PT-1S", "positive and at most PT24H"),
        bad("handlerTimeout null", b -> b.handlerTimeout(null), "handlerTimeout is null",
            "positive and at most PT24H"),
        bad("handlerTimeout above 24 h", b -> b.handlerTimeout(Duration.ofHours(24).plusMillis(1)),
            "handlerTimeout is PT24H0.001S", "at most PT24H"),
        bad("handlerTimeout with a sink", b -> b.handler(null).sink(new RecordingSink())
                .handlerTimeout(Duration.ofSeconds(5)),
            "handlerTimeout is set (PT5S)", "sink", "only to a job with a handler"));
  }

  private static Arguments bad(String option, UnaryOperator<ReprocessJob.Builder> change, String... parts) {
    return Arguments.of(option, change, parts);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOptions")
  void buildRejectsBadOptionNamingOptionValueAndRule(
      String option, UnaryOperator<ReprocessJob.Builder> change, String[] parts) {
    assertThatThrownBy(() -> change.apply(valid()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(parts);
  }

  @Test
  void buildDoesNoIoOnTheSelectorSinkOrStores() {
    AssetSelector selector = mock(AssetSelector.class);
    EventSink sink = mock(EventSink.class);
    when(sink.defaultConcurrency()).thenReturn(16);
    CheckpointStore store = mock(CheckpointStore.class);
    DeadLetterSink dls = mock(DeadLetterSink.class);
    ReprocessJob job = ReprocessJob.builder("no-io").selector(selector).sink(sink)
        .checkpointStore(store).deadLetterSink(dls).build();
    assertThat(job.name()).isEqualTo("no-io");
    verifyNoInteractions(selector, store, dls);
    verify(sink).defaultConcurrency(); // a constant, asked for; nothing delivered, flushed or closed
    verifyNoMoreInteractions(sink);
  }

  /** A sink that completes nothing and only says how many events it wants in flight. */
  private static EventSink sinkWanting(int concurrency) {
    return new EventSink() {
      @Override
      public java.util.concurrent.CompletionStage<Outcome> deliver(ReprocessEvent event) {
        return new java.util.concurrent.CompletableFuture<>();
      }

      @Override
      public int defaultConcurrency() {
        return concurrency;
      }

      @Override
      public String describe() {
        return "test sink wanting " + concurrency;
      }
    };
  }

  @Test
  void aJobWithASinkTakesTheSinksDefaultConcurrencyUnlessConcurrencyIsSet() {
    ReprocessJob.Builder b = ReprocessJob.builder("sink-default").selector(SELECTOR);
    assertThat(b.sink(sinkWanting(1_000)).build().concurrency()).isEqualTo(1_000);
    assertThat(b.sink(sinkWanting(1_000)).concurrency(7).build().concurrency()).isEqualTo(7);
    assertThat(ReprocessJob.builder("plain-sink").selector(SELECTOR).sink(new RecordingSink()).build().concurrency())
        .isEqualTo(ReprocessJob.DEFAULT_CONCURRENCY);
  }

  @Test
  void aSinkDefaultConcurrencyOutOfRangeIsRefusedNamingTheSink() {
    assertThatThrownBy(() -> ReprocessJob.builder("bad-sink").selector(SELECTOR).sink(sinkWanting(0)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("concurrency is not set", "test sink wanting 0", "gives 0",
            "between 1 and 10000", "set the job's concurrency");
    assertThat(ReprocessJob.builder("bad-sink").selector(SELECTOR).sink(sinkWanting(0)).concurrency(3).build()
        .concurrency()).isEqualTo(3);
  }

  @Test
  void adaptiveLimitOptionsWithoutAdaptiveConcurrencyOrBelowTheirBoundsAreRefused() {
    assertThatThrownBy(() -> valid().limitAlgorithm(LimitAlgorithm.VEGAS).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limitAlgorithm is set (VEGAS) but adaptiveConcurrency is false: limitAlgorithm applies "
            + "only to an adaptive limit; call adaptiveConcurrency(true) or remove it");
    assertThatThrownBy(() -> valid().pressureSignal(PressureSignal.handlerLatency()).build())
        .hasMessageStartingWith("pressureSignal is set (handler latency) but adaptiveConcurrency is false");
    assertThatThrownBy(() -> valid().adaptiveConcurrency(true).concurrency(8).minConcurrency(9).build())
        .hasMessage("minConcurrency is 9: it must be at most concurrency (8)");
    assertThatThrownBy(() -> valid().adaptiveConcurrency(true).minConcurrency(0).build())
        .hasMessageContaining("minConcurrency");
    assertThatThrownBy(() -> valid().adaptiveConcurrency(true).adaptiveRate(true).build())
        .hasMessage("adaptiveRate is true but maxEventsPerSecond is 0 (no limit): adaptiveRate scales "
            + "maxEventsPerSecond by the adaptive limit; set maxEventsPerSecond");
    assertThat(valid().adaptiveConcurrency(true).adaptiveRate(true).maxEventsPerSecond(50).build().adaptiveRate())
        .isTrue();
    ReprocessJob job = valid().adaptiveConcurrency(true).concurrency(8).minConcurrency(8)
        .limitAlgorithm(LimitAlgorithm.AIMD).build();
    assertThat(job.minConcurrency()).isEqualTo(8);
    assertThat(job.limitAlgorithm()).isEqualTo(LimitAlgorithm.AIMD);
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    ReprocessJob job = valid().build();
    assertThat(job.pageSize()).isEqualTo(500);
    assertThat(job.shardsInParallel()).isEqualTo(4);
    assertThat(job.concurrency()).isEqualTo(16);
    assertThat(job.maxEventsPerSecond()).isZero();
    assertThat(job.adaptiveConcurrency()).isFalse();
    assertThat(job.limitAlgorithm()).isEqualTo(LimitAlgorithm.GRADIENT2);
    assertThat(job.minConcurrency()).isEqualTo(1);
    assertThat(job.pressureSignal()).isSameAs(PressureSignal.handlerLatency());
    assertThat(job.retry()).isSameAs(RetryOptions.ofDefaults());
    assertThat(job.clock()).isEqualTo(Clock.systemUTC());
    assertThat(job.restart()).isFalse();
    assertThat(job.failFast()).isFalse();
    assertThat(job.handlerTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(job.deadLetterSink().describe()).startsWith("log");
    assertThat(job.checkpointStore()).isNotNull();
  }

  @Test
  void acceptsTheBoundaryValues() {
    ReprocessJob job = valid().pageSize(1).shardsInParallel(1).concurrency(1)
        .maxEventsPerSecond(0.001).build();
    assertThat(job.maxEventsPerSecond()).isEqualTo(0.001);
    assertThat(valid().pageSize(100_000).concurrency(10_000).maxEventsPerSecond(1e9).build().concurrency())
        .isEqualTo(10_000);
    assertThat(ReprocessJob.builder("a.B_c-9").selector(SELECTOR).handler(e -> null).build().name())
        .isEqualTo("a.B_c-9");
    assertThat(valid().maxEventsPerSecond(0.0).build().maxEventsPerSecond()).isZero();
    assertThat(valid().handlerTimeout(Duration.ofHours(24)).build().handlerTimeout()).isEqualTo(Duration.ofHours(24));
    assertThat(valid().handlerTimeout(Duration.ofNanos(1)).build().handlerTimeout()).isEqualTo(Duration.ofNanos(1));
    assertThat(ReprocessJob.builder("sink-job").selector(SELECTOR).sink(new RecordingSink()).build()
        .handlerTimeout()).isNull();
    for (String name : List.of("...", ".a", "a..", "-", "_")) {
      assertThat(ReprocessJob.builder(name).selector(SELECTOR).handler(e -> null).build().name()).isEqualTo(name);
      assertThat(name).matches(ReprocessJob.NAME_PATTERN);
    }
    assertThat(".").doesNotMatch(ReprocessJob.NAME_PATTERN);
    assertThat("..").doesNotMatch(ReprocessJob.NAME_PATTERN);
  }

  @Test
  void toStringShowsTheOptionsByTheirDeclaredNames() {
    assertThat(valid().pageSize(7).maxEventsPerSecond(2.5).failFast(true).build().toString())
        .startsWith("ReprocessJob[name=valid-job, selector=" + SELECTOR.describe() + ", handler=in-process, pageSize=7")
        .contains("maxEventsPerSecond=2.5", "failFast=true", "handlerTimeout=PT1M")
        .doesNotContain("sink=");
    assertThat(ReprocessJob.builder("sink-job").selector(SELECTOR).sink(new RecordingSink()).build().toString())
        .contains("sink=" + new RecordingSink().describe(), "concurrency=16")
        .doesNotContain("handler=", "handlerTimeout=");
  }

  @Test
  void retryOptionsRejectBadValuesNamingThem() {
    assertThatThrownBy(() -> RetryOptions.custom().maxAttempts(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts is 0: it must be between 1 and 100");
    assertThatThrownBy(() -> RetryOptions.custom().initialBackoff(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContainingAll("initialBackoff is PT-0.001S", "zero or positive");
    assertThatThrownBy(() -> RetryOptions.custom().multiplier(0.5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContainingAll("multiplier is 0.5", "at least 1.0");
    assertThatThrownBy(() -> RetryOptions.custom().initialBackoff(Duration.ofSeconds(5)).maxBackoff(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContainingAll("maxBackoff is PT1S", "at least initialBackoff (PT5S)");
    assertThatThrownBy(() -> RetryOptions.custom().jitter(1.0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContainingAll("jitter is 1.0", "[0, 1)");
    assertThatThrownBy(() -> RetryOptions.custom().retryOn((Class<? extends Throwable>) null).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryOn contains null");
  }
}
