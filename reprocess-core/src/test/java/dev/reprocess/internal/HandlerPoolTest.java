package dev.reprocess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.EventHandler;
import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.MdcKeys;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The shared invocation path, on a manual clock: no call times out unless the test moves time. */
class HandlerPoolTest {

  private static final Duration LIMIT = Duration.ofSeconds(10);

  private final ManualClock clock = new ManualClock();
  private final BlockingQueue<ReprocessEvent> queue = new LinkedBlockingQueue<>();
  /** "assetId:result@thread" of every finished call, in order. */
  private final List<String> results = new CopyOnWriteArrayList<>();
  private final List<HandlerTimeoutException> timeouts = new CopyOnWriteArrayList<>();
  private final List<String> started = new CopyOnWriteArrayList<>();
  private final CountDownLatch endOfTest = new CountDownLatch(1);
  private HandlerPool pool;

  @AfterEach
  void close() {
    endOfTest.countDown();
    if (pool != null) {
      pool.close();
    }
  }

  private static ConditionFactory await() {
    return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
        .atMost(Duration.ofSeconds(30));
  }

  private static ReprocessEvent event(String assetId) {
    return new ReprocessEvent("e-" + assetId, "pool-test", assetId, "t", "shard-1", 1,
        Instant.parse("2026-01-01T00:00:00Z"), Map.of());
  }

  private HandlerPool start(int size, EventHandler handler) {
    pool = new HandlerPool("pool-test", size, LIMIT, Ticker.of(clock), () -> {
      ReprocessEvent e = queue.take();
      return thread -> {
        HandlerPool.Attempt a = thread.invoke(handler, e, timeouts::add);
        String result = a.timedOut() ? "timed out" : a.failure() != null ? a.failure().getMessage() : a.outcome().name();
        results.add(e.assetId() + ":" + result + "@" + Thread.currentThread().getName());
      };
    });
    return pool;
  }

  /** Hangs on asset "hangs" until the end of the test, ignoring interrupts. */
  private EventHandler hangingHandler() {
    return e -> {
      started.add(e.assetId());
      if (e.assetId().equals("hangs")) {
        while (endOfTest.getCount() > 0) {
          try {
            endOfTest.await();
          } catch (InterruptedException ignored) {
            // keep hanging
          }
        }
      }
      return null;
    };
  }

  @Test
  void aCallPastTheLimitTimesOutAndAFreshThreadTakesOverTheRest() throws Exception {
    start(1, hangingHandler()).addThread();
    queue.add(event("hangs"));
    queue.add(event("next"));
    await().until(() -> started.contains("hangs")); // the only thread holds "hangs"; "next" waits
    assertThat(results).isEmpty();

    clock.advance(LIMIT.plusMillis(1));
    // The replacement thread may finish "next" before the watchdog reports the time-out: wait for both.
    await().until(() -> results.size() == 1 && timeouts.size() == 1);

    assertThat(timeouts).singleElement().satisfies(t -> assertThat(t.getMessage())
        .contains("job 'pool-test'", "time limit of PT10S", "asset hangs", "attempt 1",
            "thread pool-test-1 was interrupted and replaced"));
    assertThat(results).containsExactly("next:SUCCEEDED@pool-test-2");

    endOfTest.countDown(); // the abandoned call returns: its result is ignored
    await().until(() -> results.size() == 2);
    assertThat(results.get(1)).isEqualTo("hangs:timed out@pool-test-1");
    assertThat(timeouts).hasSize(1);
  }

