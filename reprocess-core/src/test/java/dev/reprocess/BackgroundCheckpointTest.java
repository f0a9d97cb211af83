package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static dev.reprocess.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Checkpoints are written in the background (issue 15: a fenced save must not stall the reader). */
class BackgroundCheckpointTest {

  /** A store whose first save blocks until released; records the cursors it was asked to write. */
  private static final class SlowStore extends DelegatingCheckpointStore {
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> saves = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void save(Checkpoint checkpoint) {
      if (calls.incrementAndGet() == 1) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      saves.add(checkpoint.cursor().value());
      memory.save(checkpoint);
    }
  }

  @Test
  void theReaderGoesOnDuringASlowSaveAndOnlyTheNewestPendingCheckpointIsWrittenNext() {
    SlowStore store = new SlowStore();
    RecordingHandler handler = new RecordingHandler();
    JobExecution execution = ReprocessJob.builder("slow-save")
        .selector(InMemorySelector.ofIds(ids(40), 1))
        .handler(handler)
        .pageSize(2)
        .concurrency(4)
        .checkpointStore(store)
        .checkpointInterval(Duration.ZERO) // a write as soon as possible, 4 final pages unwritten at most
        .build()
        .start();

    // The first save blocks (page 1's, or a later one if pages were final before it started).
    // Pages become final meanwhile until 4 are unwritten (the bound, the blocked write's pages
    // included), then the reader waits to hand in the next checkpoint.
    await().until(() -> Waits.readerWaitsIn("slow-save", "dev.reprocess.internal.CheckpointWriter$Shard",
        "submit"));
    assertThat(store.calls).hasValue(1);
    assertThat(store.saves).isEmpty();

    store.release.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    List<Integer> cursors = store.saves.stream().map(Integer::parseInt).toList();
    assertThat(cursors).isSorted().doesNotHaveDuplicates().endsWith(40).allMatch(c -> c % 2 == 0);
    // Pages 1 to 4 were final during the blocked write: covered by it and by one more write, which
    // takes the newest pending checkpoint (page 4's, or a later one the reader handed in first).
    assertThat(cursors).hasSizeGreaterThanOrEqualTo(2);
    assertThat(cursors.get(1)).isGreaterThanOrEqualTo(8);
    assertThat(cursors.stream().filter(c -> c <= 8)).hasSizeLessThanOrEqualTo(2);
    Checkpoint last = store.memory.load("slow-save").get("mem-0");
    assertThat(last.state()).isEqualTo(Checkpoint.State.COMPLETED);
    assertThat(last.selected()).isEqualTo(40);
    assertThat(handler.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(40));
  }

  @Test
  void withAnIntervalAShardReadWithinItWritesOnlyItsLastCheckpoint() {
    SlowStore store = new SlowStore();
    store.release.countDown();
    JobReport report = ReprocessJob.builder("interval")
        .selector(InMemorySelector.ofIds(ids(40), 1))
        .handler(new RecordingHandler())
        .pageSize(2)
        .checkpointStore(store)
        .checkpointInterval(Duration.ofHours(1))
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(store.saves).as("the shard's last checkpoint, at once").containsExactly("40");
    assertThat(store.memory.load("interval").get("mem-0").state()).isEqualTo(Checkpoint.State.COMPLETED);
  }

  @Test
  void aCancelWritesTheLatestCheckpointAtOnceWhateverTheInterval() {
    SlowStore store = new SlowStore();
    store.release.countDown();
    CountDownLatch hold = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (e.assetId().equals("a-31")) {
        hold.await();
      }
      return null;
    });
    JobExecution execution = ReprocessJob.builder("interval-cancel")
        .selector(InMemorySelector.ofIds(ids(4_000), 1))
        .handler(handler)
        .pageSize(2)
        .checkpointStore(store)
        .checkpointInterval(Duration.ofHours(1))
        .build()
        .start();
    // a-30 shares a-31's page, before it: once it is handled, that page is final when a-31 is let
    // go (an event after a hung one in its page may wait for it: it may be in the same thread's run).
    await().until(() -> handler.handledAssetIds().containsAll(ids(31)));
    execution.cancel();
    hold.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.CANCELLED);
    // The pages in flight at the cancel finish; the latest checkpoint, past a-31's page, is written
    // at the stop, not an hour later.
    assertThat(store.saves).as("the latest checkpoint, at the stop").hasSize(1);
    Checkpoint last = store.memory.load("interval-cancel").get("mem-0");
    assertThat(last.state()).isEqualTo(Checkpoint.State.IN_PROGRESS);
    assertThat(Integer.parseInt(last.cursor().value())).isBetween(32, 3_998);
    assertThat(store.saves.get(store.saves.size() - 1)).isEqualTo(last.cursor().value());
  }

  @Test
  void aSaveRefusedForALostLeaseFailsTheJobAndNoLaterCheckpointIsWritten() {
    InMemoryCheckpointStore memory = new InMemoryCheckpointStore();
    AtomicInteger calls = new AtomicInteger();
    CheckpointStore store = new DelegatingCheckpointStore(memory) {
      @Override
      public void save(Checkpoint checkpoint) {
        if (calls.incrementAndGet() >= 3) {
          throw new LeaseLostException("lease of job lost-lease taken over by host-b (token 7)");
        }
        memory.save(checkpoint);
      }
    };
    JobReport report = ReprocessJob.builder("lost-lease")
        .selector(InMemorySelector.ofIds(ids(200), 1))
        .handler(new RecordingHandler())
        .pageSize(2)
        .checkpointStore(store)
        .checkpointInterval(Duration.ZERO)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause()).hasRootCauseInstanceOf(LeaseLostException.class);
    assertThat(calls).as("no save after the refused one").hasValue(3);
    assertThat(memory.load("lost-lease").get("mem-0").state()).isEqualTo(Checkpoint.State.IN_PROGRESS);
  }

  @Test
  void theLastCheckpointsOfShardsReadWithinAnIntervalAreWrittenTogetherThroughTheLease() {
    InMemoryCheckpointStore memory = new InMemoryCheckpointStore();
    List<Integer> rounds = new CopyOnWriteArrayList<>();
    CheckpointStore store = new DelegatingCheckpointStore(memory) {
      @Override
      public void save(Checkpoint checkpoint) {
        throw new AssertionError("a run writes through its lease");
      }

      @Override
      public JobLease acquireLease(String jobName, String owner, Duration ttl, boolean takeOverExpired) {
        return new Lease(memory.acquireLease(jobName, owner, ttl, takeOverExpired)) {
          @Override
          public void saveAll(List<Checkpoint> checkpoints) {
            rounds.add(checkpoints.size());
            real.saveAll(checkpoints);
          }
        };
      }
    };
    JobReport report = ReprocessJob.builder("rounds")
        .selector(InMemorySelector.ofIds(ids(200), 50))
        .handler(new RecordingHandler())
        .pageSize(2)
        .shardsInParallel(1)
        .checkpointStore(store)
        .checkpointInterval(Duration.ofHours(1))
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.shardsCompleted()).isEqualTo(50);
    // Each reader went on to the next shard without waiting: the run's end wrote all 50 at once.
    assertThat(rounds).containsExactly(50);
    assertThat(memory.load("rounds").values()).hasSize(50).allMatch(Checkpoint::completed);
  }
}
