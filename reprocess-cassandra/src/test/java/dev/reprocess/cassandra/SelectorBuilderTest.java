package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.Shard;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad options fail in build(), naming the option, the value and the rule, without touching the session. */
class SelectorBuilderTest {
  private static final Instant FROM = Instant.parse("2024-06-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2024-07-01T00:00:00Z");

  private final CqlSession session = mock(CqlSession.class);

  private TimeBucketSelector.Builder valid() {
    return TimeBucketSelector.builder(session).table("media.assets_by_type_bucket").assetTypes("image/png").window(FROM, TO);
  }

  @Test
  void aValidConfigurationBuildsWithoutIo() {
    TimeBucketSelector selector = valid().build();
    assertThat(selector.describe()).contains("media.assets_by_type_bucket").contains("daily").contains("newest first");
    verifyNoInteractions(session);
  }

  @Test
  void windowMustBeNonEmpty() {
    assertThatThrownBy(() -> valid().window(TO, FROM).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window is [2024-07-01T00:00:00Z, 2024-06-01T00:00:00Z): from must be before to");
    assertThatThrownBy(() -> valid().window(FROM, FROM).build())
        .hasMessage("window is [2024-06-01T00:00:00Z, 2024-06-01T00:00:00Z): from must be before to");
    assertThatThrownBy(() -> valid().window(FROM, null).build())
        .hasMessage("window is [2024-06-01T00:00:00Z, null): both from and to must be set");
    verifyNoInteractions(session);
  }

  @Test
  void assetTypesMustBeANonEmptyListOfDistinctNames() {
    assertThatThrownBy(() -> TimeBucketSelector.builder(session).table("a.b").window(FROM, TO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("assetTypes is empty: it must list at least one asset type");
    assertThatThrownBy(() -> valid().assetTypes(" ").build())
        .hasMessage("assetTypes[1] is ' ': it must be a non-blank string");
    assertThatThrownBy(() -> valid().assetTypes("image/png").build())
        .hasMessage("assetTypes[1] is 'image/png': it is listed twice");
  }

  @Test
  void tableAndColumnsMustBeIdentifiers() {
    assertThatThrownBy(() -> TimeBucketSelector.builder(session).assetTypes("x").window(FROM, TO).build())
        .hasMessage("table is not set: it must name the table, e.g. 'assets.assets_by_type_bucket'");
    assertThatThrownBy(() -> valid().table("media.assets WHERE 1=1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("table is 'media.assets WHERE 1=1': the table name 'assets WHERE 1=1' must be a CQL identifier");
    assertThatThrownBy(() -> valid().table("media.assets; DROP TABLE media.assets").build())
        .hasMessage("table is 'media.assets; DROP TABLE media.assets': it must be 'keyspace.table'");
    assertThatThrownBy(() -> valid().idColumn("asset_id) OR (1=1").build())
        .hasMessageStartingWith("idColumn is 'asset_id) OR (1=1': it must be a CQL identifier");
    assertThatThrownBy(() -> valid().selectColumns("a,b").build())
        .hasMessageStartingWith("selectColumns is 'a,b'");
  }

  @Test
  void aDeclaredBucketTypeMustSuitTheBucketing() {
    assertThatThrownBy(() -> valid().bucketing(Bucketing.hourly()).bucketType(BucketType.DATE).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucketing is hourly and the bucket column is date");
    assertThatThrownBy(() -> TimeBucketSelector.builder(null).build()).hasMessageStartingWith("session is null");
  }

  @Test
  void pageSizeIsCheckedWhenAShardIsOpened() {
    TimeBucketSelector selector = valid().build();
    Shard shard = new Shard("image/png#2024-06-01", "image/png", Map.of("assetType", "image/png", "bucket", "2024-06-01"));
    assertThatThrownBy(() -> selector.open(shard, null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pageSize is 0: it must be at least 1");
    verifyNoInteractions(session);
  }

  @Test
  void tokenRangeAndLoaderAndStoreBuildersCheckTheirOptions() {
    assertThatThrownBy(() -> TokenRangeSelector.builder(session).table("a.b").splits(-1).build())
        .hasMessage("splits is -1: it must be 0 (the ring's ranges) or more");
    assertThatThrownBy(() -> TokenRangeSelector.builder(session).build())
        .hasMessage("table is not set: it must name the table, e.g. 'assets.assets'");
    assertThatThrownBy(() -> TokenRangeSelector.builder(session).table("a.b").assetTypeColumn("t'x").build())
        .hasMessageStartingWith("assetTypeColumn is 't'x'");
    assertThatThrownBy(() -> AssetLoader.builder(session).build())
        .hasMessage("table is not set: it must name the table, e.g. 'assets.assets'");
    assertThatThrownBy(() -> CassandraCheckpointStore.builder(session).build())
        .hasMessageStartingWith("table is not set");
    assertThatThrownBy(() -> CassandraCheckpointStore.builder(session).keyspace("ks").consistencyLevel(null).build())
        .hasMessageStartingWith("consistencyLevel is null");
    verifyNoInteractions(session);
  }

  @Test
  void theSharedReadOptionsAreCheckedTheSameWayByEveryBuilder() {
    String blankProfile = "executionProfile is ' ': it must be a profile name";
    assertThatThrownBy(() -> valid().executionProfile(" ").build()).hasMessage(blankProfile);
    assertThatThrownBy(() -> TokenRangeSelector.builder(session).table("a.b").executionProfile(" ").build())
        .hasMessage(blankProfile);
    assertThatThrownBy(() -> AssetLoader.builder(session).table("a.b").executionProfile(" ").build())
        .hasMessage(blankProfile);
    assertThatThrownBy(() -> CassandraCheckpointStore.builder(session).table("a.b").executionProfile(" ").build())
        .hasMessage(blankProfile);
    assertThatThrownBy(() -> TokenRangeSelector.builder(session).table("a.b").selectColumns("ok", "a,b").build())
        .hasMessageStartingWith("selectColumns is 'a,b'");
    assertThatThrownBy(() -> AssetLoader.builder(null).table("a.b").build()).hasMessageStartingWith("session is null");
    assertThatThrownBy(() -> CassandraCheckpointStore.builder(null).keyspace("ks").build())
        .hasMessageStartingWith("session is null");
    // The selectors' default is the session's consistency level, so null is accepted.
    assertThat(valid().consistencyLevel(null).build()).isNotNull();
    assertThat(TokenRangeSelector.builder(session).table("a.b").consistencyLevel(null).build()).isNotNull();
    verifyNoInteractions(session);
  }

  @Test
  void checkpointTableStatementIsDocumentedAndQuoted() {
    assertThat(CassandraCheckpointStore.createTableCql("Ops.\"Checkpoints\""))
        .isEqualTo("CREATE TABLE IF NOT EXISTS ops.\"Checkpoints\" (job_name text, shard_id text, cursor text, state text,"
            + " selected bigint, succeeded bigint, skipped bigint, dead_lettered bigint, updated_at timestamp,"
            + " lease_owner text static, lease_token bigint static, lease_renewed_at timestamp static,"
            + " lease_expires_at timestamp static, selection text static,"
            + " PRIMARY KEY ((job_name), shard_id))");
  }

  @Test
  void referenceSchemaStatements() {
    List<String> cql = CassandraSchema.referenceSchemaCql("demo", 1, BucketType.DATE);
    assertThat(cql).hasSize(3);
    assertThat(cql.get(1)).contains("demo.assets_by_type_bucket").contains("bucket date")
        .contains("PRIMARY KEY ((asset_type, bucket), asset_id)").contains("CLUSTERING ORDER BY (asset_id DESC)");
    assertThat(cql.get(2)).contains("demo.assets").contains("asset_id timeuuid PRIMARY KEY").contains("metadata map<text, text>");
    assertThatThrownBy(() -> CassandraSchema.referenceSchemaCql("demo", 0, BucketType.DATE))
        .hasMessage("replicationFactor is 0: it must be at least 1");
    assertThatThrownBy(() -> Bucketing.every(Duration.ofNanos(1500))).isInstanceOf(IllegalArgumentException.class);
  }
}
