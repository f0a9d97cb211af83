package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A configuration that does not match the schema fails in shards(), before anything is read or written. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {
  private static final Instant FROM = Instant.parse("2024-06-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2024-06-03T00:00:00Z");

  private CqlSession session;
  private String ks;

  @BeforeAll
  void schema() {
    session = Cassandra.session(TestBackends.cassandra());
    ks = Cassandra.newKeyspace(session, "bad");
    CassandraSchema.createReferenceSchema(session, ks, 1, BucketType.TEXT);
    session.execute("CREATE TABLE " + ks + ".uuid_ids (asset_type text, bucket text, asset_id uuid,"
        + " PRIMARY KEY ((asset_type, bucket), asset_id))");
    session.execute("CREATE TABLE " + ks + ".no_clustering (asset_type text, bucket text, asset_id timeuuid,"
        + " PRIMARY KEY ((asset_type, bucket)))");
    session.execute("CREATE TABLE " + ks + ".two_clustering (asset_type text, bucket text, asset_id timeuuid, version int,"
        + " PRIMARY KEY ((asset_type, bucket), asset_id, version))");
    session.execute("CREATE TABLE " + ks + ".by_type (asset_type text, bucket text, asset_id timeuuid,"
        + " PRIMARY KEY ((asset_type), bucket, asset_id))");
    session.execute("CREATE TABLE " + ks + ".float_bucket (asset_type text, bucket float, asset_id timeuuid,"
        + " PRIMARY KEY ((asset_type, bucket), asset_id))");
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, ks);
      session.close();
    }
  }

  private TimeBucketSelector.Builder selector(String table) {
    return TimeBucketSelector.builder(session).table(table).assetTypes("image/png").window(FROM, TO);
  }

  @Test
  void aMissingKeyspaceTableOrColumnIsNamed() {
    assertThatThrownBy(() -> selector("nope_ks.assets_by_type_bucket").build().shards())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("table is 'nope_ks.assets_by_type_bucket': keyspace nope_ks does not exist");
    assertThatThrownBy(() -> selector(ks + ".nope").build().shards())
        .hasMessage("table is '" + ks + ".nope': keyspace " + ks + " has no table nope");
    assertThatThrownBy(() -> selector(ks + ".assets_by_type_bucket").assetTypeColumn("kind").build().shards())
        .hasMessage("assetTypeColumn is 'kind': table " + ks + ".assets_by_type_bucket has no such column"
            + " (it has asset_id, asset_type, bucket)");
    assertThatThrownBy(() -> selector(ks + ".assets_by_type_bucket").selectColumns("schema_version").build().shards())
        .hasMessageStartingWith("selectColumns is 'schema_version': table " + ks + ".assets_by_type_bucket has no such column");
    assertThatThrownBy(() -> TokenRangeSelector.builder(session).table(ks + ".nope").build().shards())
        .hasMessage("table is '" + ks + ".nope': keyspace " + ks + " has no table nope");
    assertThatThrownBy(() -> AssetLoader.builder(session).table(ks + ".assets").idColumn("id").build())
        .hasMessageStartingWith("idColumn is 'id': table " + ks + ".assets has no such column");
  }

  @Test
  void theIdMustBeTheOnlyTimeuuidClusteringColumn() {
    assertThatThrownBy(() -> selector(ks + ".uuid_ids").build().shards())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("idColumn is 'asset_id': the column is uuid, it must be a timeuuid clustering column");
    assertThatThrownBy(() -> selector(ks + ".no_clustering").build().shards())
        .hasMessage("idColumn is 'asset_id': table " + ks + ".no_clustering has clustering columns (), the id must be"
            + " its only clustering column, since pages resume after the last id");
    assertThatThrownBy(() -> selector(ks + ".two_clustering").build().shards())
        .hasMessageContaining("has clustering columns (asset_id, version)");
    assertThatThrownBy(() -> selector(ks + ".by_type").build().shards())
        .hasMessage("table is '" + ks + ".by_type': its partition key is (asset_type), it must be exactly the asset type"
            + " and bucket columns (asset_type, bucket)");
    assertThatThrownBy(() -> selector(ks + ".assets_by_type_bucket")
            .clusteringOrder(com.datastax.oss.driver.api.core.metadata.schema.ClusteringOrder.ASC).build().shards())
        .hasMessage("clusteringOrder is ASC: table " + ks + ".assets_by_type_bucket clusters asset_id DESC, they must match");
  }

  @Test
  void theBucketTypeMustMatch() {
    assertThatThrownBy(() -> selector(ks + ".assets_by_type_bucket").bucketType(BucketType.DATE).build().shards())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bucketType is date: column bucket of " + ks + ".assets_by_type_bucket is text, they must match");
    assertThatThrownBy(() -> selector(ks + ".float_bucket").build().shards())
        .hasMessage("bucketColumn is 'bucket': the column is float, it must be text, date, int, bigint or timestamp");
    // A composite primary key is loaded by its whole key (issue 13 item 5); an id alone is refused, naming the key.
    AssetLoader loader = AssetLoader.builder(session).table(ks + ".assets_by_type_bucket").build();
    assertThatThrownBy(() -> loader.load("x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("assetId is 'x': the primary key of " + ks + ".assets_by_type_bucket is (asset_type, bucket,"
            + " asset_id), an id alone does not name a row; load(event) or load(key map)");
  }

  @Test
  void aJobWithABadSelectorFailsBeforeReadingOrWritingAnything() {
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).keyspace(ks).createTable(true).build();
    RecordingHandler handler = new RecordingHandler();
    JobReport report = ReprocessJob.builder("bad-input")
        .selector(selector(ks + ".uuid_ids").build())
        .handler(handler)
        .checkpointStore(store)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure()).get().isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(report::throwIfFailed).hasMessageContaining("it must be a timeuuid clustering column");
    assertThat(handler.count()).isZero();
    assertThat(store.load("bad-input")).isEmpty();
  }
}
