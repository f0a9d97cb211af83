package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** A selector's start cursor is checkpointed before the first event and used by every later run. */
class StartCursorTest {

  /** 30 ids in 3 shards whose start cursor is a position {@code offset} into each shard. */
  private static final class Pinning implements AssetSelector {
    final InMemorySelector ids = InMemorySelector.ofIds(ids(30), 3);
    final int offset;
    final Map<String, Cursor> openedAt = new ConcurrentHashMap<>();

    Pinning(int offset) {
      this.offset = offset;
    }

    @Override
    public List<Shard> shards() {
      return ids.shards();
    }

    @Override
    public Paginator open(Shard shard, Cursor from, int pageSize) {
      openedAt.put(shard.id(), from);
      return ids.open(shard, from, pageSize);
    }

    @Override
    public Cursor startCursor(Shard shard) {
      return Cursor.of(Integer.toString(Integer.parseInt(shard.property("from")) + offset));
    }
  }

  @Test
  void theStartCursorIsCheckpointedBeforeTheFirstEventAndAResumedRunKeepsIt() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    Pinning first = new Pinning(2);
    Map<String, Map<String, Checkpoint>> atFirstEvent = new ConcurrentHashMap<>();
    RecordingHandler stopsAtOnce = new RecordingHandler().beforeEach(e -> {
      atFirstEvent.putIfAbsent("store", store.load("pin"));
      throw new IllegalStateException("stop");
    });

    JobReport failed = ReprocessJob.builder("pin").selector(first).checkpointStore(store).handler(stopsAtOnce)
        .shardsInParallel(1).failFast(true).build().run();

    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(atFirstEvent.get("store")).hasSize(3).allSatisfy((id, cp) -> {
      assertThat(cp.state()).isEqualTo(Checkpoint.State.IN_PROGRESS);
      assertThat(cp.selected()).isZero();
    });
    assertThat(atFirstEvent.get("store").get("mem-1").cursor()).isEqualTo(Cursor.of("12"));

    Pinning second = new Pinning(5);
    RecordingHandler handler = new RecordingHandler();
    JobReport report = ReprocessJob.builder("pin").selector(second).checkpointStore(store).handler(handler).build().run();

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(second.openedAt.get("mem-1")).as("the first run's pinned start, not this run's").isEqualTo(Cursor.of("12"));
    assertThat(second.openedAt.get("mem-2")).isEqualTo(Cursor.of("22"));
    assertThat(handler.handledAssetIds()).containsAll(ids(12, 20)).containsAll(ids(22, 30)).doesNotContain("a-20", "a-21");
  }
}
