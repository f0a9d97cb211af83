package dev.reprocess.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.Checkpoint;
import dev.reprocess.Cursor;
import dev.reprocess.LeaseHolder;
import dev.reprocess.kafka.DistributedJobStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusSummaryTest {
  private static final Instant NOW = Instant.parse("2026-12-05T06:00:00Z");
  private static final LeaseHolder HOST_B = new LeaseHolder("host-b@10.0.0.2", 7, NOW.minusSeconds(1), NOW.plusSeconds(14));
  private static final LeaseHolder EXPIRED = new LeaseHolder("host-c@10.0.0.3", 3, NOW.minusSeconds(60), NOW.minusSeconds(45));

  @Test
  void shardsAreCompleteRunningWithTheirPartitionsHolderOrWaitingAndTheCountersAddUp() {
    // png#1 to png#3 in one partition, whose lease host B holds; png#4 alone in one; png#5 in one
    // whose holder's lease expired.
    StatusSummary.PartitionState partitionB = state(Optional.of(HOST_B), done("png#1", 500, 490, 5, 5),
        running("png#2", 200));
    Map<String, StatusSummary.PartitionState> states = Map.of(
        "png#1", partitionB,
        "png#2", partitionB,
        "png#3", partitionB, // its host job has not reached it yet
        "png#4", state(Optional.empty()),
        "png#5", state(Optional.of(EXPIRED), running("png#5", 100)));

    DistributedJobStatus s = StatusSummary.of("job", "job.shards", records("png#1", "png#2", "png#3", "png#4", "png#5"),
        states::get, NOW);

    assertThat(s.totalShards()).isEqualTo(5);
    assertThat(s.completedShards()).isEqualTo(1);
    assertThat(s.running()).extracting(DistributedJobStatus.RunningShard::shardId)
        .containsExactly("png#2", "png#5");
    assertThat(s.running().get(0).holder()).contains(HOST_B);
    assertThat(s.running().get(0).runningAt(NOW)).isTrue();
    assertThat(s.running().get(1).runningAt(NOW)).as("its holder's lease expired: it resumes elsewhere").isFalse();
    assertThat(s.waitingShardIds()).containsExactly("png#3", "png#4");
    assertThat(s.selected()).isEqualTo(800);
    assertThat(s.delivered()).isEqualTo(800);
    assertThat(s.deadLettered()).isEqualTo(5);
    assertThat(s.published()).isTrue();
    assertThat(s.complete()).isFalse();
  }

  @Test
  void theShardsOfAGroupCountOneByOneAndThoseNotStartedWaitWhileTheirPartitionIsLeased() {
    Map<String, List<String>> records = new LinkedHashMap<>();
    records.put("png#1..png#4", List.of("png#1", "png#2", "png#3", "png#4"));
    records.put("png#5..png#6", List.of("png#5", "png#6"));
    // Both records in one partition: the partition job's checkpoints hold both records' shards.
    StatusSummary.PartitionState partition = state(Optional.of(HOST_B), done("png#1", 500, 500, 0, 0),
        running("png#2", 100));
    Map<String, StatusSummary.PartitionState> states = Map.of("png#1..png#4", partition, "png#5..png#6", partition);

    DistributedJobStatus s = StatusSummary.of("job", "job.shards", records, states::get, NOW);

    assertThat(s.totalShards()).isEqualTo(6);
    assertThat(s.completedShards()).isEqualTo(1);
    assertThat(s.running()).extracting(DistributedJobStatus.RunningShard::shardId).containsExactly("png#2");
    assertThat(s.running().get(0).holder()).contains(HOST_B);
    assertThat(s.running().get(0).selected()).isEqualTo(100);
    assertThat(s.waitingShardIds()).containsExactly("png#3", "png#4", "png#5", "png#6");
    assertThat(s.selected()).isEqualTo(600);
    assertThat(s.succeeded()).isEqualTo(600);
    assertThat(s.complete()).isFalse();
  }

  @Test
  void completeOnlyWhenEveryPublishedShardIsAndNeverWhenNothingWasPublished() {
    Map<String, List<String>> records = Map.of("a..b", List.of("a", "b"));
    StatusSummary.PartitionState both = state(Optional.empty(), done("a", 10, 10, 0, 0), done("b", 10, 10, 0, 0));
    assertThat(StatusSummary.of("job", "t", records, id -> both, NOW).complete()).isTrue();
    StatusSummary.PartitionState one = state(Optional.empty(), done("a", 10, 10, 0, 0));
    assertThat(StatusSummary.of("job", "t", records, id -> one, NOW).complete()).isFalse();

    DistributedJobStatus none = StatusSummary.of("job", "t", Map.of(), id -> both, NOW);
    assertThat(none.published()).isFalse();
    assertThat(none.complete()).isFalse();
  }

  private static Map<String, List<String>> records(String... shardIds) {
    Map<String, List<String>> records = new LinkedHashMap<>();
    for (String id : shardIds) {
      records.put(id, List.of(id));
    }
    return records;
  }

  private static StatusSummary.PartitionState state(Optional<LeaseHolder> holder, Checkpoint... checkpoints) {
    Map<String, Checkpoint> byShard = new LinkedHashMap<>();
    for (Checkpoint c : checkpoints) {
      byShard.put(c.shardId(), c);
    }
    return new StatusSummary.PartitionState(byShard, holder);
  }

  private static Checkpoint done(String shard, long selected, long succeeded, long skipped, long deadLettered) {
    return new Checkpoint("shard-job", shard, null, Checkpoint.State.COMPLETED, selected, succeeded, skipped,
        deadLettered, NOW);
  }

  private static Checkpoint running(String shard, long selected) {
    return new Checkpoint("shard-job", shard, Cursor.of("c"), Checkpoint.State.IN_PROGRESS, selected, selected, 0, 0,
        NOW);
  }
}
