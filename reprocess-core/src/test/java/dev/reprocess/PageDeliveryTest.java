package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.internal.InProcessSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How a job with a handler delivers its pages: the handler threads pull a page's events, each
 * taking its permit just before its call (see InProcessSink). What a user relies on: the
 * concurrency bound, every thread used by a slow handler, a hung event holding only its own
 * thread, retries never starved by threads waiting for permits, and selection order.
 */
class PageDeliveryTest {

  @Test
  void aSlowHandlerGetsEveryThreadAndNeverMoreCallsAtOnceThanTheConcurrency() throws Exception {
    int concurrency = 8;
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch allRunning = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      int now = running.incrementAndGet();
      most.accumulateAndGet(now, Math::max);
      if (now == concurrency) {
        allRunning.countDown();
      }
      // The first calls wait until every thread is in a call: this fails if threads do not all join.
      assertThat(allRunning.await(30, TimeUnit.SECONDS)).as("all %d threads in a call", concurrency).isTrue();
      running.decrementAndGet();
      return null;
    });
    JobReport report = ReprocessJob.builder("slow-handler")
        .selector(InMemorySelector.ofIds(ids(200), 1))
        .pageSize(50)
        .concurrency(concurrency)
        .handler(handler)
        .build()
        .run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(200);
    assertThat(most.get()).isEqualTo(concurrency);
  }

  @Test
  void aHungEventHoldsOnlyItsOwnThreadAndTheRestOfItsRunAndLaterPagesGoOn() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (e.assetId().equals("a-3")) {
        unblock.await(); // no handlerTimeout: hung until the test lets it go
      }
      return null;
    });
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    JobExecution execution = ReprocessJob.builder("hung-event")
        .selector(InMemorySelector.ofIds(ids(1000), 1))
        .checkpointStore(store)
        .pageSize(100)
        .concurrency(4)
        .handler(handler)
        .build()
        .start();

    // Page 1 (a-0 to a-99) holds a-3; the thread in its call may hold the events it claimed with
    // it (its run, at most MAX_RUN of the same page). Every other event is handled meanwhile.
    Waits.await().until(() -> handler.handledAssetIds().containsAll(ids(100, 1000))
        && handler.handled().size() >= 1000 - InProcessSink.MAX_RUN);
    assertThat(handler.handledAssetIds()).doesNotContain("a-3");
    assertThat(store.load("hung-event")).isEmpty(); // page 1 waits for a-3: no checkpoint may pass it
    unblock.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(1000);
    assertThat(handler.distinctHandledAssetIds()).hasSize(1000);
  }

  @Test
  void aTimedOutCallHandsTheRestOfItsRunToTheOtherThreads() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (e.assetId().equals("a-40") && e.attempt() == 1) {
        unblock.await(); // until the test lets it go; its call times out first
      }
      return null;
    });
    JobExecution execution = ReprocessJob.builder("timed-out-run")
        .selector(InMemorySelector.ofIds(ids(200), 1))
        .pageSize(100)
        .concurrency(4)
        .handlerTimeout(Duration.ofMillis(200))
        .handler(handler)
        .build()
        .start();

    // Whichever thread's run a-40 was in, the rest of it goes to other threads once the call
    // times out: every other event is handled while the first call of a-40 is still blocked.
    List<String> others = new ArrayList<>(ids(200));
    others.remove("a-40");
    Waits.await().until(() -> handler.handledAssetIds().containsAll(others));
    assertThat(unblock.getCount()).isEqualTo(1);
    unblock.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded() + report.deadLettered()).isEqualTo(200);
  }

  @Test
  void theReaderReadsOnePageAheadOfTheHandlerThreadsNotTheWholeWindow() throws Exception {
    // Both threads hang in the first two events: the other 8 events of page 1 cannot start. The
    // reader may read page 2 meanwhile, then must wait for page 1's events to start rather than
    // read on up to its 16 pages in flight (unstarted events would pile up in memory).
    CountDownLatch unblock = new CountDownLatch(1);
    AtomicInteger inCall = new AtomicInteger();
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      inCall.incrementAndGet();
      unblock.await();
      return null;
    });
    InMemorySelector selector = InMemorySelector.ofIds(ids(1000), 1);
    JobExecution execution = ReprocessJob.builder("read-ahead")
        .selector(selector)
        .pageSize(10)
        .concurrency(2)
        .handler(handler)
        .build()
        .start();

    Waits.await().until(() -> inCall.get() == 2 && Waits.readerWaitsIn("read-ahead",
        "java.util.concurrent.CompletableFuture", "join"));
    assertThat(selector.pagesRead()).isEqualTo(2);
    unblock.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(1000);
  }

  @Test
  void aShardsLastPageStillInTheHandlerDoesNotHoldTheNextShard() throws Exception {
    // One reader thread, two shards of one page each: while mem-0's events hang in the handler,
    // the reader goes on to mem-1, whose events are handled and checkpointed; mem-0 is
    // checkpointed once its events are final.
    CountDownLatch unblock = new CountDownLatch(1);
    AtomicInteger secondShardHandled = new AtomicInteger();
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (e.shardId().equals("mem-0")) {
        unblock.await();
      } else {
        secondShardHandled.incrementAndGet();
      }
      return null;
    });
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    JobExecution execution = ReprocessJob.builder("next-shard")
        .selector(InMemorySelector.ofIds(ids(20), 2))
        .pageSize(10)
        .shardsInParallel(1)
        .concurrency(20)
        .checkpointStore(store)
        .handler(handler)
        .build()
        .start();

    Waits.await().until(() -> secondShardHandled.get() == 10
        && store.load("next-shard").containsKey("mem-1") && store.load("next-shard").get("mem-1").completed());
    assertThat(store.load("next-shard")).as("mem-0's events are still in the handler").doesNotContainKey("mem-0");
    unblock.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(20);
    assertThat(store.load("next-shard").get("mem-0").completed()).isTrue();
    assertThat(store.load("next-shard").get("mem-0").selected()).isEqualTo(10);
  }

  @Test
  void theReaderReadsOnePageAheadAcrossShardsToo() throws Exception {
    // Ten shards of one page each, one reader thread: while page 1's events cannot start, the
    // reader may read the next shard's page, then waits; it does not run through every shard.
    CountDownLatch unblock = new CountDownLatch(1);
    AtomicInteger inCall = new AtomicInteger();
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      inCall.incrementAndGet();
      unblock.await();
      return null;
    });
    InMemorySelector selector = InMemorySelector.ofIds(ids(100), 10);
    JobExecution execution = ReprocessJob.builder("read-ahead-shards")
        .selector(selector)
        .pageSize(10)
        .shardsInParallel(1)
        .concurrency(2)
        .handler(handler)
        .build()
        .start();

    Waits.await().until(() -> inCall.get() == 2 && Waits.readerWaitsIn("read-ahead-shards",
        "java.util.concurrent.CompletableFuture", "join"));
    assertThat(selector.pagesRead()).isEqualTo(2);
    unblock.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(100);
  }

  @Test
  void retriesHoldingEveryPermitAreNotStarvedByThreadsWaitingForPermits() {
    // Every first attempt fails: the retries hold all the permits while the pool's threads wait
    // for permits to start the page's next events.
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (e.attempt() == 1) {
        throw new RetriableException("first attempt of " + e.assetId());
      }
      return null;
    });
    JobReport report = ReprocessJob.builder("retries-hold-permits")
        .selector(InMemorySelector.ofIds(ids(300), 2))
        .pageSize(50)
        .concurrency(2)
        .retry(RetryOptions.custom().initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(2)).build())
        .handler(handler)
        .build()
        .start()
        .await(Duration.ofSeconds(60));

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(300);
    assertThat(report.retried()).isEqualTo(300);
  }

  @Test
  void oneThreadHandlesTheEventsInSelectionOrder() {
    RecordingHandler handler = new RecordingHandler();
    List<String> ids = ids(1234);
    JobReport report = ReprocessJob.builder("in-order")
        .selector(InMemorySelector.ofIds(ids, 1))
        .pageSize(100)
        .concurrency(1)
        .handler(handler)
        .build()
        .run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.handledAssetIds()).containsExactlyElementsOf(ids);
  }
}
