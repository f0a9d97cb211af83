package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * stopAfterSameFailures (a job whose every event fails the same way stops) and maxErrorRatio (the
 * error budget as a percentage), through the engine with an in-process handler.
 */
class SameFailuresAndErrorRatioTest {

  private final InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
  private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();

  /** One event at a time, no retries: dead letters come in the order of the handler's calls. */
  private ReprocessJob.Builder job(String name, int assets, EventHandler handler) {
    return ReprocessJob.builder(name)
        .selector(InMemorySelector.ofIds(ids(assets), 1))
        .handler(handler)
        .pageSize(10).concurrency(1)
        .retry(RetryOptions.noRetry())
        .deadLetterSink(deadLetters)
        .checkpointStore(store);
  }

  @Test
  void aJobWhoseEveryEventFailsTheSameWayStopsAfterTheDefaultHundredDeadLetters() {
    JobReport report = job("all-fail", 2_000, e -> {
      throw new IllegalStateException("column 'size' of " + e.assetId() + " is null");
    }).build().run();
    assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.FAILED);
    assertThat(deadLetters.deadLetters()).hasSize(100);
    assertThat(report.deadLettered()).isEqualTo(100);
    assertThat(report.failure()).get().asString().contains("100 events in a row were dead-lettered for the same "
        + "reason, java.lang.IllegalStateException: \"column 'size' of a-", "stopAfterSameFailures is 100",
        "Fix the cause and run the job again");
    assertThat(store.load("all-fail").values()).noneMatch(Checkpoint::completed);
  }

  @Test
  void theLimitIsAnOptionAndZeroTurnsItOff() {
    JobReport stopped = job("all-fail-5", 200, e -> {
      throw new UnsupportedOperationException();
    }).stopAfterSameFailures(5).build().run();
    assertThat(stopped.status()).isEqualTo(JobStatus.FAILED);
    assertThat(stopped.failure()).get().asString().contains("5 events in a row",
        "java.lang.UnsupportedOperationException, and no event", "stopAfterSameFailures is 5");
    assertThat(deadLetters.deadLetters()).hasSize(5);

    JobReport off = job("all-fail-off", 200, e -> {
      throw new UnsupportedOperationException();
    }).stopAfterSameFailures(0).build().run();
    assertThat(off.status()).as(off.toString()).isEqualTo(JobStatus.COMPLETED);
    assertThat(off.deadLettered()).isEqualTo(200);
  }

  @Test
  void failuresOfAlternatingReasonsDoNotStopTheJob() {
    AtomicInteger calls = new AtomicInteger();
    JobReport report = job("alternating", 200, e -> {
      if (calls.getAndIncrement() % 2 == 0) {
        throw new IllegalStateException("even");
      }
      throw new IllegalArgumentException("odd");
    }).stopAfterSameFailures(3).build().run();
    assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.deadLettered()).isEqualTo(200);
  }

  @Test
  void oneSuccessFirstMeansTheJobIsNotStoppedByIt() {
    AtomicInteger calls = new AtomicInteger();
    JobReport report = job("one-success", 300, e -> {
      if (calls.getAndIncrement() == 0) {
        return Outcome.SUCCEEDED;
      }
      throw new IllegalStateException("broken");
    }).stopAfterSameFailures(3).build().run();
    assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(1);
    assertThat(report.deadLettered()).isEqualTo(299);
  }

  @Test
  void maxErrorsStillAppliesAfterASuccess() {
    AtomicInteger calls = new AtomicInteger();
    JobReport report = job("one-success-budget", 300, e -> {
      if (calls.getAndIncrement() == 0) {
        return Outcome.SUCCEEDED;
      }
      throw new IllegalStateException("broken");
    }).stopAfterSameFailures(3).maxErrors(10).build().run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure()).get().asString().contains("more than maxErrors (10)");
    assertThat(deadLetters.deadLetters()).hasSize(11);
  }

  @Test
  void maxErrorRatioFailsTheJobOnceTheShareOfDeadLettersOfTheEventsProcessedIsExceeded() {
    // Every tenth event fails: 10%, over a 5% budget, judged at the 100th event processed.
    AtomicInteger calls = new AtomicInteger();
    JobReport report = job("ratio", 2_000, e -> {
      if (calls.incrementAndGet() % 10 == 0) {
        throw new IllegalStateException("every tenth");
      }
      return Outcome.SUCCEEDED;
    }).maxErrorRatio(0.05).build().run();
    assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure()).get().asString()
        .contains("10 of the 100 events processed so far were dead-lettered, more than maxErrorRatio (0.05, 5%)");
    assertThat(deadLetters.deadLetters()).hasSize(10);
  }

  @Test
  void withinMaxErrorRatioTheJobCompletes() {
    AtomicInteger calls = new AtomicInteger();
    JobReport report = job("ratio-ok", 1_000, e -> {
      if (calls.incrementAndGet() % 50 == 0) {
        throw new IllegalStateException("every fiftieth");
      }
      return Outcome.SUCCEEDED;
    }).maxErrorRatio(0.05).build().run();
    assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.deadLettered()).isEqualTo(20);
  }

  @Test
  void badValuesAreRefusedNamingTheOptionTheValueAndTheRule() {
    assertThatThrownBy(() -> job("bad", 1, e -> Outcome.SUCCEEDED).stopAfterSameFailures(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stopAfterSameFailures is -1: it must be 0 (off) or more");
    for (double bad : new double[] {0, -0.1, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> job("bad", 1, e -> Outcome.SUCCEEDED).maxErrorRatio(bad).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("maxErrorRatio is " + bad + ": it must be more than 0 and at most 1 (0.05 is 5%");
    }
  }

  @Test
  void theJobShowsItsOptions() {
    ReprocessJob defaults = job("defaults", 1, e -> Outcome.SUCCEEDED).build();
    assertThat(defaults.maxErrors()).isEqualTo(Long.MAX_VALUE);
    assertThat(defaults.maxErrorRatio()).isEqualTo(1.0);
    assertThat(defaults.stopAfterSameFailures()).isEqualTo(ReprocessJob.DEFAULT_STOP_AFTER_SAME_FAILURES);
    assertThat(defaults.maxShards()).isEqualTo(ReprocessJob.DEFAULT_MAX_SHARDS);
    assertThat(defaults.acceptChangedSelection()).isFalse();
    assertThat(defaults.onRunningElsewhere()).isEqualTo(RunningElsewhere.TAKE_OVER_EXPIRED);
    assertThat(defaults.leaseTimeToLive()).isEqualTo(ReprocessJob.DEFAULT_LEASE_TIME_TO_LIVE);
    assertThat(defaults.toString()).doesNotContain("maxErrorRatio").contains("stopAfterSameFailures=100");

    ReprocessJob set = job("set", 1, e -> Outcome.SUCCEEDED).maxErrorRatio(0.02).stopAfterSameFailures(7)
        .maxShards(12).acceptChangedSelection(true).onRunningElsewhere(RunningElsewhere.WAIT)
        .leaseTimeToLive(Duration.ofSeconds(9)).build();
    assertThat(set.maxErrorRatio()).isEqualTo(0.02);
    assertThat(set.stopAfterSameFailures()).isEqualTo(7);
    assertThat(set.maxShards()).isEqualTo(12);
    assertThat(set.acceptChangedSelection()).isTrue();
    assertThat(set.onRunningElsewhere()).isEqualTo(RunningElsewhere.WAIT);
    assertThat(set.leaseTimeToLive()).isEqualTo(Duration.ofSeconds(9));
    assertThat(set.toString()).contains("maxErrorRatio=0.02", "stopAfterSameFailures=7");
  }
}
