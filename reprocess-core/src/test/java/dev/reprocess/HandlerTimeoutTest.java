package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static dev.reprocess.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A handler call running past handlerTimeout fails its attempt; the job neither waits nor shrinks. */
class HandlerTimeoutTest {

  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static final Duration PAST_LIMIT = LIMIT.plusSeconds(1);

  /** Released after each test, so the abandoned handler threads end. */
  private final CountDownLatch endOfTest = new CountDownLatch(1);
  private final AtomicInteger interruptsIgnored = new AtomicInteger();
  /** "assetId#attempt@thread" of every call, in start order. */
  private final List<String> calls = new CopyOnWriteArrayList<>();

  @AfterEach
  void releaseHungHandlers() {
    endOfTest.countDown();
  }

  /** Hangs on asset a-0 until the end of the test, ignoring interrupts; handles the others at once. */
  private EventHandler hangingOnA0() {
    return e -> {
      calls.add(e.assetId() + "#" + e.attempt() + "@" + Thread.currentThread().getName());
      if (e.assetId().equals("a-0")) {
        while (true) {
          try {
            endOfTest.await();
            break;
          } catch (InterruptedException ignored) {
            interruptsIgnored.incrementAndGet();
          }
        }
      }
      return Outcome.SUCCEEDED;
    };
  }

  private long callsOf(String assetId) {
    return calls.stream().filter(c -> c.startsWith(assetId + "#")).count();
  }

  private String threadOf(String assetId, int attempt) {
    return calls.stream().filter(c -> c.startsWith(assetId + "#" + attempt + "@")).findFirst()
        .map(c -> c.substring(c.indexOf('@') + 1)).orElseThrow();
  }

  @Test
  void aHandlerHangingPastTheLimitIsRetriedThenDeadLetteredAndItsThreadReplaced() {
    ManualClock clock = new ManualClock();
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    JobExecution execution = ReprocessJob.builder("hangs")
        .selector(InMemorySelector.ofIds(ids(5), 1))
        .handler(hangingOnA0())
        .concurrency(1)
        .handlerTimeout(LIMIT)
        .retry(RetryOptions.custom().maxAttempts(2).initialBackoff(Duration.ZERO).build())
        .deadLetterSink(dls)
        .clock(clock)
        .build()
        .start();

    await().until(() -> callsOf("a-0") == 1);
    assertThat(execution.progress().processed()).isZero(); // the only thread is held by a-0
    clock.advance(PAST_LIMIT);
    await().until(() -> callsOf("a-0") == 2);
    assertThat(execution.progress().retried()).isEqualTo(1);
    clock.advance(PAST_LIMIT);
    JobReport report = execution.await(Duration.ofSeconds(30));

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(4);
    assertThat(report.deadLettered()).isEqualTo(1);
    assertThat(report.failuresByType()).isEqualTo(Map.of(HandlerTimeoutException.class.getName(), 2L));
    assertThat(dls.deadLetters()).singleElement().satisfies(d -> {
      assertThat(d.event().assetId()).isEqualTo("a-0");
      assertThat(d.attempts()).isEqualTo(2);
      assertThat(d.errorClass()).isEqualTo(HandlerTimeoutException.class.getName());
      assertThat(d.errorMessage()).contains("time limit of PT10S", "asset a-0", "attempt 2",
          "interrupted and replaced");
    });
    // Each timed-out call was interrupted; its thread left the pool and a new one took its place,
    // so the pool of one thread went on with the other assets.
    await().until(() -> interruptsIgnored.get() == 2);
    String first = threadOf("a-0", 1);
    String second = threadOf("a-0", 2);
    assertThat(first).isNotEqualTo(second);
    for (String id : ids(1, 5)) {
      assertThat(threadOf(id, 1)).isNotIn(first, second);
    }
  }

  @Test
  void cancelWithAHungHandlerFinishesOnceTheCallTimesOut() {
    ManualClock clock = new ManualClock();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    JobExecution execution = ReprocessJob.builder("cancel-hung")
        .selector(InMemorySelector.ofIds(ids(10), 1))
        .handler(hangingOnA0())
        .concurrency(2)
        .handlerTimeout(LIMIT)
        .deadLetterSink(dls)
        .checkpointStore(store)
        .clock(clock)
        .build()
        .start();
    await().until(() -> callsOf("a-0") == 1 && execution.progress().processed() == 9);

    execution.cancel();
    assertThat(execution.isDone()).isFalse(); // a-0 still holds its call and no time passed
    clock.advance(PAST_LIMIT);
    JobReport report = execution.await(Duration.ofSeconds(30));

    assertThat(report.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(report.succeeded()).isEqualTo(9);
    assertThat(report.failuresByType()).isEqualTo(Map.of(HandlerTimeoutException.class.getName(), 1L));
    // Cancelled before its retry: not final, not dead-lettered, and its page is not checkpointed,
    // so the next run delivers a-0 again.
    assertThat(dls.deadLetters()).isEmpty();
    assertThat(callsOf("a-0")).isEqualTo(1);
    assertThat(store.load("cancel-hung")).isEmpty();
    await().until(() -> interruptsIgnored.get() == 1);
  }

  @Test
  void aHandlerFinishingWithinTheLimitIsUnaffected() {
    ManualClock clock = new ManualClock();
    Duration justUnder = LIMIT.minusMillis(1);
    JobReport report = ReprocessJob.builder("in-time")
        .selector(InMemorySelector.ofIds(ids(5), 1))
        .handler(e -> {
          calls.add(e.assetId() + "#" + e.attempt() + "@" + Thread.currentThread().getName());
          clock.advance(justUnder); // the call takes just under the limit, on the job's clock
          return Outcome.SUCCEEDED;
        })
        .concurrency(1)
        .handlerTimeout(LIMIT)
        .clock(clock)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(5);
    assertThat(report.failed()).isZero();
    assertThat(calls).hasSize(5).allMatch(c -> c.endsWith("@reprocess-in-time-handler-1"));
  }

  @Test
  void onTheSystemClockAHungCallTimesOutInRealTime() {
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    JobReport report = ReprocessJob.builder("hangs-real-time")
        .selector(InMemorySelector.ofIds(ids(3), 1))
        .handler(hangingOnA0())
        // Long enough that the calls that return at once never run past it on a loaded machine.
        .handlerTimeout(Duration.ofSeconds(2))
        .retry(RetryOptions.noRetry())
        .deadLetterSink(dls)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(2);
    assertThat(dls.deadLetters()).singleElement()
        .satisfies(d -> assertThat(d.errorClass()).isEqualTo(HandlerTimeoutException.class.getName()));
  }
}