  @Test
  void onAJobHostTheThreadsAreTheHostsAndATimedOutOneGoesBackOnceItsCallReturns() throws Exception {
    JobHost host = new JobHost("pool-host");
    try {
      EventHandler hanging = hangingHandler();
      pool = new HandlerPool("pool-test", 1, LIMIT, Ticker.of(clock), () -> {
        ReprocessEvent e = queue.take();
        return thread -> {
          HandlerPool.Attempt a = thread.invoke(hanging, e, timeouts::add);
          results.add(e.assetId() + ":" + (a.timedOut() ? "timed out" : a.outcome().name()) + "@"
              + Thread.currentThread().getName());
        };
      }, host);
      pool.addThread();
      queue.add(event("hangs"));
      queue.add(event("next"));
      await().until(() -> started.contains("hangs"));
      // the handler thread and the watchdog, both borrowed
      assertThat(host.busyThreads()).isEqualTo(2);

      clock.advance(LIMIT.plusMillis(1));
      await().until(() -> results.size() == 1 && timeouts.size() == 1);
      assertThat(results).containsExactly("next:SUCCEEDED@pool-test-2");
      assertThat(timeouts).singleElement().satisfies(t -> assertThat(t.getMessage())
          .contains("thread pool-test-1 was interrupted and replaced"));

      endOfTest.countDown(); // the abandoned call returns: its thread goes back to the host
      await().until(() -> results.size() == 2);
      assertThat(results.get(1)).isEqualTo("hangs:timed out@pool-test-1");
      pool.close();
      // Every borrowed thread, the abandoned one included, is idle in the host again.
      await().until(() -> host.busyThreads() == 0);
    } finally {
      host.close();
    }
  }

  @Test
  void aCallWithinTheLimitReturnsItsOutcomeOrFailure() {
    start(1, e -> {
      clock.advance(LIMIT); // exactly the limit is not past it
      return switch (e.assetId()) {
        case "skip" -> Outcome.SKIPPED;
        case "fail" -> throw new IllegalStateException("disk full");
        default -> null;
      };
    });
    assertThat(pool.addThread()).isTrue();
    assertThat(pool.addThread()).as("the pool is full").isFalse();
    queue.addAll(List.of(event("ok"), event("skip"), event("fail")));

    await().until(() -> results.size() == 3);
    assertThat(results).extracting(r -> r.substring(0, r.indexOf('@')))
        .containsExactly("ok:SUCCEEDED", "skip:SKIPPED", "fail:disk full");
    assertThat(timeouts).isEmpty();
  }

  @Test
  void theHandlerSeesItsEventsMdcKeysAndTheEventKeyIsRemovedAfterEveryCall() {
    List<String> seen = new CopyOnWriteArrayList<>();
    List<String> after = new CopyOnWriteArrayList<>();
    EventHandler handler = e -> {
      seen.add(e.assetId() + ":" + MDC.get(MdcKeys.JOB) + "/" + MDC.get(MdcKeys.SHARD) + "/" + MDC.get(MdcKeys.EVENT));
      if (e.assetId().equals("fails")) {
        throw new IllegalStateException("boom");
      }
      return Outcome.SUCCEEDED;
    };
    pool = new HandlerPool("pool-test", 1, LIMIT, Ticker.of(clock), () -> {
      ReprocessEvent e = queue.take();
      return thread -> {
        if (e.assetId().equals("outer")) {
          MDC.put(MdcKeys.JOB, "host-value");
        }
        thread.invoke(handler, e, timeouts::add);
        after.add(e.assetId() + ":" + new java.util.TreeMap<>(MDC.getCopyOfContextMap()));
        MDC.clear();
      };
    });
    queue.add(event("fails"));
    queue.add(event("ok"));
    queue.add(event("outer"));
    pool.addThread();

    await().until(() -> after.size() == 3);
    assertThat(seen).containsExactly("fails:pool-test/shard-1/e-fails", "ok:pool-test/shard-1/e-ok",
        "outer:pool-test/shard-1/e-outer");
    // After a call the event key is gone; job and shard stay for the thread's next call, and a value
    // set under them before the call was replaced by the event's.
    assertThat(after).containsExactly("fails:{reprocess.job=pool-test, reprocess.shard=shard-1}",
        "ok:{reprocess.job=pool-test, reprocess.shard=shard-1}",
        "outer:{reprocess.job=pool-test, reprocess.shard=shard-1}");
  }

  @Test
  void rejectsABadSizeOrLimit() {
    assertThatThrownBy(() -> new HandlerPool("p", 0, null, Ticker.SYSTEM, () -> null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("threads is 0");
    assertThatThrownBy(() -> new HandlerPool("p", 1, Duration.ZERO, Ticker.SYSTEM, () -> null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("handlerTimeout is PT0S");
  }
}
