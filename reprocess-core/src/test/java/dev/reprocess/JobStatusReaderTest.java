package dev.reprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class JobStatusReaderTest {

  private static final Instant T = Instant.parse("2026-12-04T20:00:00Z");
  private final JobStatusReader reader = new JobStatusReader(Clock.fixed(T, ZoneOffset.UTC));

  private static Checkpoint checkpoint(String shard, Checkpoint.State state, long selected,
      long succeeded, long skipped, long deadLettered) {
    return new Checkpoint("job", shard, null, state, selected, succeeded, skipped, deadLettered, T);
  }

  @Test
  void stoppedMidRunShowsShardsByStateAndSummedCounters() {
    var store = new InMemoryCheckpointStore();
    store.save(checkpoint("s0", Checkpoint.State.COMPLETED, 100, 90, 5, 5));
    store.save(checkpoint("s2", Checkpoint.State.IN_PROGRESS, 40, 38, 1, 1));
    store.save(checkpoint("s1", Checkpoint.State.IN_PROGRESS, 20, 20, 0, 0));
    store.save(new Checkpoint("other", "s0", null, Checkpoint.State.COMPLETED, 7, 7, 0, 0, T));

    JobStatusSnapshot status = reader.read(store, "job", 4);

    assertThat(status.completedShards()).isEqualTo(1);
    assertThat(status.runningShardIds()).containsExactly("s1", "s2");
    assertThat(status.waitingShards()).isEqualTo(1);
    assertThat(status.selected()).isEqualTo(160);
    assertThat(status.succeeded()).isEqualTo(148);
    assertThat(status.skipped()).isEqualTo(6);
    assertThat(status.deadLettered()).isEqualTo(6);
    assertThat(status.delivered()).isEqualTo(160);
    assertThat(status.complete()).isFalse();
    assertThat(status.leaseHolder()).isEmpty();
    assertThat(status.runningNow()).isFalse();
  }

  @Test
  void completeOnlyWhenEveryShardOfTheSelectionIsCompleted() {
    var store = new InMemoryCheckpointStore();
    store.save(checkpoint("s0", Checkpoint.State.COMPLETED, 3, 3, 0, 0));
    store.save(checkpoint("s1", Checkpoint.State.COMPLETED, 2, 1, 1, 0));

    assertThat(reader.read(store, "job", 2).complete()).isTrue();
    assertThat(reader.read(store, "job", 3).complete()).isFalse();
    assertThat(reader.read(store, "job", 3).waitingShards()).isEqualTo(1);
    JobStatusSnapshot unknownTotal = reader.read(store, "job");
    assertThat(unknownTotal.complete()).isFalse();
    assertThat(unknownTotal.waitingShards()).isEqualTo(-1);
    assertThat(unknownTotal.completedShards()).isEqualTo(2);
  }

  @Test
  void aJobNeverStartedHasEveryShardWaiting() {
    JobStatusSnapshot status = reader.read(new InMemoryCheckpointStore(), "job", 8);
    assertThat(status.waitingShards()).isEqualTo(8);
    assertThat(status.completedShards()).isZero();
    assertThat(status.complete()).isFalse();
  }

  @Test
  void showsWhereTheJobRunsFromTheLease() {
    var store = new InMemoryCheckpointStore();
    try (JobLease lease = store.acquireLease("job", "host-a/42/abc", Duration.ofMinutes(5), true)) {
      JobStatusSnapshot status = new JobStatusReader().read(store, "job", 1);
      assertThat(status.leaseHolder()).get().extracting(LeaseHolder::owner)
          .isEqualTo("host-a/42/abc");
      assertThat(status.leaseHolder().get().fencingToken()).isEqualTo(lease.fencingToken());
      assertThat(status.runningNow()).isTrue();
    }
  }

  @Test
  void refusesBadInputWithTheRule() {
    var store = new InMemoryCheckpointStore();
    store.save(checkpoint("s0", Checkpoint.State.COMPLETED, 1, 1, 0, 0));
    store.save(checkpoint("s1", Checkpoint.State.COMPLETED, 1, 1, 0, 0));
    assertThatThrownBy(() -> reader.read(store, "job", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("totalShards is 0");
    assertThatThrownBy(() -> reader.read(store, " ", 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jobName");
    assertThatThrownBy(() -> reader.read(store, "job", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds 2 shard checkpoints");
  }
}
