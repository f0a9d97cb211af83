package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.Checkpoint;
import dev.reprocess.Cursor;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CassandraCheckpointStoreIT {
  private CqlSession session;
  private String keyspace;

  @BeforeAll
  void connect() {
    session = Cassandra.session(TestBackends.cassandra());
    keyspace = Cassandra.newKeyspace(session, "checkpoints");
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, keyspace);
      session.close();
    }
  }

  @Test
  void checkpointsRoundTripPerJob() {
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).keyspace(keyspace).createTable(true).build();
    CassandraCheckpointStore.builder(session).keyspace(keyspace).createTable(true).build(); // creating twice is harmless
    Instant t = Instant.parse("2026-11-30T04:32:55.123Z");
    Checkpoint started = new Checkpoint("job-a", "image/png#2024-06-01", null, Checkpoint.State.IN_PROGRESS, 0, 0, 0, 0, t);
    Checkpoint token = new Checkpoint("job-a", "token(-9,10]", Cursor.of("-9|10|AAEC/w=="), Checkpoint.State.IN_PROGRESS,
        500, 490, 7, 3, t.plusSeconds(1));
    Checkpoint other = new Checkpoint("job-b", "ids#0", Cursor.of("3:x'; --"), Checkpoint.State.COMPLETED, 3, 3, 0, 0, t);
    store.save(started);
    store.save(token);
    store.save(other);
    assertThat(store.load("job-a")).containsOnly(Map.entry(started.shardId(), started), Map.entry(token.shardId(), token));

    Checkpoint done = new Checkpoint("job-a", "image/png#2024-06-01", Cursor.of("f7a3c2e0-1f5b-11ef-8080-808080808080"),
        Checkpoint.State.COMPLETED, 1200, 1200, 0, 0, t.plusSeconds(5));
    store.save(done);
    assertThat(store.load("job-a").get(done.shardId())).isEqualTo(done);

    store.delete("job-a");
    assertThat(store.load("job-a")).isEmpty();
    assertThat(store.load("job-b")).containsOnly(Map.entry(other.shardId(), other));
    assertThat(store.load("never-ran")).isEmpty();
    store.close();
    store.close();
  }

  @Test
  void aJobResumesFromItsCheckpointsInCassandra() {
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session)
        .table(keyspace + ".resume_checkpoints").createTable(true).build();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      ids.add("asset-" + i);
    }
    InMemorySelector selector = InMemorySelector.ofIds(ids, 4);
    RecordingHandler first = new RecordingHandler();
    // The first run stops at the first failure of asset-600, as a crash would.
    first.failFor(List.of("asset-600"));
    JobReport failed = ReprocessJob.builder("resume-me").selector(selector).handler(first).pageSize(50)
        .shardsInParallel(1).concurrency(1).failFast(true).checkpointStore(store).build().run();
    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(store.load("resume-me").values()).anyMatch(Checkpoint::completed);

    RecordingHandler second = new RecordingHandler();
    JobReport resumed = ReprocessJob.builder("resume-me").selector(selector).handler(second).pageSize(50)
        .shardsInParallel(1).concurrency(1).checkpointStore(store).build().run().throwIfFailed();
    assertThat(resumed.selected()).isLessThan(1_000);
    List<String> all = new ArrayList<>(first.handledAssetIds());
    all.addAll(second.handledAssetIds());
    assertThat(all).containsAll(ids);
    assertThat(all.size() - ids.size()).isLessThanOrEqualTo(2 * 50);
    assertThat(store.load("resume-me").values()).hasSize(4).allMatch(Checkpoint::completed);
  }

  @Test
  void aMissingTableIsReportedWithTheStatementToCreateIt() {
    assertThatThrownBy(() -> CassandraCheckpointStore.builder(session).table(keyspace + ".nope").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("table is '" + keyspace + ".nope': keyspace " + keyspace + " has no table nope")
        .hasMessageContaining("CREATE TABLE IF NOT EXISTS " + keyspace + ".nope (job_name text");
    assertThatThrownBy(() -> CassandraCheckpointStore.builder(session).keyspace("missing_ks_x").createTable(true).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("table is 'missing_ks_x.reprocess_checkpoints': keyspace missing_ks_x does not exist");
    session.execute("CREATE TABLE " + keyspace + ".wrong (job_name text, shard_id text, cursor text, state text,"
        + " selected int, succeeded bigint, skipped bigint, dead_lettered bigint, updated_at timestamp,"
        + " PRIMARY KEY (job_name, shard_id))");
    assertThatThrownBy(() -> CassandraCheckpointStore.builder(session).table(keyspace + ".wrong").build())
        .hasMessageStartingWith("table is '" + keyspace + ".wrong': column selected is int, it must be bigint");
  }

  @Test
  void aTableMadeBeforeLeasesIsRefusedNamingTheAlterStatementsAndMigratedByCreateTable() {
    String old = keyspace + ".before_leases";
    session.execute("CREATE TABLE " + old + " (job_name text, shard_id text, cursor text, state text,"
        + " selected bigint, succeeded bigint, skipped bigint, dead_lettered bigint, updated_at timestamp,"
        + " PRIMARY KEY ((job_name), shard_id))");
    session.execute("INSERT INTO " + old + " (job_name, shard_id, cursor, state, selected, succeeded, skipped,"
        + " dead_lettered, updated_at) VALUES ('job-m', 's-1', '42', 'IN_PROGRESS', 42, 42, 0, 0, '2026-11-30T04:32:55Z')");
    assertThatThrownBy(() -> CassandraCheckpointStore.builder(session).table(old).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("it has no column for the job lease and selection")
        .hasMessageContaining("ALTER TABLE " + old + " ADD lease_owner text static")
        .hasMessageContaining("ADD selection text static");

    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(old).createTable(true).build();
    assertThat(store.load("job-m").get("s-1").cursor()).isEqualTo(Cursor.of("42"));
    dev.reprocess.JobLease lease = store.acquireLease("job-m", "host-a/1/aa", java.time.Duration.ofSeconds(30), false);
    assertThat(lease.fencingToken()).isEqualTo(1);
    lease.save(new Checkpoint("job-m", "s-1", Cursor.of("50"), Checkpoint.State.IN_PROGRESS, 50, 50, 0, 0, Instant.EPOCH));
    assertThat(store.load("job-m")).hasSize(1);
    assertThat(store.load("job-m").get("s-1").cursor()).isEqualTo(Cursor.of("50"));
    lease.close();
    store.delete("job-m");
    assertThat(store.load("job-m")).isEmpty();
    assertThat(store.acquireLease("job-m", "host-b/2/bb", java.time.Duration.ofSeconds(30), false).fencingToken())
        .as("fencing tokens survive delete").isEqualTo(2);
    CassandraCheckpointStore.builder(session).table(old).build(); // migrated: accepted as is
  }
}
