package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.ReadFailureException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.JobReport;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.cassandra.it.Dataset;
import dev.reprocess.cassandra.it.Dataset.Asset;
import dev.reprocess.cassandra.it.Pages;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Full-table scans by token range, on the payload table and on the clustered selection table. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenRangeSelectorIT {
  private static final List<String> TYPES = List.of("image/png", "image/gif");

  private CqlSession session;
  private String keyspace;
  private String assets;
  private String byBucket;
  private Dataset data;
  private Map<String, Asset> byId;

  @BeforeAll
  void load() {
    session = Cassandra.session(TestBackends.cassandra());
    keyspace = Cassandra.newKeyspace(session, "tokens");
    CassandraSchema.createReferenceSchema(session, keyspace, 1, BucketType.DATE);
    assets = keyspace + "." + CassandraSchema.ASSETS;
    byBucket = keyspace + "." + CassandraSchema.ASSETS_BY_TYPE_BUCKET;
    data = Dataset.generate(21, TYPES, Instant.parse("2024-01-01T00:00:00Z"), 20, 12_000);
    byId = data.assets().stream().collect(Collectors.toMap(Asset::idText, Function.identity()));
    PreparedStatement insertAsset = session.prepare(
        "INSERT INTO " + assets + " (asset_id, asset_type, bucket, created_at, metadata) VALUES (?, ?, ?, ?, ?)");
    data.load(session, insertAsset,
        a -> new Object[] {a.id(), a.type(), bucket(a), a.createdAt(), Map.of("size", Integer.toString(a.id().hashCode() & 0xfff))},
        Asset::id);
    PreparedStatement insertByBucket = session.prepare(
        "INSERT INTO " + byBucket + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    data.load(session, insertByBucket, a -> new Object[] {a.type(), bucket(a), a.id()}, a -> a.type() + bucket(a));
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, keyspace);
      session.close();
    }
  }

  private static Object bucket(Asset a) {
    return Bucketing.daily().valueFor(a.createdAt(), BucketType.DATE);
  }

  /**
   * {@code SELECT count(*)} over the whole table. The coordinator counts in internal pages of the
   * statement's page size, each a read with the server's timeout: small pages keep each read short
   * on a busy machine, and a read the server still drops is tried again.
   */
  private long count(String table) {
    SimpleStatement count = SimpleStatement.newInstance("SELECT count(*) FROM " + table)
        .setPageSize(500)
        .setTimeout(Duration.ofSeconds(120));
    for (int attempt = 1; ; attempt++) {
      try {
        return session.execute(count).one().getLong(0);
      } catch (ReadTimeoutException | ReadFailureException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  @Test
  void aScanVisitsExactlyAsManyRowsAsCountStar() {
    RecordingHandler handler = new RecordingHandler();
    JobReport report = ReprocessJob.builder("token-scan")
        .selector(TokenRangeSelector.builder(session).table(assets).assetTypeColumn("asset_type").splits(40).build())
        .handler(handler)
        .pageSize(700)
        .build()
        .run()
        .throwIfFailed();
    long count = count(assets);
    assertThat(count).isEqualTo(data.assets().size());
    assertThat(report.selected()).isEqualTo(count);
    assertThat(handler.handledAssetIds()).hasSize((int) count);
    assertThat(handler.distinctHandledAssetIds()).isEqualTo(byId.keySet());
    for (ReprocessEvent e : handler.handled()) {
      assertThat(e.assetType()).isEqualTo(byId.get(e.assetId()).type());
    }
  }

  @Test
  void aClusteredTableYieldsEveryRow() {
    TokenRangeSelector selector = TokenRangeSelector.builder(session).table(byBucket).build();
    List<AssetRef> read = new ArrayList<>();
    for (Shard shard : selector.shards()) {
      read.addAll(Pages.readShard(selector, shard, null, 333));
    }
    assertThat((long) read.size()).isEqualTo(count(byBucket));
    assertThat(read).allSatisfy(r -> {
      assertThat(r.assetType()).isNull();
      assertThat(r.createdAt()).isEqualTo(byId.get(r.assetId()).createdAt());
    });
    assertThat(read.stream().map(AssetRef::assetId).collect(Collectors.toSet())).isEqualTo(byId.keySet());
  }

  /**
   * A row whose id is null holds no asset: a partition with only static content (its clustering
   * columns read as null) and a regular id column left unset.
   */
  @Test
  void rowsWithANullIdHoldNoAsset() {
    String statics = keyspace + ".with_static";
    session.execute("CREATE TABLE " + statics + " (asset_type text, bucket text, asset_id timeuuid, note text static,"
        + " PRIMARY KEY ((asset_type, bucket), asset_id))");
    String regular = keyspace + ".regular_id";
    session.execute("CREATE TABLE " + regular + " (k int PRIMARY KEY, asset_id uuid)");
    Set<String> clustered = new HashSet<>();
    Set<String> unset = new HashSet<>();
    for (int p = 0; p < 30; p++) {
      session.execute("INSERT INTO " + statics + " (asset_type, bucket, note) VALUES (?, ?, ?)", "s/t", "b" + p, "n");
      if (p % 3 != 0) { // every third partition holds only its static value
        UUID id = Uuids.timeBased();
        session.execute("INSERT INTO " + statics + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)", "s/t", "b" + p,
            id);
        clustered.add(id.toString());
      }
      UUID id = p % 3 == 0 ? null : UUID.randomUUID();
      session.execute("INSERT INTO " + regular + " (k, asset_id) VALUES (?, ?)", p, id);
      if (id != null) {
        unset.add(id.toString());
      }
    }
    for (Map.Entry<String, Set<String>> t : Map.of(statics, clustered, regular, unset).entrySet()) {
      TokenRangeSelector selector = TokenRangeSelector.builder(session).table(t.getKey()).splits(4).build();
      for (int pageSize : List.of(1, 5, 100)) {
        List<String> read = new ArrayList<>();
        for (Shard shard : selector.shards()) {
          Pages.readShard(selector, shard, null, pageSize).forEach(r -> read.add(r.assetId()));
        }
        assertThat(read).as("%s, page %d", t.getKey(), pageSize).containsExactlyInAnyOrderElementsOf(t.getValue());
      }
    }
  }

  @Test
  void rangesComeFromTheRingSplitToTheChosenCountAndCoverItOnce() {
    TokenRangeSelector ring = TokenRangeSelector.builder(session).table(assets).build();
    int ringRanges = session.getMetadata().getTokenMap().orElseThrow().getTokenRanges().size();
    List<Shard> own = ring.shards();
    // The range that wraps around the end of the ring is unwrapped into two.
    assertThat(own.size()).isBetween(ringRanges, ringRanges + 1);
    List<Shard> split = TokenRangeSelector.builder(session).table(assets).splits(100).build().shards();
    assertThat(split.size()).isBetween(100, 101);
    assertThat(split.stream().map(Shard::id).distinct().count()).isEqualTo(split.size());
    assertThat(split.stream().filter(s -> !s.properties().containsKey(TokenRangeSelector.PROPERTY_END))).hasSize(1);
  }

  @Test
  void aRangeResumesFromItsPagingStateAndRefusesAnotherRangesCursor() {
    TokenRangeSelector selector = TokenRangeSelector.builder(session).table(assets).splits(4).build();
    List<Shard> shards = selector.shards();
    Shard shard = null;
    List<AssetRef> all = List.of();
    for (Shard s : shards) {
      List<AssetRef> read = Pages.readShard(selector, s, null, 100);
      if (read.size() > all.size()) {
        shard = s;
        all = read;
      }
    }
    assertThat(all.size()).isGreaterThan(300);
    Cursor cursor;
    try (Paginator p = selector.open(shard, null, 100)) {
      p.nextPage();
      cursor = p.nextPage().cursor();
    }
    assertThat(Pages.readShard(selector, shard, cursor, 100)).isEqualTo(all.subList(200, all.size()));

    Shard biggest = shard;
    Shard other = shards.stream().filter(s -> !s.equals(biggest)).findFirst().orElseThrow();
    assertThatThrownBy(() -> selector.open(other, cursor, 250))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("belongs to token range");

    // The cursor of a finished range yields nothing more.
    Cursor end;
    try (Paginator p = selector.open(shard, null, 100_000)) {
      Page page = p.nextPage();
      assertThat(page.last()).isTrue();
      end = page.cursor();
    }
    try (Paginator p = selector.open(shard, end, 250)) {
      Page page = p.nextPage();
      assertThat(page.assets()).isEmpty();
      assertThat(page.last()).isTrue();
    }
  }

  @Test
  void theRowFilterAndSelectedColumnsWorkOnAScan() {
    TokenRangeSelector selector = TokenRangeSelector.builder(session).table(assets)
        .assetTypeColumn("asset_type")
        .selectColumns("metadata", "bucket")
        .rowFilter(row -> "image/gif".equals(row.getString("asset_type")))
        .build();
    List<AssetRef> read = new ArrayList<>();
    for (Shard shard : selector.shards()) {
      read.addAll(Pages.readShard(selector, shard, null, 500));
    }
    Set<String> gifs = data.assets().stream().filter(a -> a.type().equals("image/gif")).map(Asset::idText)
        .collect(Collectors.toSet());
    assertThat(read.stream().map(AssetRef::assetId).collect(Collectors.toSet())).isEqualTo(gifs);
    assertThat(read).allSatisfy(r -> {
      assertThat(r.attributes().get("bucket")).isEqualTo(bucket(byId.get(r.assetId())).toString());
      assertThat(r.attributes().get("metadata")).startsWith("{size=");
    });
  }
}
