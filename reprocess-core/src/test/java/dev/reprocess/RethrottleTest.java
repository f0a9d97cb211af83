package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static dev.reprocess.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.ManualClock;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link JobExecution#rethrottle} and {@link JobExecution#concurrency} on a running job. */
class RethrottleTest {

  @Test
  void aJobBuiltWithoutARateGetsOneLiveThenAFasterOneThenNone() {
    ManualClock clock = new ManualClock();
    Instant t0 = clock.instant();
    List<Instant> deliveredAt = new CopyOnWriteArrayList<>();
    Semaphore proceed = new Semaphore(0);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      deliveredAt.add(clock.instant());
      proceed.acquire();
      return null;
    });
    // Concurrency 1: the next event reserves its permit only once the blocked one is let go.
    JobExecution execution = ReprocessJob.builder("rethrottle")
        .selector(InMemorySelector.ofIds(ids(10), 1))
        .handler(handler)
        .concurrency(1)
        .clock(clock)
        .build()
        .start();
    await().until(() -> handler.count() == 1);

    execution.rethrottle(2);
    proceed.release();
    await().until(() -> handler.count() == 2); // the new limiter's first permit is free
    proceed.release();
    clock.advance(Duration.ofMillis(499));
    assertThat(handler.count()).isEqualTo(2);
    clock.advance(Duration.ofMillis(1));
    await().until(() -> handler.count() == 3); // 500 ms apart at 2 per second

    execution.rethrottle(10);
    proceed.release();
    await().until(() -> handler.count() == 4);
    proceed.release();
    clock.advance(Duration.ofMillis(100));
    await().until(() -> handler.count() == 5); // 100 ms apart at 10 per second

    execution.rethrottle(0);
    proceed.release(100);
    JobReport report = execution.await(Duration.ofSeconds(30));

    assertThat(report.succeeded()).isEqualTo(10);
    Instant t500 = t0.plusMillis(500);
    Instant t600 = t0.plusMillis(600);
    assertThat(deliveredAt).containsExactly(t0, t0, t500, t500, t600, t600, t600, t600, t600, t600);
  }

  @Test
  void loweringConcurrencyCapsEventsInFlightAndRaisingItLetsMoreIn() {
    Semaphore proceed = new Semaphore(0);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostRunningAfterLowering = new AtomicInteger();
    AtomicBoolean lowered = new AtomicBoolean();
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      int now = running.incrementAndGet();
      if (lowered.get()) {
        mostRunningAfterLowering.accumulateAndGet(now, Math::max);
      }
      proceed.acquire();
      running.decrementAndGet();
      return null;
    });
    JobExecution execution = ReprocessJob.builder("concurrency")
        .selector(InMemorySelector.ofIds(ids(40), 1))
        .handler(handler)
        .pageSize(10)
        .concurrency(4)
        .build()
        .start();
    await().until(() -> running.get() == 4);

    execution.concurrency(2);
    lowered.set(true);
    assertThat(execution.progress().concurrencyLimit()).isEqualTo(2);
    proceed.release(4); // the four in flight finish; two new ones start, no more
    await().until(() -> handler.count() == 6 && running.get() == 2);
    assertThat(execution.progress().inFlight()).isEqualTo(2);
    proceed.release(1);
    await().until(() -> handler.count() == 7 && running.get() == 2);
    assertThat(mostRunningAfterLowering.get()).isEqualTo(2);

    execution.concurrency(4);
    await().until(() -> running.get() == 4);
    assertThat(execution.progress().concurrencyLimit()).isEqualTo(4);
    proceed.release(100);
    assertThat(execution.await(Duration.ofSeconds(30)).succeeded()).isEqualTo(40);
  }

  @Test
  void badValuesAreRefusedWithTheOptionTheValueAndTheRule() {
    Semaphore proceed = new Semaphore(0);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      proceed.acquire();
      return null;
    });
    JobExecution execution = ReprocessJob.builder("bad-limits")
        .selector(InMemorySelector.ofIds(ids(3), 1))
        .handler(handler)
        .concurrency(4)
        .build()
        .start();
    await().until(() -> handler.count() == 3);

    for (double rate : new double[] {-1, Double.NaN, -0.0, 0.0001, 2e9}) {
      assertThatThrownBy(() -> execution.rethrottle(rate))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxEventsPerSecond is " + rate)
          .hasMessageContaining("it must be 0 (no limit) or between 0.001 and 1.0E9");
    }
    assertThatThrownBy(() -> execution.concurrency(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("concurrency is 0: it must be 1 to 4");
    assertThatThrownBy(() -> execution.concurrency(5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("concurrency is 5: it must be 1 to 4");
    assertThat(execution.progress().concurrencyLimit()).isEqualTo(4);
    proceed.release(3);
    assertThat(execution.await(Duration.ofSeconds(30)).succeeded()).isEqualTo(3);
  }

  @Test
  void aFinishedJobIgnoresValidChanges() {
    JobExecution execution = ReprocessJob.builder("finished")
        .selector(InMemorySelector.ofIds(ids(2), 1))
        .handler(new RecordingHandler())
        .concurrency(4)
        .build()
        .start();
    execution.await(Duration.ofSeconds(30));

    execution.rethrottle(5);
    execution.concurrency(1);
    assertThat(execution.progress().concurrencyLimit()).isEqualTo(4);
    assertThatThrownBy(() -> execution.concurrency(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
