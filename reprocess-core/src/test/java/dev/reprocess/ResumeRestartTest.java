package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.FileCheckpointStore;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeRestartTest {

  @TempDir Path dir;

  /** 30 ids in 3 shards: mem-0 = a-0..a-9, mem-1 = a-10..a-19, mem-2 = a-20..a-29. */
  private static ReprocessJob.Builder job(InMemorySelector selector, CheckpointStore store, EventHandler handler) {
    return ReprocessJob.builder("resume").selector(selector).handler(handler).pageSize(3)
        .shardsInParallel(2).checkpointStore(store);
  }

  @Test
  void aRerunSkipsCompletedShardsAndResumesTheOthersFromTheirCursor() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    store.save(new Checkpoint("resume", "mem-0", Cursor.of("10"), Checkpoint.State.COMPLETED, 10, 10, 0, 0, Instant.EPOCH));
    store.save(new Checkpoint("resume", "mem-1", Cursor.of("15"), Checkpoint.State.IN_PROGRESS, 5, 5, 0, 0, Instant.EPOCH));
    InMemorySelector selector = InMemorySelector.ofIds(ids(30), 3);
    RecordingHandler handler = new RecordingHandler();

    JobReport report = job(selector, store, handler).build().run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    List<String> expected = new ArrayList<>(ids(15, 20));
    expected.addAll(ids(20, 30));
    assertThat(handler.handledAssetIds()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(selector.opens()).isEqualTo(2);
    assertThat(report.selected()).isEqualTo(15);
    assertThat(report.shardsCompleted()).isEqualTo(3);
    assertThat(report.shardsTotal()).isEqualTo(3);
    // Checkpoint counters add up across runs.
    Checkpoint mem1 = store.load("resume").get("mem-1");
    assertThat(mem1.state()).isEqualTo(Checkpoint.State.COMPLETED);
    assertThat(mem1.selected()).isEqualTo(10);
    assertThat(mem1.succeeded()).isEqualTo(10);

    RecordingHandler third = new RecordingHandler();
    JobReport nothingLeft = job(selector, store, third).build().run();
    assertThat(nothingLeft.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(nothingLeft.selected()).isZero();
    assertThat(third.count()).isZero();
  }

  @Test
  void restartDeletesCheckpointsAndStartsEveryShardOver() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    InMemorySelector selector = InMemorySelector.ofIds(ids(30), 3);
    assertThat(job(selector, store, new RecordingHandler()).build().run().succeeded()).isEqualTo(30);

    RecordingHandler again = new RecordingHandler();
    JobReport report = job(selector, store, again).restart(true).build().run();
    assertThat(report.succeeded()).isEqualTo(30);
    assertThat(again.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(30));
    assertThat(store.load("resume").values()).allSatisfy(c -> {
      assertThat(c.completed()).isTrue();
      assertThat(c.selected()).isEqualTo(10);
    });
  }

  @Test
  void resumesFromAFileStoreReopenedAsAfterAProcessRestart() {
    InMemorySelector selector = InMemorySelector.ofIds(ids(30), 3);
    FileCheckpointStore first = new FileCheckpointStore(dir);
    first.save(new Checkpoint("resume", "mem-2", Cursor.of("26"), Checkpoint.State.IN_PROGRESS, 6, 6, 0, 0, Instant.EPOCH));

    RecordingHandler handler = new RecordingHandler();
    JobReport report = job(selector, new FileCheckpointStore(dir), handler).build().run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.selected()).isEqualTo(24);
    assertThat(handler.handledAssetIds()).doesNotContainAnyElementsOf(ids(20, 26)).hasSize(24);
    assertThat(new FileCheckpointStore(dir).load("resume").values()).hasSize(3).allMatch(Checkpoint::completed);
  }
}
