package dev.reprocess.cassandra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.AssetSelector;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.IdListSelector;
import dev.reprocess.cassandra.TableSelector;
import dev.reprocess.cassandra.TimeBucketSelector;
import dev.reprocess.cassandra.TokenRangeSelector;
import dev.reprocess.config.ConfigContext;
import dev.reprocess.config.ConfigException;
import dev.reprocess.config.JobConfiguration;
import dev.reprocess.testing.RecordingHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Cassandra selector kinds through {@link JobConfiguration}, found with the ServiceLoader. */
class CassandraSelectorProviderTest {

  private final CqlSession session = mock(CqlSession.class);
  private final ConfigContext context = ConfigContext.of(Map.of("session", session, "h", new RecordingHandler()));

  private static Map<String, String> job(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("handler", "h");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put("selector." + keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private AssetSelector selector(Map<String, String> keys) {
    return JobConfiguration.build("j", "p.", keys, context).selector();
  }

  @Test
  void isOnTheClassPathWithItsFourKinds() {
    assertThat(JobConfiguration.selectorKinds())
        .containsExactlyInAnyOrder("cassandra-time-bucket", "cassandra-token-range", "cassandra-table", "id-list");
  }

  @Test
  void buildsATimeBucketSelector() {
    AssetSelector s = selector(job("kind", "cassandra-time-bucket", "table", "ks.assets",
        "asset-types", "image/png,video/mp4", "from", "2024-01-01T00:00:00Z", "to", "2024-01-03T00:00:00Z",
        "bucketing", "daily", "order", "newest-first", "bucket-type", "text", "id-column", "id",
        "consistency-level", "local-quorum", "estimate-counts", "true"));
    assertThat(s).isInstanceOf(TimeBucketSelector.class);
    assertThat(s.describe()).isEqualTo(
        "cassandra time buckets ks.assets (2 asset types, daily, 2024-01-01T00:00:00Z to 2024-01-03T00:00:00Z, newest first)");
  }

  @Test
  void buildsATokenRangeSelector() {
    AssetSelector s = selector(job("kind", "cassandra-token-range", "table", "ks.assets", "splits", "8"));
    assertThat(s).isInstanceOf(TokenRangeSelector.class);
  }

  @Test
  void buildsAnIdListSelectorWithoutASession() {
    AssetSelector s = JobConfiguration.build("j", job("kind", "id-list", "ids", "a, b, c", "chunk-size", "2",
        "timeuuid-ids", "false"), ConfigContext.of(Map.of("h", new RecordingHandler()))).selector();
    assertThat(s).isInstanceOf(IdListSelector.class);
    assertThat(s.shards()).extracting(Shard::id).hasSize(2);
  }

  @Test
  void buildsATableSelectorWithPartitionValuesAsText() {
    AssetSelector s = selector(job("kind", "cassandra-table", "table", "media.items_by_day",
        "partition-values", "tenant=a, b;shard_no=0,1,2", "bucket-column", "day", "bucketing", "hourly",
        "from", "2026-12-01T00:00:00Z", "to", "2026-12-02T00:00:00Z", "time-column", "added_date",
        "id-column", "item_id", "asset-type-column", "tenant", "reversed", "true", "select-columns", "tenant,day"));
    assertThat(s).isInstanceOf(TableSelector.class);
    assertThat(s.describe()).isEqualTo("cassandra table media.items_by_day (tenant x shard_no x day, hourly,"
        + " 2026-12-01T00:00:00Z to 2026-12-02T00:00:00Z, reversed order)");
    assertThat(s.selectionDefinition()).contains("shard_no=[0, 1, 2]").contains("tenant=[a, b]");
    assertThat(selector(job("kind", "cassandra-table", "table", "ks.t", "partition-values", "k=1")).describe())
        .isEqualTo("cassandra table ks.t (k, no bucket, table order)");
  }

  @Test
  void refusesBadTableSelectorOptions() {
    assertThatThrownBy(() -> selector(job("kind", "cassandra-table", "table", "ks.t", "partition-values", "tenant")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("p.selector.partition-values is 'tenant': it must be column=value,value;column=value,... (e.g."
            + " tenant=a,b;shard_no=0,1,2,3)");
    assertThatThrownBy(() -> selector(job("kind", "cassandra-table", "table", "ks.t", "partition-values", "tenant=a,,b")))
        .hasMessage("p.selector.partition-values is 'tenant=a,,b': the values of 'tenant' must be a comma-separated"
            + " list without empty items");
    assertThatThrownBy(() -> selector(job("kind", "cassandra-table", "table", "ks.t", "from", "2026-12-01T00:00:00Z")))
        .hasMessage("p.selector.to is not set: it must be the window's end, an ISO-8601 instant");
    assertThatThrownBy(() -> selector(job("kind", "cassandra-table", "table", "ks.t", "asset-types", "x")))
        .hasMessageStartingWith("p.selector.asset-types is 'x': it is not an option here");
  }

  @Test
  void buildsAnIdListOfCompositeKeys() {
    AssetSelector s = selector(job("kind", "id-list", "ids-file", "/tmp/keys.csv", "key-columns", "tenant,day,item_id",
        "table", "ks.items", "id-column", "item_id", "chunk-size", "100"));
    assertThat(s).isInstanceOf(IdListSelector.class);
    assertThat(s.selectionDefinition()).contains("keyColumns=[tenant, day, item_id]").contains("table=ks.items");
    assertThatThrownBy(() -> selector(job("kind", "id-list", "ids", "a,b", "key-columns", "tenant,item_id",
        "table", "ks.items")))
        .hasMessage("p.selector.ids is 'a,b': with several key-columns, the keys must come from ids-file (one key"
            + " line each): ids is itself comma-separated");
    assertThatThrownBy(() -> selector(job("kind", "id-list", "ids-file", "k.csv", "key-columns", "tenant,item_id")))
        .hasMessage("p.selector.table is not set: it must be the table whose primary key key-columns names,"
            + " keyspace.table");
    assertThatThrownBy(() -> selector(job("kind", "id-list", "ids-file", "k.csv", "key-columns", "tenant,item_id",
        "table", "ks.items")))
        .hasMessageEndingWith("idColumn is 'asset_id': it must be one of keyColumns (tenant, item_id); the default is"
            + " asset_id");
  }

  @Test
  void namesTheKeyOfABadOption() {
    assertThatThrownBy(() -> selector(job("kind", "cassandra-time-bucket", "table", "ks.assets",
        "asset-types", "image/png", "from", "2024-01-03T00:00:00Z", "to", "2024-01-01T00:00:00Z")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("p.selector.from is '2024-01-03T00:00:00Z': it must be before p.selector.to"
            + " ('2024-01-01T00:00:00Z'), the window is from (inclusive) to (exclusive)")
        .extracting(e -> ((ConfigException) e).key()).isEqualTo("p.selector.from");
    assertThatThrownBy(() -> selector(job("kind", "cassandra-time-bucket", "table", "ks.assets",
        "asset-types", "image/png", "from", "2024-01-01T00:00:00Z", "to", "2024-01-01T00:00:00Z")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("p.selector.from is '2024-01-01T00:00:00Z': it must be before p.selector.to");
    assertThatThrownBy(() -> selector(job("kind", "cassandra-time-bucket", "table", "ks.assets",
        "asset-types", "image/png", "from", "yesterday")))
        .hasMessage("p.selector.from is 'yesterday': it must be an ISO-8601 instant such as 2024-06-01T00:00:00Z");
    assertThatThrownBy(() -> selector(job("kind", "cassandra-time-bucket", "table", "ks.assets",
        "asset-types", "image/png", "from", "2024-01-01T00:00:00Z")))
        .hasMessage("p.selector.to is not set: it must be the window's end, an ISO-8601 instant");
    assertThatThrownBy(() -> selector(job("kind", "cassandra-time-bucket", "table", "ks.assets",
        "asset-types", "image/png", "from", "2024-01-01T00:00:00Z", "to", "2024-01-02T00:00:00Z", "bucketing", "yearly")))
        .hasMessage("p.selector.bucketing is 'yearly': it must be one of hourly, daily, weekly, monthly");
    assertThatThrownBy(() -> selector(job("kind", "cassandra-token-range", "table", "ks.assets", "splits", "many")))
        .isInstanceOf(ConfigException.class).hasMessage("p.selector.splits is 'many': it must be an integer");
    assertThatThrownBy(() -> selector(job("kind", "id-list", "ids", "a", "chunk-size", "0")))
        .hasMessage("p.selector.chunk-size is '0': chunkSize is 0: it must be at least 1");
    assertThatThrownBy(() -> selector(job("kind", "id-list", "ids", "a", "table", "ks.t")))
        .hasMessageStartingWith("p.selector.table is 'ks.t': it is not an option here");
    assertThatThrownBy(() -> selector(job("kind", "id-list", "ids", "a")))
        .hasMessage("p.selector.ids is 'a': ids[0] is 'a': it must be a timeuuid (or set timeuuidIds(false))");
  }

  @Test
  void needsASession() {
    assertThatThrownBy(() -> JobConfiguration.build("j", "p.", job("kind", "cassandra-token-range", "table", "ks.t"),
        ConfigContext.of(Map.of("h", new RecordingHandler()))))
        .hasMessageStartingWith("p.selector.kind needs a CqlSession: there is none in the context");
  }

}
