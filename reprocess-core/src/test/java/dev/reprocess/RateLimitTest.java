package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.reprocess.Waits.await;

import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.ManualClock;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The job's rate limit, driven by an injected clock: no test here waits for real time to pass. */
class RateLimitTest {

  @Test
  void deliversAtMostTheConfiguredRateOfTheInjectedClock() {
    ManualClock clock = new ManualClock();
    Instant t0 = clock.instant();
    List<Instant> deliveredAt = new CopyOnWriteArrayList<>();
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      deliveredAt.add(clock.instant());
      return null;
    });
    JobExecution execution = ReprocessJob.builder("rate")
        .selector(InMemorySelector.ofIds(ids(30), 1))
        .handler(handler)
        .pageSize(30)
        .concurrency(30)
        .maxEventsPerSecond(10)
        .clock(clock)
        .build()
        .start();

    // Wait on what the hook recorded, not on handler.count(): the handler counts a call before its
    // hook reads the clock, so advancing on the count could race the hook.
    await().until(() -> deliveredAt.size() == 1);
    for (int step = 1; step < 30; step++) {
      clock.advance(Duration.ofMillis(100));
      int expected = step + 1;
      await().until(() -> deliveredAt.size() >= expected);
      // Ten events per second of clock time: never more than one per 100 ms step.
      assertThat(deliveredAt).hasSize(expected);
    }
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.succeeded()).isEqualTo(30);
    List<Instant> expectedTimes = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      expectedTimes.add(t0.plusMillis(100L * i));
    }
    assertThat(deliveredAt).containsExactlyElementsOf(expectedTimes);
    assertThat(report.duration()).isEqualTo(Duration.ofMillis(2900));
  }

  @Test
  void retriesTakeRatePermitsToo() {
    ManualClock clock = new ManualClock();
    Instant t0 = clock.instant();
    List<Instant> deliveredAt = new CopyOnWriteArrayList<>();
    RecordingHandler handler = new RecordingHandler().failTimes("a-0", 1).beforeEach(e -> {
      deliveredAt.add(clock.instant());
      return null;
    });
    JobExecution execution = ReprocessJob.builder("rate-retry")
        .selector(InMemorySelector.ofIds(ids(2), 1))
        .handler(handler)
        .concurrency(1)
        .maxEventsPerSecond(1)
        .retry(RetryOptions.custom().initialBackoff(Duration.ZERO).jitter(0).build())
        .clock(clock)
        .build()
        .start();
    await().until(() -> deliveredAt.size() == 1);
    clock.advance(Duration.ofSeconds(1));
    await().until(() -> deliveredAt.size() == 2);
    clock.advance(Duration.ofSeconds(1));
    assertThat(execution.await(Duration.ofSeconds(30)).succeeded()).isEqualTo(2);
    assertThat(deliveredAt).containsExactly(t0, t0.plusSeconds(1), t0.plusSeconds(2));
  }
}
