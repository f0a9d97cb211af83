package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.reprocess.Waits.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.FileDeadLetterSink;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.ManualClock;
import dev.reprocess.testing.RecordingHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetryAndDeadLetterTest {

  @TempDir Path dir;

  @Test
  void retriesAfterExponentialBackoffMeasuredOnTheInjectedClock() {
    ManualClock clock = new ManualClock();
    Instant t0 = clock.instant();
    List<Instant> attemptsOfA1 = new CopyOnWriteArrayList<>();
    List<Duration> backoffs = new CopyOnWriteArrayList<>();
    RecordingHandler handler = new RecordingHandler().failTimes("a-1", 2).beforeEach(e -> {
      if (e.assetId().equals("a-1")) {
        attemptsOfA1.add(clock.instant());
      }
      return null;
    });
    JobExecution execution = ReprocessJob.builder("retry-clock")
        .selector(InMemorySelector.ofIds(ids(5), 1))
        .handler(handler)
        .clock(clock)
        .retry(RetryOptions.custom().maxAttempts(3).initialBackoff(Duration.ofHours(1)).multiplier(2)
            .maxBackoff(Duration.ofHours(10)).jitter(0).build())
        .listener(new JobListener() {
          @Override
          public void onRetry(ReprocessEvent failedAttempt, Throwable failure, Duration backoff) {
            backoffs.add(backoff);
          }
        })
        .build()
        .start();

    await().until(() -> execution.progress().retried() == 1 && execution.progress().processed() == 4);
    assertThat(attemptsOfA1).containsExactly(t0);
    assertThat(execution.isDone()).isFalse();

    clock.advance(Duration.ofHours(1));
    await().until(() -> execution.progress().retried() == 2);
    assertThat(attemptsOfA1).containsExactly(t0, t0.plus(Duration.ofHours(1)));
    assertThat(execution.isDone()).isFalse();

    clock.advance(Duration.ofHours(2));
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(attemptsOfA1).containsExactly(t0, t0.plus(Duration.ofHours(1)), t0.plus(Duration.ofHours(3)));
    assertThat(backoffs).containsExactly(Duration.ofHours(1), Duration.ofHours(2));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(5);
    assertThat(report.retried()).isEqualTo(2);
    assertThat(report.failed()).isEqualTo(2);
    assertThat(report.deadLettered()).isZero();
    assertThat(report.duration()).isEqualTo(Duration.ofHours(3));
    // The retry kept the event id and counted attempts.
    assertThat(handler.events().stream().filter(e -> e.assetId().equals("a-1")))
        .extracting(ReprocessEvent::attempt).containsExactly(1, 2, 3);
    assertThat(handler.events().stream().filter(e -> e.assetId().equals("a-1"))
        .map(ReprocessEvent::eventId).distinct()).hasSize(1);
  }

  @Test
  void exactlyTheFailingIdsAreDeadLetteredAfterTheirAttempts() {
    Set<String> failing = Set.of("a-3", "a-50", "a-99", "a-120");
    RecordingHandler handler = new RecordingHandler().failFor(failing).skipFor(Set.of("a-7"));
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    List<DeadLetter> heard = new CopyOnWriteArrayList<>();
    JobReport report = ReprocessJob.builder("dead-letters")
        .selector(InMemorySelector.ofIds(ids(150), 3))
        .handler(handler)
        .pageSize(10)
        .retry(RetryOptions.custom().maxAttempts(4).initialBackoff(Duration.ZERO).build())
        .deadLetterSink(dls)
        .listener(new JobListener() {
          @Override
          public void onDeadLetter(DeadLetter deadLetter) {
            heard.add(deadLetter);
          }
        })
        .build()
        .run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(dls.deadLetters()).extracting(d -> d.event().assetId()).containsExactlyInAnyOrderElementsOf(failing);
    assertThat(dls.deadLetters()).allSatisfy(d -> {
      assertThat(d.attempts()).isEqualTo(4);
      assertThat(d.event().attempt()).isEqualTo(4);
      assertThat(d.errorClass()).isEqualTo(RetriableException.class.getName());
      assertThat(d.errorMessage()).contains(d.event().assetId());
      assertThat(d.stackTrace()).contains("RecordingHandler");
      assertThat(d.event().jobName()).isEqualTo("dead-letters");
    });
    assertThat(heard).hasSize(4);
    assertThat(handler.attemptsByAssetId()).allSatisfy((id, n) ->
        assertThat(n).as(id).isEqualTo(failing.contains(id) ? 4 : 1));
    assertThat(report.deadLettered()).isEqualTo(4);
    assertThat(report.failed()).isEqualTo(16);
    assertThat(report.retried()).isEqualTo(12);
    assertThat(report.skipped()).isEqualTo(1);
    assertThat(report.succeeded()).isEqualTo(145);
    assertThat(report.failuresByType()).containsExactly(java.util.Map.entry(RetriableException.class.getName(), 16L));
    assertThat(report.deadLetterDestination()).isEqualTo("in memory");
  }

  @Test
  void nonRetriableFailuresGoStraightToTheDeadLetterFile() {
    RecordingHandler handler = new RecordingHandler().failFor(Set.of("a-2"))
        .failWith(e -> new IllegalArgumentException("asset " + e.assetId() + " has a bad payload"));
    FileDeadLetterSink dls = new FileDeadLetterSink(dir.resolve("dlq/dead.jsonl"));
    JobReport report = ReprocessJob.builder("bad-input")
        .selector(InMemorySelector.ofIds(ids(10), 1))
        .handler(handler)
        .deadLetterSink(dls)
        .build()
        .run();
    dls.close();
    List<DeadLetter> stored = FileDeadLetterSink.read(dls.file());
    assertThat(stored).singleElement().satisfies(d -> {
      assertThat(d.event().assetId()).isEqualTo("a-2");
      assertThat(d.attempts()).isEqualTo(1);
      assertThat(d.errorClass()).isEqualTo(IllegalArgumentException.class.getName());
    });
    assertThat(report.retried()).isZero();
    assertThat(report.deadLetterDestination()).startsWith("file ").endsWith("dead.jsonl");
  }

  @Test
  void aDeadLetterSinkThatThrowsFailsTheJobAndTheEventIsNotCheckpointed() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    DeadLetterSink broken = d -> {
      throw new ReprocessException("dead-letter topic unavailable");
    };
    JobReport report = ReprocessJob.builder("dls-broken")
        .selector(InMemorySelector.ofIds(ids(20), 1))
        .handler(new RecordingHandler().failFor(Set.of("a-7")))
        .pageSize(5)
        .concurrency(1)
        .retry(RetryOptions.noRetry())
        .deadLetterSink(broken)
        .checkpointStore(store)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure()).get().asString().contains("could not store the dead letter of asset a-7");
    // Page a-5..a-9 holds the event nobody kept: the checkpoint stays before it.
    assertThat(store.load("dls-broken").get("mem-0").cursor()).isEqualTo(Cursor.of("5"));

    InMemoryDeadLetterSink working = new InMemoryDeadLetterSink();
    RecordingHandler again = new RecordingHandler().failFor(Set.of("a-7"));
    JobReport rerun = ReprocessJob.builder("dls-broken")
        .selector(InMemorySelector.ofIds(ids(20), 1)).handler(again).pageSize(5)
        .retry(RetryOptions.noRetry()).deadLetterSink(working).checkpointStore(store).build().run();
    assertThat(rerun.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(working.deadLetters()).extracting(d -> d.event().assetId()).containsExactly("a-7");
    assertThat(again.events()).extracting(ReprocessEvent::assetId).containsExactlyInAnyOrderElementsOf(ids(5, 20));
  }

  @Test
  void failFastStopsTheJobAtTheFirstDeadLetter() {
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    JobReport report = ReprocessJob.builder("fail-fast")
        .selector(InMemorySelector.ofIds(ids(2000), 1))
        .handler(new RecordingHandler().failFor(Set.of("a-3")))
        .pageSize(10)
        .concurrency(2)
        .retry(RetryOptions.noRetry())
        .deadLetterSink(dls)
        .failFast(true)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure()).get().asString().contains("a-3", "failFast");
    assertThat(dls.deadLetters()).extracting(d -> d.event().assetId()).containsExactly("a-3");
    assertThat(report.selected()).isLessThan(2000);
  }

  @Test
  void withoutFailFastOneFailureStopsNothingElse() {
    RecordingHandler handler = new RecordingHandler().failFor(Set.of("a-3"));
    JobReport report = ReprocessJob.builder("no-fail-fast")
        .selector(InMemorySelector.ofIds(ids(300), 2))
        .handler(handler)
        .retry(RetryOptions.noRetry())
        .deadLetterSink(new InMemoryDeadLetterSink())
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.distinctHandledAssetIds()).hasSize(299);
  }

  /** A handler failure whose getMessage() (and so toString()) itself throws. */
  static final class BrokenMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    @Override
    public String getMessage() {
      throw new UnsupportedOperationException("no message today");
    }
  }


  @Test
  void aFailureWhoseGetMessageThrowsIsRetriedAndDeadLetteredLikeAnyOther() {
    RecordingHandler handler = new RecordingHandler().failFor(Set.of("a-4"))
        .failWith(e -> new BrokenMessageException());
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    List<Throwable> retriedWith = new CopyOnWriteArrayList<>();
    JobReport[] reports = new JobReport[1];
    List<ILoggingEvent> logs = EngineLogs.capture(() -> reports[0] = ReprocessJob.builder("broken-message")
        .selector(InMemorySelector.ofIds(ids(10), 1))
        .handler(handler)
        .retry(RetryOptions.custom().maxAttempts(3).initialBackoff(Duration.ZERO).build())
        .deadLetterSink(dls)
        .listener(new JobListener() {
          @Override
          public void onRetry(ReprocessEvent failedAttempt, Throwable failure, Duration backoff) {
            retriedWith.add(failure);
          }
        })
        .build()
        .run());
    JobReport report = reports[0];

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(9);
    assertThat(report.retried()).isEqualTo(2);
    assertThat(report.deadLettered()).isEqualTo(1);
    assertThat(retriedWith).hasSize(2).allMatch(t -> t instanceof BrokenMessageException);
    assertThat(report.failuresByType()).containsExactly(
        java.util.Map.entry(BrokenMessageException.class.getName(), 3L));
    assertThat(dls.deadLetters()).singleElement().satisfies(d -> {
      assertThat(d.event().assetId()).isEqualTo("a-4");
      assertThat(d.attempts()).isEqualTo(3);
      assertThat(d.errorClass()).isEqualTo(BrokenMessageException.class.getName());
      assertThat(d.errorMessage()).isEqualTo("(getMessage() threw java.lang.UnsupportedOperationException)");
      assertThat(d.stackTrace()).startsWith(BrokenMessageException.class.getName()
          + " (toString() threw java.lang.UnsupportedOperationException)\n\tat ");
    });
    // The dead letter is as writable as any other (JSON lines, Kafka dead-letter topic).
    DeadLetter copy = dev.reprocess.json.EventJson.deadLetterFromBytes(
        dev.reprocess.json.EventJson.deadLetterToBytes(dls.deadLetters().get(0)));
    assertThat(copy).isEqualTo(dls.deadLetters().get(0));
    assertThat(logs).extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.contains("asset a-4 dead-lettered after 3 attempt(s)")
            && m.contains(BrokenMessageException.class.getName() + " (toString() threw"));
  }

  @Test
  void aFailureWhoseGetMessageThrowsStillFailsAFailFastJobWithItsClassNamed() {
    List<JobReport> heard = new CopyOnWriteArrayList<>();
    JobReport[] reports = new JobReport[1];
    List<ILoggingEvent> logs = EngineLogs.capture(() -> reports[0] = ReprocessJob.builder("broken-message-fail-fast")
        .selector(InMemorySelector.ofIds(ids(5), 1))
        .handler(new RecordingHandler().failFor(Set.of("a-1")).failWith(e -> new BrokenMessageException()))
        .retry(RetryOptions.noRetry())
        .listener(new JobListener() {
          @Override
          public void onJobFinished(JobReport report) {
            heard.add(report);
          }
        })
        .failFast(true)
        .build()
        .run());
    JobReport report = reports[0];
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.deadLettered()).isEqualTo(1);
    assertThat(report.failure()).get().asString()
        .contains("failFast", BrokenMessageException.class.getName() + " (toString() threw");
    assertThat(heard).containsExactly(report);
    // The default dead-letter sink logged it, naming the class and why there is no message.
    assertThat(logs).extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.contains("asset a-1 dead-lettered after 1 attempt(s): "
            + BrokenMessageException.class.getName()
            + ": (getMessage() threw java.lang.UnsupportedOperationException)"));
    assertThat(logs).extracting(ILoggingEvent::getFormattedMessage)
        .noneMatch(m -> m.contains("could not finish cleanly"));
  }
}
