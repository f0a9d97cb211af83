package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShardReadFailureTest {

  /** Wraps a selector so that shard {@code failingShard} throws on its second page read. */
  static AssetSelector failingSecondPage(InMemorySelector inner, String failingShard,
      RuntimeException failure, int times) {
    AtomicInteger left = new AtomicInteger(times);
    return PageReadHooks.beforeEachRead(inner, (shard, read) -> {
      if (shard.id().equals(failingShard) && read >= 2 && left.getAndDecrement() > 0) {
        throw failure;
      }
    });
  }

  @Test
  void transientPageReadFailuresAreRetried() {
    RecordingHandler handler = new RecordingHandler();
    JobReport report = ReprocessJob.builder("read-retry")
        .selector(failingSecondPage(InMemorySelector.ofIds(ids(20), 2), "mem-1",
            new RetriableException("read timeout"), 2))
        .handler(handler)
        .pageSize(3)
        .retry(RetryOptions.custom().maxAttempts(3).initialBackoff(Duration.ofMillis(1)).build())
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(20));
  }

  @Test
  void aShardThatCannotBeReadFailsTheJobButTheOtherShardsFinish() {
    RecordingHandler handler = new RecordingHandler();
    JobReport report = ReprocessJob.builder("read-fail")
        .selector(failingSecondPage(InMemorySelector.ofIds(ids(30), 3), "mem-1",
            new ReprocessException("table dropped"), Integer.MAX_VALUE))
        .handler(handler)
        .pageSize(3)
        .shardsInParallel(1)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure()).get().asString()
        .contains("job 'read-fail': shard mem-1 failed", "table dropped");
    assertThat(report.shardsCompleted()).isEqualTo(2);
    assertThat(handler.handledAssetIds()).containsAll(ids(0, 10)).containsAll(ids(20, 30));
  }

  @Test
  void aSelectorThatRejectsItsConfigurationFailsBeforeAnythingIsWritten() {
    dev.reprocess.checkpoint.InMemoryCheckpointStore store = new dev.reprocess.checkpoint.InMemoryCheckpointStore();
    AssetSelector bad = new AssetSelector() {
      @Override
      public List<Shard> shards() {
        throw new IllegalArgumentException("table 'assets' has no column 'bucket'");
      }

      @Override
      public Paginator open(Shard shard, Cursor from, int pageSize) {
        throw new AssertionError("never opened");
      }
    };
    JobReport report = ReprocessJob.builder("bad-config").selector(bad).handler(e -> null)
        .checkpointStore(store).restart(true).build().run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(store.load("bad-config")).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(report::throwIfFailed)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no column 'bucket'");
  }
}
