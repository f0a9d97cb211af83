package dev.reprocess.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.JobStatusSnapshot;
import dev.reprocess.LeaseHolder;
import dev.reprocess.kafka.DistributedJobStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusSummaryTest {
  private static final Instant NOW = Instant.parse("2026-12-05T06:00:00Z");

  @Test
  void shardsAreCompleteRunningWithTheirHolderOrWaitingAndTheCountersAddUp() {
    LeaseHolder hostB = new LeaseHolder("host-b@10.0.0.2", 7, NOW.minusSeconds(1), NOW.plusSeconds(14));
    LeaseHolder expired = new LeaseHolder("host-c@10.0.0.3", 3, NOW.minusSeconds(60), NOW.minusSeconds(45));
    Map<String, JobStatusSnapshot> shards = Map.of(
        "png#1", shard(1, List.of(), 500, 490, 5, 5, Optional.empty()),
        "png#2", shard(0, List.of("png#2"), 200, 200, 0, 0, Optional.of(hostB)),
        "png#3", shard(0, List.of(), 0, 0, 0, 0, Optional.of(hostB)), // leased, before its first checkpoint
        "png#4", shard(0, List.of(), 0, 0, 0, 0, Optional.empty()),
        "png#5", shard(0, List.of("png#5"), 100, 100, 0, 0, Optional.of(expired)));

    DistributedJobStatus s = StatusSummary.of("job", "job.shards", List.of("png#1", "png#2", "png#3", "png#4", "png#5"),
        shards::get, NOW);

    assertThat(s.totalShards()).isEqualTo(5);
    assertThat(s.completedShards()).isEqualTo(1);
    assertThat(s.running()).extracting(DistributedJobStatus.RunningShard::shardId)
        .containsExactly("png#2", "png#3", "png#5");
    assertThat(s.running().get(0).holder()).contains(hostB);
    assertThat(s.running().get(0).runningAt(NOW)).isTrue();
    assertThat(s.running().get(2).runningAt(NOW)).as("its holder's lease expired: it resumes elsewhere").isFalse();
    assertThat(s.waitingShardIds()).containsExactly("png#4");
    assertThat(s.selected()).isEqualTo(800);
    assertThat(s.delivered()).isEqualTo(800);
    assertThat(s.deadLettered()).isEqualTo(5);
    assertThat(s.published()).isTrue();
    assertThat(s.complete()).isFalse();
  }

  @Test
  void completeOnlyWhenEveryPublishedShardIsAndNeverWhenNothingWasPublished() {
    JobStatusSnapshot done = shard(1, List.of(), 10, 10, 0, 0, Optional.empty());
    assertThat(StatusSummary.of("job", "t", List.of("a", "b"), id -> done, NOW).complete()).isTrue();

    DistributedJobStatus none = StatusSummary.of("job", "t", List.of(), id -> done, NOW);
    assertThat(none.published()).isFalse();
    assertThat(none.complete()).isFalse();
  }

  private static JobStatusSnapshot shard(int completed, List<String> running, long selected, long succeeded,
      long skipped, long deadLettered, Optional<LeaseHolder> holder) {
    return new JobStatusSnapshot("shard-job", 1, completed, running, 1 - completed - running.size(), selected,
        succeeded, skipped, deadLettered, holder, completed == 1, NOW);
  }
}
