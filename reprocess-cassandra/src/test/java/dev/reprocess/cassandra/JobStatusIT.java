package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.reprocess.Checkpoint;
import dev.reprocess.JobLease;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.JobStatusReader;
import dev.reprocess.JobStatusSnapshot;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.cassandra.it.Dataset;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.CassandraBackend;
import dev.reprocess.testkit.TestBackends;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The status API on the real Cassandra, read through a second session (as another host would):
 * shards by state, summed counters and the lease holder of a job stopped mid-run, and a finished
 * job's status against its report. 3,000 assets over 2 types x 15 daily buckets (30 shards).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobStatusIT {
  private static final List<String> TYPES = List.of("image/png", "video/mp4");
  private static final Instant FROM = Instant.parse("2024-05-01T00:00:00Z");
  private static final Instant TO = FROM.plus(Duration.ofDays(15));
  private static final int SHARDS = 30;

  private CassandraBackend backend;
  private CqlSession session;
  private CqlSession otherHost;
  private String keyspace;
  private String table;

  @BeforeAll
  void load() {
    backend = TestBackends.cassandra();
    session = Cassandra.session(backend);
    otherHost = Cassandra.session(backend);
    keyspace = Cassandra.newKeyspace(session, "status");
    CassandraSchema.createReferenceSchema(session, keyspace, 1, BucketType.TEXT);
    table = keyspace + "." + CassandraSchema.ASSETS_BY_TYPE_BUCKET;
    Dataset data = Dataset.generate(11, TYPES, FROM, 15, 3_000);
    PreparedStatement insert = session.prepare(
        "INSERT INTO " + table + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    data.load(session, insert, a -> new Object[] {a.type(), bucket(a.createdAt()), a.id()},
        a -> a.type() + "#" + bucket(a.createdAt()));
  }

  @AfterAll
  void drop() {
    Cassandra.dropKeyspace(session, keyspace);
    otherHost.close();
    session.close();
  }

  @Test
  void aJobStoppedMidRunShowsShardsByStateCountsAndWhereItRuns() {
    String job = "midrun-" + suffix();
    String checkpoints = checkpointTable();
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpoints).build();
    Instant now = Instant.now();
    try (JobLease lease = store.acquireLease(job, "host-a/4242/run1", Duration.ofMinutes(5), true)) {
      lease.save(new Checkpoint(job, "s00", null, Checkpoint.State.COMPLETED, 100, 95, 3, 2, now));
      lease.save(new Checkpoint(job, "s01", null, Checkpoint.State.COMPLETED, 80, 80, 0, 0, now));
      lease.save(new Checkpoint(job, "s02", null, Checkpoint.State.IN_PROGRESS, 40, 37, 1, 2, now));

      CassandraCheckpointStore elsewhere = CassandraCheckpointStore.builder(otherHost)
          .table(checkpoints).build();
      JobStatusSnapshot status = new JobStatusReader().read(elsewhere, job, SHARDS);

      assertThat(status.completedShards()).isEqualTo(2);
      assertThat(status.runningShardIds()).containsExactly("s02");
      assertThat(status.waitingShards()).isEqualTo(SHARDS - 3);
      assertThat(status.selected()).isEqualTo(220);
      assertThat(status.succeeded()).isEqualTo(212);
      assertThat(status.skipped()).isEqualTo(4);
      assertThat(status.deadLettered()).isEqualTo(4);
      assertThat(status.complete()).isFalse();
      assertThat(status.runningNow()).isTrue();
      assertThat(status.leaseHolder()).get().satisfies(h -> {
        assertThat(h.owner()).isEqualTo("host-a/4242/run1");
        assertThat(h.fencingToken()).isEqualTo(lease.fencingToken());
      });
    }
    assertThat(new JobStatusReader().read(store, job, SHARDS).leaseHolder()).isEmpty();
  }

  @Test
  void aFinishedJobIsCompleteWithTheReportsCounts() {
    String job = "finished-" + suffix();
    String checkpoints = checkpointTable();
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session)
        .table(checkpoints).build();
    TimeBucketSelector selector = TimeBucketSelector.builder(session).table(table)
        .assetTypes(TYPES).window(FROM, TO).build();
    JobReport report = ReprocessJob.builder(job).selector(selector).handler(new RecordingHandler())
        .checkpointStore(store).build().run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);

    JobStatusSnapshot status = new JobStatusReader().read(
        CassandraCheckpointStore.builder(otherHost).table(checkpoints).build(), job,
        report.shardsTotal());

    assertThat(status.complete()).isTrue();
    assertThat(status.completedShards()).isEqualTo(SHARDS);
    assertThat(status.waitingShards()).isZero();
    assertThat(status.runningShards()).isZero();
    assertThat(status.selected()).isEqualTo(report.selected()).isEqualTo(3_000);
    assertThat(status.succeeded()).isEqualTo(report.succeeded());
    assertThat(status.skipped()).isEqualTo(report.skipped());
    assertThat(status.deadLettered()).isEqualTo(report.deadLettered());
    assertThat(status.leaseHolder()).isEmpty();
  }

  private String checkpointTable() {
    String name = keyspace + ".checkpoints_" + suffix().replace("-", "");
    CassandraCheckpointStore.builder(session).table(name).createTable(true).build();
    return name;
  }

  private static String bucket(Instant createdAt) {
    return (String) Bucketing.daily().valueFor(createdAt, BucketType.TEXT);
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
