package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kills a run at a random page, re-runs it with the same checkpoint store, and checks the
 * at-least-once guarantee: every asset handled at least once, and no more duplicates than the
 * events that were in flight (two pages per shard being read).
 */
class CrashResumeTest {

  static final int ASSETS = 3000;
  static final int SHARDS = 8;
  static final int SHARDS_IN_PARALLEL = 3;
  static final int PAGE_SIZE = 25;
  static final int PAGES_IN_FLIGHT_PER_SHARD = 16;
  /** Final pages whose checkpoint is still being written in the background, at most (the engine's bound). */
  static final int PAGES_UNWRITTEN_PER_SHARD = 4;

  enum CrashPoint {
    /**
     * The checkpoint store dies at the first save past a random point of a shard: it and every
     * later save throw an Error.
     */
    CHECKPOINT_STORE,
    /** The handler throws an Error (as a dying process would) on a random asset's first attempt. */
    HANDLER
  }

  /**
   * A store that dies at the first save of a checkpoint past {@code crashAt} selected assets (a
   * shard's last checkpoint is past it, so it always dies): what it holds is what a crash leaves.
   */
  static final class DyingStore extends DelegatingCheckpointStore {
    final InMemoryCheckpointStore survivor;
    final int crashAt;
    final AtomicBoolean dead = new AtomicBoolean();

    DyingStore(InMemoryCheckpointStore survivor, int crashAt) {
      super(survivor);
      this.survivor = survivor;
      this.crashAt = crashAt;
    }

    @Override
    public void save(Checkpoint checkpoint) {
      if (dead.get() || checkpoint.selected() >= crashAt) {
        dead.set(true);
        throw new Error("simulated crash at a checkpoint save past " + crashAt + " assets");
      }
      survivor.save(checkpoint);
    }
  }

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void everyAssetIsHandledAtLeastOnceWithDuplicatesBoundedByTheEventsInFlight(CrashPoint point) {
    long seed = new Random().nextLong();
    for (int round = 0; round < 3; round++) {
      crashAndResume(point, seed + round);
    }
  }

  private void crashAndResume(CrashPoint point, long seed) {
    Random random = new Random(seed);
    String why = point + " crash, seed " + seed;
    InMemoryCheckpointStore survivor = new InMemoryCheckpointStore();
    CheckpointStore store = survivor;
    RecordingHandler first = new RecordingHandler();
    if (point == CrashPoint.CHECKPOINT_STORE) {
      store = new DyingStore(survivor, 1 + random.nextInt(ASSETS / SHARDS - 1));
    } else {
      String victim = "a-" + random.nextInt(ASSETS);
      AtomicBoolean died = new AtomicBoolean();
      first.beforeEach(e -> {
        if (e.assetId().equals(victim) && died.compareAndSet(false, true)) {
          throw new Error("simulated crash while handling " + victim);
        }
        return null;
      });
    }
    InMemorySelector selector = InMemorySelector.ofIds(ids(ASSETS), SHARDS);

    JobReport crashed = job(selector, store, first).run();
    assertThat(crashed.status()).as(why).isEqualTo(JobStatus.FAILED);
    assertThat(crashed.failure()).as(why).get().asString().contains("simulated crash");

    RecordingHandler second = new RecordingHandler();
    JobReport resumed = job(selector, survivor, second).run();
    assertThat(resumed.status()).as(why).isEqualTo(JobStatus.COMPLETED);

    Set<String> handled = new HashSet<>(first.handledAssetIds());
    handled.addAll(second.handledAssetIds());
    assertThat(handled).as(why).containsExactlyInAnyOrderElementsOf(ids(ASSETS));
    int deliveries = first.handledAssetIds().size() + second.handledAssetIds().size();
    int duplicates = deliveries - ASSETS;
    assertThat(duplicates).as(why)
        .isLessThanOrEqualTo((PAGES_IN_FLIGHT_PER_SHARD + PAGES_UNWRITTEN_PER_SHARD) * PAGE_SIZE * SHARDS_IN_PARALLEL);
    assertThat(survivor.load("crash").values()).as(why).hasSize(SHARDS).allMatch(Checkpoint::completed);
  }

  private static ReprocessJob job(InMemorySelector selector, CheckpointStore store, RecordingHandler handler) {
    return ReprocessJob.builder("crash")
        .selector(selector)
        .handler(handler)
        .pageSize(PAGE_SIZE)
        .shardsInParallel(SHARDS_IN_PARALLEL)
        .concurrency(16)
        .checkpointStore(store)
        .checkpointInterval(Duration.ZERO) // a write after every page: the page bound below
        .build();
  }
}
