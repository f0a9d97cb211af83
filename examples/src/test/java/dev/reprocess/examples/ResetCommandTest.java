package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reprocess.Checkpoint;
import dev.reprocess.JobLease;
import dev.reprocess.ReprocessException;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code reset JOB} on an in-memory store: what it deletes, what it keeps, and when it refuses. */
class ResetCommandTest {
  private static final Instant T = Instant.parse("2026-12-05T10:12:31Z");

  private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();

  private void checkpoint(String job, String shard, Checkpoint.State state, long selected) {
    store.save(new Checkpoint(job, shard, null, state, selected, selected, 0, 0, T));
  }

  @Test
  void deletesTheJobsCheckpointsAndSelectionOnly() {
    checkpoint("backfill-sha256", "s1", Checkpoint.State.COMPLETED, 30);
    checkpoint("backfill-sha256", "s2", Checkpoint.State.IN_PROGRESS, 12);
    store.saveSelection("backfill-sha256", "types=image/*");
    checkpoint("reindex-v2", "s1", Checkpoint.State.COMPLETED, 7);

    String said = ResetCommand.reset(store, "backfill-sha256", "keyspace k");

    assertThat(said).isEqualTo("job 'backfill-sha256': deleted the checkpoints of 2 shards (1 completed, 42 assets"
        + " selected, the last written 2026-12-05T10:12:31Z) and its stored selection from keyspace k; its next run"
        + " starts over");
    assertThat(store.load("backfill-sha256")).isEmpty();
    assertThat(store.loadSelection("backfill-sha256")).isEmpty();
    assertThat(store.load("reindex-v2")).containsOnlyKeys("s1");
  }

  @Test
  void aJobWithoutCheckpointsIsLeftAsItIs() {
    assertThat(ResetCommand.reset(store, "never-ran", "keyspace k"))
        .isEqualTo("job 'never-ran' has no checkpoints in keyspace k: nothing to reset");
  }

  @Test
  void aJobRunningElsewhereIsNotReset() {
    checkpoint("backfill-sha256", "s1", Checkpoint.State.IN_PROGRESS, 5);
    try (JobLease running = store.acquireLease("backfill-sha256", "host-a/42/x", Duration.ofMinutes(5), false)) {
      assertThatThrownBy(() -> ResetCommand.reset(store, "backfill-sha256", "keyspace k"))
          .isInstanceOf(ReprocessException.class)
          .hasMessageStartingWith("job 'backfill-sha256' is running elsewhere (its lease is held by 'host-a/42/x'")
          .hasMessageEndingWith("): not reset; wait for that run to end or stop it, then reset again");
      assertThat(store.load("backfill-sha256")).containsOnlyKeys("s1");
      assertThat(running.owner()).isEqualTo("host-a/42/x");
    }
  }

  @Test
  void aJobWhoseRunDiedIsReset() {
    checkpoint("backfill-sha256", "s1", Checkpoint.State.IN_PROGRESS, 5);
    // A run that crashed: its lease is never released, and has expired.
    store.acquireLease("backfill-sha256", "host-a/42/x", Duration.ofMillis(1), false);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> store.leaseHolder("backfill-sha256").orElseThrow().expiredAt(Instant.now()));

    assertThat(ResetCommand.reset(store, "backfill-sha256", "keyspace k")).contains("deleted the checkpoints of 1");
    assertThat(store.load("backfill-sha256")).isEmpty();
  }

  @Test
  void aBadJobNameIsRefusedBeforeTheStoreIsRead() {
    assertThatThrownBy(() -> ResetCommand.reset(store, "my job", "keyspace k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("JOB is 'my job': it must be a job name, 1 to 200 of A-Z a-z 0-9 . _ -");
  }
}
