package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.internal.InProcessSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.ManualClock;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Runs of fast handler calls (InProcessSink claims up to MAX_RUN events at once and keeps its
 * permit from one to the next): whatever mix of fast, slow, failing and skipped calls, every asset
 * is handled, the counts add up, nothing stays in flight, a checkpoint never passes an event still
 * in a call, and a hung call never holds events outside its own run while threads are free.
 */
class HandlerRunTest {

  /**
   * A selector whose paginators hand out their first page at once and wait for {@code gate}
   * before each later one: the test decides when the next page reaches the handler threads.
   */
  private static AssetSelector gatedAfterFirstPage(InMemorySelector inner, CountDownLatch gate) {
    return PageReadHooks.beforeEachRead(inner, (shard, read) -> {
      if (read > 1) {
        gate.await();
      }
    });
  }

  /** Whether every main-lane handler thread of the job (at least one) waits, outside its pull loop. */
  private static boolean handlerThreadsIdle(String job) {
    String prefix = "reprocess-" + job + "-handler-";
    int threads = 0;
    for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
      String name = t.getKey().getName();
      if (!name.startsWith(prefix) || !name.substring(prefix.length()).matches("[0-9]+")) {
        continue;
      }
      threads++;
      boolean pulling = false;
      for (StackTraceElement frame : t.getValue()) {
        if (frame.getClassName().equals("dev.reprocess.internal.InProcessSink")
            && frame.getMethodName().equals("pull")) {
          pulling = true;
        }
      }
      if (pulling || t.getKey().getState() != Thread.State.WAITING) {
        return false;
      }
    }
    return threads > 0;
  }

  /**
   * Starts a job of 200 ids in pages of 100, concurrency 4, on a manual clock that never moves
   * (every call measures 0 ns, so the threads run fast runs), and returns once page 1 is handled and
   * every handler thread is idle; page 2, the last, arrives when {@code page2} is counted down.
   */
  private static JobExecution startWithFastFirstPage(String job, RecordingHandler handler, CountDownLatch page2) {
    return startWithFastFirstPage(job, 200, handler, page2);
  }

  /** {@link #startWithFastFirstPage(String, RecordingHandler, CountDownLatch)} with {@code assets} ids: the pages after the first arrive when {@code later} is counted down. */
  private static JobExecution startWithFastFirstPage(String job, int assets, RecordingHandler handler,
      CountDownLatch later) {
    JobExecution execution = ReprocessJob.builder(job)
        .selector(gatedAfterFirstPage(InMemorySelector.ofIds(ids(assets), 1), later))
        .pageSize(100)
        .concurrency(4)
        .clock(new ManualClock())
        .handler(handler)
        .build()
        .start();
    Waits.await().until(() -> handler.distinctHandledAssetIds().containsAll(ids(100)) && handlerThreadsIdle(job));
    return execution;
  }

  private static void assertCompletedWithEveryId(JobExecution execution) throws InterruptedException {
    assertCompletedWithEveryId(execution, 200);
  }

  private static void assertCompletedWithEveryId(JobExecution execution, int assets) throws InterruptedException {
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(assets);
  }

  @Test
  void aHungCallAfterFastCallsLeavesTheRestOfItsPageToTheOtherThreads() throws Exception {
    // After page 1's fast runs, page 2 arrives: one thread claims a run of it and hangs in a-100.
    // The page's events after that run must still be handled by the other free threads.
    assertAHungCallHoldsOnlyItsRun("hung-after-fast", 200);
  }

  @Test
  void pagesArrivingWhileACallHangsInARunOfFastCallsAreHandled() throws Exception {
    // After page 1's fast runs, pages 2 and 3 arrive: a thread claims a run of page 2 and hangs in
    // a-100, possibly the only thread in a run when page 3 arrives. Page 3 must be handled too.
    assertAHungCallHoldsOnlyItsRun("hung-then-pages", 300);
  }

  /**
   * Runs {@code assets} ids in pages of 100 after a fast first page, a-100 hanging (no
   * handlerTimeout: until the test lets it go), and checks that every event outside a-100's run
   * (a-100 to a-131 at most) is handled while a-100 hangs, and that the job then completes.
   */
  private static void assertAHungCallHoldsOnlyItsRun(String job, int assets) throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    CountDownLatch laterPages = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (e.assetId().equals("a-100")) {
        unblock.await();
      }
      return null;
    });
    JobExecution execution;
    try {
      execution = startWithFastFirstPage(job, assets, handler, laterPages);
      laterPages.countDown();
      List<String> outsideRun = ids(assets).subList(100 + InProcessSink.MAX_RUN, assets);
      Waits.await().until(() -> handler.distinctHandledAssetIds().containsAll(outsideRun));
      assertThat(unblock.getCount()).isEqualTo(1);
    } finally {
      laterPages.countDown();
      unblock.countDown();
    }
    assertCompletedWithEveryId(execution, assets);
  }

  @Test
  void callsThatBlockAfterFastCallsStillGetEveryThreadOfTheConcurrency() throws Exception {
    // After page 1's fast runs, every call of page 2 blocks: the threads must still join until
    // the job's concurrency, 4, are in calls at once.
    CountDownLatch unblock = new CountDownLatch(1);
    CountDownLatch page2 = new CountDownLatch(1);
    AtomicInteger inCalls = new AtomicInteger();
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (Integer.parseInt(e.assetId().substring(2)) >= 100) {
        inCalls.incrementAndGet();
        try {
          unblock.await();
        } finally {
          inCalls.decrementAndGet();
        }
      }
      return null;
    });
    JobExecution execution;
    try {
      execution = startWithFastFirstPage("blocking-after-fast", handler, page2);
      page2.countDown();
      Waits.await().until(() -> inCalls.get() == 4);
    } finally {
      page2.countDown();
      unblock.countDown();
    }
    assertCompletedWithEveryId(execution);
  }

  @Test
  void aCallTimingOutInARunCountsTheRunsSuccessesBeforeItsDeadLetter() throws Exception {
    // A manual clock: every call measures 0 ns (fast), and a call times out only when the test
    // advances the clock. a-0 fails alone (the first claim is one event) with the same reason a
    // timeout has; then a-1 to a-4 are one run: a-1 succeeds, a-2 hangs and times out. With
    // stopAfterSameFailures(2), a-2's dead letter is the second in a row, but a-1 succeeded
    // before it, so the job must go on (the streak counts only while nothing succeeded).
    ManualClock clock = new ManualClock();
    CountDownLatch inA2 = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (e.assetId().equals("a-0")) {
        throw new HandlerTimeoutException("a-0 gave up by itself");
      }
      if (e.assetId().equals("a-2")) {
        inA2.countDown();
        never.await(); // until interrupted at its timeout
      }
      return null;
    });
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    JobExecution execution = ReprocessJob.builder("timeout-in-run")
        .selector(InMemorySelector.ofIds(ids(5), 1))
        .pageSize(5)
        .concurrency(1)
        .handlerTimeout(Duration.ofSeconds(10))
        .retry(RetryOptions.custom().maxAttempts(1).build())
        .deadLetterSink(dls)
        .stopAfterSameFailures(2)
        .clock(clock)
        .handler(handler)
        .build()
        .start();
    assertThat(inA2.await(30, TimeUnit.SECONDS)).isTrue();
    clock.advance(Duration.ofSeconds(11));
    JobReport report = execution.await(Duration.ofSeconds(30));

    assertThat(report.status()).as("%s", report.failureCause()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(3);
    assertThat(report.deadLettered()).isEqualTo(2);
    assertThat(dls.deadLetters()).hasSize(2);
  }

  @Test
  void mixedFastSlowFailingAndSkippedCallsAllSettleAndAddUp() throws Exception {
    mixedRounds("mixed-", 20261206L, 8, 300, 2000, 1, 0, null, (x, h, n, c) -> { });
  }

  @Test
  void mixedCallsWithTimedOutCallsMidRunStillSettleAndAddUp() throws Exception {
    mixedRounds("timeouts-", 61206L, 5, 300, 1200, 1, 0, Duration.ofMillis(20), (x, h, n, c) -> { });
  }

  @Test
  void mixedCallsSettleAndAddUpThroughPausesLoweredConcurrencyAndRethrottles() throws Exception {
    mixedRounds("disturbed-", 6122026L, 6, 600, 1500, 2, 200_000, null, (execution, handler, n, concurrency) -> {
      Waits.await().until(() -> handler.count() >= n / 4 || execution.isDone());
      execution.pause();
      Waits.await().until(() -> execution.progress().status() == JobStatus.PAUSED
          || execution.isDone());
      execution.concurrency(1); // lowered while paused: runs give their permits back
      execution.resume();
      Waits.await().until(() -> handler.count() >= n / 2 || execution.isDone());
      execution.rethrottle(100_000);
      execution.concurrency(concurrency);
      Waits.await().until(() -> handler.count() >= 3 * n / 4 || execution.isDone());
      execution.concurrency(Math.max(1, concurrency / 3));
    });
  }

  /**
   * {@code rounds} jobs of seeded random sizes: {@code minIds} plus up to {@code idSpread} ids,
   * concurrency {@code minConcurrency} to 16, pages of 1 to 80, 1 to 3 shards and attempts.
   */
  private void mixedRounds(String prefix, long seedOfSeeds, int rounds, int minIds, int idSpread,
      int minConcurrency, double maxEventsPerSecond, Duration handlerTimeout, RoundDisturbance disturbance)
      throws Exception {
    Random seeds = new Random(seedOfSeeds);
    for (int round = 0; round < rounds; round++) {
      long seed = seeds.nextLong();
      Random r = new Random(seed);
      int n = minIds + r.nextInt(idSpread);
      int concurrency = minConcurrency + r.nextInt(17 - minConcurrency);
      int pageSize = 1 + r.nextInt(80);
      int shards = 1 + r.nextInt(3);
      int maxAttempts = 1 + r.nextInt(3);
      runMixed(prefix + round, seed, n, concurrency, pageSize, shards, maxAttempts, maxEventsPerSecond,
          handlerTimeout, (execution, handler) -> disturbance.disturb(execution, handler, n, concurrency));
    }
  }

  /** What a test does to a running round, knowing its size and concurrency. */
  private interface RoundDisturbance {
    void disturb(JobExecution execution, RecordingHandler handler, int n, int concurrency) throws Exception;
  }

  /** A run of a job is cancelled midway: counts stay within the selection, nothing stays in flight, and a checkpoint passes only final events. */
  @Test
  void aCancelMidRunLeavesNothingInFlightAndCheckpointsOnlyFinalEvents() throws Exception {
    Random seeds = new Random(1206L);
    for (int round = 0; round < 6; round++) {
      long seed = seeds.nextLong();
      Random r = new Random(seed);
      int n = 500 + r.nextInt(1500);
      int concurrency = 1 + r.nextInt(16);
      int pageSize = 1 + r.nextInt(60);
      String job = "cancelled-" + round;
      String what = job + " seed=" + seed + " n=" + n + " concurrency=" + concurrency + " pageSize=" + pageSize;
      Set<String> finalIds = ConcurrentHashMap.newKeySet();
      RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
        if (Math.floorMod(e.assetId().hashCode() ^ seed, 5) == 0) {
          LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        return null;
      });
      InMemoryCheckpointStore store = new InMemoryCheckpointStore();
      JobExecution execution = ReprocessJob.builder(job)
          .selector(InMemorySelector.ofIds(ids(n), 2))
          .checkpointStore(store)
          .pageSize(pageSize)
          .concurrency(concurrency)
          .checkpointInterval(Duration.ZERO)
          .handler(handler)
          .build()
          .start();
      Waits.await().until(() -> handler.count() >= n / 3 || execution.isDone());
      execution.cancel();
      JobReport report = execution.await(Duration.ofSeconds(60));
      finalIds.addAll(handler.distinctHandledAssetIds());

      assertThat(report.status()).as(what).isIn(JobStatus.CANCELLED, JobStatus.COMPLETED);
      assertThat(execution.progress().inFlight()).as(what).isZero();
      assertThat(report.succeeded()).as(what).isEqualTo(handler.distinctHandledAssetIds().size());
      assertThat(report.succeeded()).as(what).isLessThanOrEqualTo(n);
      for (Checkpoint cp : store.load(job).values()) {
        int cursor = Integer.parseInt(cp.cursor().value());
        int from = cp.shardId().equals("mem-0") ? 0 : n / 2;
        // Every asset of the shard before its checkpoint's cursor was handled in this run.
        for (int i = from; i < cursor; i++) {
          assertThat(finalIds).as(what + " " + cp).contains("a-" + i);
        }
      }
      RecordingHandler second = new RecordingHandler();
      JobReport rerun = ReprocessJob.builder(job)
          .selector(InMemorySelector.ofIds(ids(n), 2))
          .checkpointStore(store)
          .pageSize(pageSize)
          .concurrency(concurrency)
          .handler(second)
          .build()
          .run();
      assertThat(rerun.status()).as(what).isEqualTo(JobStatus.COMPLETED);
      Set<String> all = new HashSet<>(finalIds);
      all.addAll(second.distinctHandledAssetIds());
      assertThat(all).as(what).hasSize(n);
    }
  }

  /** What the test thread does to a running job (pause, rethrottle...) before it waits for the end. */
  private interface Disturbance {
    void apply(JobExecution execution, RecordingHandler handler) throws Exception;
  }

  private void runMixed(String job, long seed, int n, int concurrency, int pageSize, int shards,
      int maxAttempts, double maxEventsPerSecond, Duration handlerTimeout, Disturbance disturbance)
      throws Exception {
    String what = job + " seed=" + seed + " n=" + n + " concurrency=" + concurrency + " pageSize="
        + pageSize + " shards=" + shards + " maxAttempts=" + maxAttempts;
    // Per asset: 0 fast, 1 slow (past the run's fast-call bound), 2 skipped, 3 fails once,
    // 4 always fails (dead letter), 5 fails once slowly.
    Random r = new Random(seed);
    int[] kind = new int[n];
    Set<String> skip = new HashSet<>();
    Set<String> deadLetter = new HashSet<>();
    for (int i = 0; i < n; i++) {
      int p = r.nextInt(100);
      kind[i] = p < 60 ? 0 : p < 72 ? 1 : p < 82 ? 2 : p < 90 ? 3 : p < 95 ? 4 : 5;
      if (handlerTimeout != null && p < 2) {
        kind[i] = 6; // its first call runs past the handler timeout
      }
      if (kind[i] == 2) {
        skip.add("a-" + i);
      } else if (kind[i] == 4 || (kind[i] == 3 || kind[i] == 5 || kind[i] == 6) && maxAttempts == 1) {
        deadLetter.add("a-" + i);
      }
    }
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    InMemorySelector selector = InMemorySelector.ofIds(ids(n), shards);
    Map<String, AtomicInteger> inCall = new ConcurrentHashMap<>();
    AtomicReference<String> passed = new AtomicReference<>();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    RecordingHandler handler = new RecordingHandler().skipFor(skip).beforeEach(e -> {
      int now = running.incrementAndGet();
      most.accumulateAndGet(now, Math::max);
      try {
        int i = Integer.parseInt(e.assetId().substring(2));
        // While this event is in a call, its page is unfinished: no checkpoint may pass it.
        Checkpoint cp = store.load(job).get(e.shardId());
        if (cp != null && !cp.completed() && Integer.parseInt(cp.cursor().value()) > i) {
          passed.compareAndSet(null, e.assetId() + " in a call, checkpoint at " + cp.cursor().value());
        }
        if (cp != null && cp.completed()) {
          passed.compareAndSet(null, e.assetId() + " in a call, shard completed");
        }
        switch (kind[i]) {
          case 1 -> LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
          case 3 -> {
            if (e.attempt() == 1) {
              throw new IllegalStateException("once " + e.assetId());
            }
          }
          case 4 -> throw new IllegalStateException("always " + e.assetId());
          case 5 -> {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            if (e.attempt() == 1) {
              throw new IllegalStateException("once slowly " + e.assetId());
            }
          }
          case 6 -> {
            if (e.attempt() == 1) {
              LockSupport.parkNanos(handlerTimeout.multipliedBy(10).toNanos()); // interrupted at the timeout
            }
          }
          default -> { }
        }
        return null;
      } finally {
        running.decrementAndGet();
      }
    });
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    ReprocessJob.Builder builder = ReprocessJob.builder(job)
        .selector(selector)
        .checkpointStore(store)
        .pageSize(pageSize)
        .concurrency(concurrency);
    if (handlerTimeout != null) {
      builder.handlerTimeout(handlerTimeout);
    }
    if (maxEventsPerSecond > 0) {
      builder.maxEventsPerSecond(maxEventsPerSecond);
    }
    JobExecution execution = builder
        .retry(RetryOptions.custom().maxAttempts(maxAttempts).initialBackoff(Duration.ZERO).build())
        .deadLetterSink(dls)
        .checkpointInterval(Duration.ZERO)
        .stopAfterSameFailures(0)
        .handler(handler)
        .build()
        .start();
    disturbance.apply(execution, handler);
    JobReport report = execution.await(Duration.ofSeconds(60));

    assertThat(report.status()).as(what).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.events().stream().map(ReprocessEvent::assetId).distinct().count()).as(what)
        .isEqualTo(n);
    assertThat(report.succeeded() + report.skipped() + report.deadLettered()).as(what).isEqualTo(n);
    if (handlerTimeout == null) {
      assertThat(report.skipped()).as(what).isEqualTo(skip.size());
      assertThat(report.deadLettered()).as(what).isEqualTo(deadLetter.size());
      assertThat(report.succeeded()).as(what).isEqualTo(n - skip.size() - deadLetter.size());
    } else { // on a busy machine any call may run past the short limit: more dead letters, fewer passed
      assertThat(report.deadLettered()).as(what).isGreaterThanOrEqualTo(deadLetter.size());
      assertThat(report.skipped()).as(what).isLessThanOrEqualTo(skip.size());
    }
    assertThat(dls.deadLetters()).as(what).hasSize((int) report.deadLettered());
    assertThat(execution.progress().inFlight()).as(what).isZero();
    assertThat(passed.get()).as(what).isNull();
    if (handlerTimeout == null) { // a timed-out call may still run until it sees its interrupt
      assertThat(most.get()).as(what).isLessThanOrEqualTo(concurrency);
    }
    assertThat(report.succeeded() + report.skipped() + report.deadLettered()).as(what)
        .isEqualTo(report.selected());
    assertThat(store.load(job).values()).as(what).allMatch(Checkpoint::completed);
  }
}
