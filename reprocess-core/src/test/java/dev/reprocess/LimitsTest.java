package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.internal.Quote;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import org.junit.jupiter.api.Test;

/** Limits that hold whatever the shape of the input. */
class LimitsTest {

  @Test
  void aSelectorListingMoreShardsThanMaxShardsFailsTheRunBeforeAnythingIsReadOrWritten() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    RecordingHandler handler = new RecordingHandler();
    ReprocessJob.Builder job = ReprocessJob.builder("too-many-shards")
        .selector(InMemorySelector.ofIds(ids(100), 10)).handler(handler).checkpointStore(store);

    JobReport report = job.maxShards(9).build().run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure()).get().asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxShards is 9: ")
        .hasMessageContaining("lists 10 shards");
    assertThat(handler.events()).isEmpty();
    assertThat(store.load("too-many-shards")).isEmpty();

    JobReport rerun = job.maxShards(10).build().run();
    assertThat(rerun.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(rerun.succeeded()).isEqualTo(100);
  }

  @Test
  void maxShardsOutOfRangeIsRefusedAtBuild() {
    assertThatThrownBy(() -> ReprocessJob.builder("j").selector(InMemorySelector.ofIds(ids(1), 1))
        .handler(new RecordingHandler()).maxShards(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxShards is 0: ");
    assertThat(ReprocessJob.builder("j").selector(InMemorySelector.ofIds(ids(1), 1))
        .handler(new RecordingHandler()).build().toString()).contains("maxShards=100000");
  }

  @Test
  void quotesAreShortAndSayHowLongTheWholeWas() {
    String fiveMegabytes = "x".repeat(5_000_000);
    assertThat(Quote.abbreviate(fiveMegabytes)).hasSizeLessThan(260).startsWith("xxx")
        .endsWith("... (5000000 characters in all)");
    assertThat(Quote.abbreviate("short")).isEqualTo("short");
    assertThat(Quote.abbreviate(null)).isEqualTo("null");
    assertThat(Quote.abbreviate("a\uD83D\uDE00b", 2)).isEqualTo("a... (4 characters in all)");
  }
}
