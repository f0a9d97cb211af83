package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The job's cap on shards holds whatever the shape: 100 years of hourly buckets with one asset type
 * (876,600 shards, under the selector's own limit per type) fails before a checkpoint is read or
 * written, naming maxShards; a sensible window then runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardCapIT {

  private CqlSession session;
  private String ks;

  @BeforeAll
  void schema() {
    session = Cassandra.session(TestBackends.cassandra());
    ks = Cassandra.newKeyspace(session, "cap");
    CassandraSchema.createReferenceSchema(session, ks, 1, BucketType.TEXT);
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, ks);
      session.close();
    }
  }

  private ReprocessJob job(Instant from, Instant to, RecordingHandler handler, InMemoryCheckpointStore store) {
    return ReprocessJob.builder("cap").handler(handler).checkpointStore(store)
        .selector(TimeBucketSelector.builder(session).table(ks + "." + CassandraSchema.ASSETS_BY_TYPE_BUCKET)
            .assetTypes("image/png").bucketing(Bucketing.hourly()).window(from, to).build())
        .build();
  }

  @Test
  void aHundredYearsOfHourlyBucketsIsRefusedBeforeAnythingIsReadOrWrittenThenADayRuns() {
    RecordingHandler handler = new RecordingHandler();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();

    JobReport report = job(Instant.parse("1926-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"), handler, store)
        .run();

    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    Throwable error = report.failure().orElseThrow();
    System.out.println("SHARD CAP: " + error.getMessage());
    assertThat(error).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("job 'cap': maxShards is 100000: ")
        .hasMessageContaining("lists 876600 shards");
    assertThat(handler.events()).isEmpty();
    assertThat(store.load("cap")).isEmpty();

    JobReport day = job(Instant.parse("2025-12-31T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"), handler, store).run();
    assertThat(day.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(day.shardsTotal()).isEqualTo(24);
  }
}
