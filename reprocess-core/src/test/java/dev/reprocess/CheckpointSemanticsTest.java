package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static dev.reprocess.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CheckpointSemanticsTest {

  @Test
  void aCheckpointNeverPassesAPageWithAnEventNotFinal() {
    CountDownLatch release = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (e.assetId().equals("a-3")) {
        release.await();
      }
      return null;
    });
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    List<Cursor> written = new CopyOnWriteArrayList<>();
    JobExecution execution = ReprocessJob.builder("page-final")
        .selector(InMemorySelector.ofIds(ids(20), 1))
        .handler(handler)
        .pageSize(2)
        .concurrency(8)
        .checkpointStore(store)
        .listener(new JobListener() {
          @Override
          public void onPageCompleted(String jobName, Shard shard, Checkpoint checkpoint) {
            written.add(checkpoint.cursor());
          }
        })
        .build()
        .start();

    // a-3 (page 2) hangs; page 3 (a-4, a-5) is read and handled meanwhile.
    await().until(() -> handler.handledAssetIds().containsAll(List.of("a-2", "a-4", "a-5")));
    await().until(() -> store.load("page-final").get("mem-0") != null); // written in the background
    Checkpoint cp = store.load("page-final").get("mem-0");
    assertThat(cp.cursor()).isEqualTo(Cursor.of("2"));
    assertThat(cp.succeeded()).isEqualTo(2);
    // Later pages are read and handled while page 2 is unfinished (issue 18: a hung event does
    // not hold its shard); the checkpoint stays after page 1 meanwhile.
    List<String> allButTheHungOne = new ArrayList<>(ids(20));
    allButTheHungOne.remove("a-3");
    await().until(() -> handler.handledAssetIds().containsAll(allButTheHungOne));
    assertThat(store.load("page-final").get("mem-0").cursor()).isEqualTo(Cursor.of("2"));

    release.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    // Written in the background, newest first when writes queue up: page ends, in order, ending at 20.
    List<Integer> cursors = written.stream().map(c -> Integer.parseInt(c.value())).toList();
    assertThat(cursors).isSorted().doesNotHaveDuplicates().startsWith(2).endsWith(20)
        .allMatch(c -> c % 2 == 0);
    Checkpoint last = store.load("page-final").get("mem-0");
    assertThat(last.state()).isEqualTo(Checkpoint.State.COMPLETED);
    assertThat(last.selected()).isEqualTo(20);
    assertThat(last.succeeded()).isEqualTo(20);
  }

  @Test
  void theSinkIsFlushedAfterThePagesEventsAndBeforeItsCheckpoint() {
    List<String> log = new CopyOnWriteArrayList<>();
    AtomicInteger delivered = new AtomicInteger();
    EventSink sink = new EventSink() {
      @Override
      public CompletionStage<Outcome> deliver(ReprocessEvent event) {
        delivered.incrementAndGet();
        // Completes later, on another thread, like a broker acknowledgement.
        return CompletableFuture.supplyAsync(() -> Outcome.SUCCEEDED);
      }

      @Override
      public void flush() {
        log.add("flush after " + delivered.get());
      }
    };
    InMemoryCheckpointStore memory = new InMemoryCheckpointStore();
    CheckpointStore store = new DelegatingCheckpointStore(memory) {
      @Override
      public void save(Checkpoint checkpoint) {
        log.add("save " + checkpoint.cursor().value());
        memory.save(checkpoint);
      }
    };
    JobReport report = ReprocessJob.builder("flush-first")
        .selector(InMemorySelector.ofIds(ids(12), 1))
        .sink(sink)
        .pageSize(4)
        .checkpointStore(store)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    List<Integer> saves = log.stream().filter(s -> s.startsWith("save"))
        .map(s -> Integer.parseInt(s.substring(5))).toList();
    assertThat(saves).as("page ends in order; a write may cover several pages").isSorted()
        .doesNotHaveDuplicates().endsWith(12).allMatch(c -> c % 4 == 0);
    int flushedUpTo = -1; // events delivered at the latest flush logged so far
    for (String entry : log) {
      if (entry.startsWith("flush after ")) {
        flushedUpTo = Math.max(flushedUpTo, Integer.parseInt(entry.substring("flush after ".length())));
      } else {
        int cursor = Integer.parseInt(entry.substring(5));
        assertThat(flushedUpTo).as("events delivered when flushing before checkpoint %s", cursor)
            .isGreaterThanOrEqualTo(cursor);
      }
    }
  }

  @Test
  void anExternalSinkIsFlushedButNeverClosedByTheJob() {
    dev.reprocess.testing.RecordingSink sink = new dev.reprocess.testing.RecordingSink();
    JobReport report = ReprocessJob.builder("external-sink")
        .selector(InMemorySelector.ofIds(ids(10), 2))
        .sink(sink)
        .pageSize(3)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(sink.assetIds()).containsExactlyInAnyOrderElementsOf(ids(10));
    assertThat(sink.flushCount()).isGreaterThanOrEqualTo(4);
    assertThat(sink.isClosed()).isFalse();
  }

  @Test
  void theInProcessSinkMadeFromAHandlerIsCreatedForEachRunAndClosedByTheJob() {
    java.util.Set<String> handlerThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    ReprocessJob job = ReprocessJob.builder("owned-sink")
        .selector(InMemorySelector.ofIds(ids(10), 2))
        .handler(e -> {
          handlerThreads.add(Thread.currentThread().getName());
          return Outcome.SUCCEEDED;
        })
        .restart(true)
        .build();
    for (int run = 1; run <= 2; run++) {
      JobReport report = job.run();
      // A second run on a closed sink would fail every delivery: each run gets its own sink.
      assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(report.succeeded()).isEqualTo(10);
      assertThat(handlerThreads).isNotEmpty().allMatch(n -> n.startsWith("reprocess-owned-sink-handler-"));
      Waits.await().until(() -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.isAlive() && t.getName().startsWith("reprocess-owned-sink-handler-")));
    }
  }
}
