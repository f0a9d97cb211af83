package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A job with a {@link BatchEventHandler}: batches bounded by {@code maxBatchSize} and the free
 * permits, every event once, per-event outcomes, retries and dead letters, and checkpoints that
 * never pass an event still in a call.
 */
class BatchHandlerTest {
  private static final RetryOptions FAST_RETRIES = RetryOptions.custom().maxAttempts(3)
      .initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(2)).build();

  @Test
  void batchesHoldAtMostMaxBatchSizeEventsInSelectionOrderAndEveryEventIsHandledOnce() {
    List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
    JobReport report = ReprocessJob.builder("batches")
        .selector(InMemorySelector.ofIds(ids(1000), 1))
        .pageSize(1000) // one page, one slice: the first thread claims alone until its first call
        .concurrency(8)
        .batchHandler(events -> {
          batches.add(events.stream().map(e -> Integer.parseInt(e.assetId().substring(2))).toList());
          return null;
        }, 5)
        .build()
        .run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(1000);
    List<Integer> all = new ArrayList<>();
    for (List<Integer> b : batches) {
      assertThat(b).hasSizeBetween(1, 5).isSorted();
      all.addAll(b);
    }
    assertThat(all).hasSize(1000).doesNotHaveDuplicates();
    // The first batch: 7 of the 8 permits are free and 999 events unclaimed.
    assertThat(batches.stream().mapToInt(List::size).max().orElse(0)).isEqualTo(5);
  }

  @Test
  void fullBatchesNeedFewThreadsNotOneThreadPerPermit() {
    // 1,000 permits and batches of up to 100: the calls in flight at once, not the permits, set
    // how many handler threads the job starts (it started all 1,000 before).
    AtomicInteger most = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    JobReport report = ReprocessJob.builder("batch-threads")
        .selector(InMemorySelector.ofIds(ids(100_000), 4))
        .concurrency(1000)
        .batchHandler(events -> {
          if (calls.incrementAndGet() % 50 == 1) {
            most.accumulateAndGet(handlerThreads("reprocess-batch-threads-handler-"), Math::max);
          }
          return null;
        }, 100)
        .build()
        .run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(100_000);
    assertThat(most.get()).as("handler threads alive during the run").isBetween(1, 200);
  }

  private static int handlerThreads(String prefix) {
    int n = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void anEventMarkedFailedIsRetriedAloneThenDeadLetteredWhileItsBatchMatesSucceed() {
    AtomicInteger callsWithA7 = new AtomicInteger();
    JobReport report = ReprocessJob.builder("batch-failure")
        .selector(InMemorySelector.ofIds(ids(200), 2))
        .pageSize(50)
        .concurrency(8)
        .retry(FAST_RETRIES)
        .batchHandler(events -> {
          BatchResult result = BatchResult.allSucceeded();
          for (ReprocessEvent e : events) {
            if (e.assetId().equals("a-7")) {
              callsWithA7.incrementAndGet();
              assertThat(e.attempt() == 1 || events.size() == 1).as("a retry comes alone").isTrue();
              result.failed(e, new RetriableException("a-7 is refused"));
            } else if (e.assetId().equals("a-8")) {
              result.skipped(e);
            }
          }
          return result;
        }, 5)
        .build()
        .run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(198);
    assertThat(report.skipped()).isEqualTo(1);
    assertThat(report.deadLettered()).isEqualTo(1);
    assertThat(report.retried()).isEqualTo(2);
    assertThat(callsWithA7.get()).isEqualTo(3);
  }

  @Test
  void aWholeCallThatThrowsFailsEveryEventOfItsBatchAndEachIsRetried() {
    AtomicBoolean thrown = new AtomicBoolean();
    AtomicInteger thrownBatch = new AtomicInteger();
    JobReport report = ReprocessJob.builder("batch-throws")
        .selector(InMemorySelector.ofIds(ids(300), 1))
        .pageSize(300) // one page, one slice: the first batch is claimed alone
        .concurrency(8)
        .retry(FAST_RETRIES)
        .batchHandler(events -> {
          // The batch holding a-0 is the first one claimed.
          if (events.get(0).assetId().equals("a-0") && thrown.compareAndSet(false, true)) {
            thrownBatch.set(events.size());
            throw new RetriableException("bulk request refused");
          }
          return BatchResult.allSucceeded();
        }, 5)
        .build()
        .run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(300);
    assertThat(thrown).isTrue();
    assertThat(thrownBatch.get()).as("the first batch: 7 of 8 permits free").isEqualTo(5);
    assertThat(report.retried()).as("each event of the failed batch").isEqualTo(5);
    assertThat(report.deadLettered()).isZero();
  }

  @Test
  void aHungBatchHoldsItsEventsAndNoCheckpointPassesThemWhileTheOthersGoOn() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    AtomicBoolean hung = new AtomicBoolean();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    JobExecution execution = ReprocessJob.builder("batch-hung")
        .selector(InMemorySelector.ofIds(ids(1000), 1))
        .checkpointStore(store)
        .pageSize(100)
        .concurrency(8)
        .batchHandler(events -> {
          if (events.stream().anyMatch(e -> e.assetId().equals("a-3"))) {
            hung.set(true);
            unblock.await(); // no handlerTimeout: hung until the test lets it go
          }
          handled.addAndGet(events.size());
          return null;
        }, 5)
        .build()
        .start();

    // The hung batch holds at most 5 events; every other event goes through.
    Waits.await().until(() -> hung.get() && handled.get() >= 995);
    assertThat(store.load("batch-hung")).isEmpty(); // page 1 waits for the hung batch
    unblock.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(1000);
    assertThat(store.load("batch-hung").values()).allMatch(Checkpoint::completed);
  }

  @Test
  void badBatchOptionsAreRefusedNamingThem() {
    BatchEventHandler ok = events -> null;
    assertThatThrownBy(() -> ReprocessJob.builder("b").batchHandler(null, 5))
        .hasMessage("batchHandler is null: it must be the host's BatchEventHandler");
    assertThatThrownBy(() -> ReprocessJob.builder("b").batchHandler(ok, 0))
        .hasMessage("maxBatchSize is 0: it must be between 1 and " + ReprocessJob.MAX_CONCURRENCY);
    assertThatThrownBy(() -> ReprocessJob.builder("b").batchHandler(ok, ReprocessJob.MAX_CONCURRENCY + 1))
        .hasMessageStartingWith("maxBatchSize is 10001");
    EventSink sink = event -> java.util.concurrent.CompletableFuture.completedFuture(Outcome.SUCCEEDED);
    assertThatThrownBy(() -> ReprocessJob.builder("b").selector(InMemorySelector.ofIds(ids(1), 1))
        .batchHandler(ok, 5).sink(sink).build())
        .hasMessage("batchHandler (maxBatchSize 5) and sink (" + sink.describe() + ") are both set: a job requires"
            + " exactly one of handler, batchHandler or sink");
    EventHandler plain = event -> Outcome.SUCCEEDED;
    assertThatThrownBy(() -> ReprocessJob.builder("b").selector(InMemorySelector.ofIds(ids(1), 1))
        .handler(plain).batchHandler(ok, 5).build())
        .hasMessage("handler and batchHandler were both called, the last being batchHandler (maxBatchSize 5): a job"
            + " requires exactly one of handler, batchHandler or sink; batchHandler takes the place of handler, so"
            + " call only one of them");
    assertThatThrownBy(() -> ReprocessJob.builder("b").selector(InMemorySelector.ofIds(ids(1), 1))
        .batchHandler(ok, 5).handler(plain).build())
        .hasMessageStartingWith("batchHandler and handler were both called, the last being handler ("
            + plain.getClass().getName() + "): a job requires exactly one of handler, batchHandler or sink");
    assertThat(ReprocessJob.builder("b").selector(InMemorySelector.ofIds(ids(1), 1)).batchHandler(ok, 5)
        .build().toString()).contains("in-process, batches of up to 5");
  }
}
