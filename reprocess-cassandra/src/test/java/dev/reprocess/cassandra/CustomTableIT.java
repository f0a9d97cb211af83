package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.metadata.schema.ClusteringOrder;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.JobReport;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
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
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hosts' own tables: other names (some quoted, case-sensitive), the partition key columns in the
 * other order, ascending clustering, and {@code int} and {@code date} buckets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CustomTableIT {
  private static final List<String> KINDS = List.of("sku", "bundle");
  private static final Instant FROM = Instant.parse("2024-03-04T00:00:00Z"); // a Monday

  private CqlSession session;
  private String keyspace;
  private String items;
  private String docs;
  private Dataset itemData;
  private Dataset docData;
  private final Map<String, Integer> versionById = new HashMap<>();

  @BeforeAll
  void load() {
    session = Cassandra.session(TestBackends.cassandra());
    keyspace = Cassandra.newKeyspace(session, "custom");
    items = keyspace + ".\"ItemsByKindDay\"";
    session.execute("CREATE TABLE " + items + " (day_no int, kind text, \"itemId\" timeuuid, schema_version int,"
        + " payload text, PRIMARY KEY ((day_no, kind), \"itemId\")) WITH CLUSTERING ORDER BY (\"itemId\" ASC)");
    itemData = Dataset.generate(5, KINDS, FROM, 10, 4_000);
    Random rnd = new Random(9);
    for (Asset a : itemData.assets()) {
      versionById.put(a.idText(), 1 + rnd.nextInt(4));
    }
    PreparedStatement insertItem = session.prepare(
        "INSERT INTO " + items + " (day_no, kind, \"itemId\", schema_version, payload) VALUES (?, ?, ?, ?, ?)");
    itemData.load(session, insertItem,
        a -> new Object[] {epochDay(a), a.type(), a.id(), versionById.get(a.idText()), "p-" + a.idText()},
        a -> a.type() + epochDay(a));

    docs = keyspace + ".docs_by_category_week";
    session.execute("CREATE TABLE " + docs + " (category text, week date, doc_id timeuuid,"
        + " PRIMARY KEY ((category, week), doc_id))");
    docData = Dataset.generate(6, List.of("report", "memo", "note"), FROM, 35, 3_000);
    PreparedStatement insertDoc = session.prepare("INSERT INTO " + docs + " (category, week, doc_id) VALUES (?, ?, ?)");
    docData.load(session, insertDoc, a -> new Object[] {a.type(), monday(a), a.id()}, a -> a.type() + monday(a));
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, keyspace);
      session.close();
    }
  }

  private static int epochDay(Asset a) {
    return (int) LocalDate.ofInstant(a.createdAt(), java.time.ZoneOffset.UTC).toEpochDay();
  }

  private static LocalDate monday(Asset a) {
    return (LocalDate) Bucketing.weekly().valueFor(a.createdAt(), BucketType.DATE);
  }

  private TimeBucketSelector.Builder itemSelector() {
    return TimeBucketSelector.builder(session)
        .table(items)
        .assetTypeColumn("kind")
        .bucketColumn("DAY_NO") // unquoted: case-insensitive, as in CQL
        .bucketType(BucketType.INT)
        .idColumn("\"itemId\"")
        .clusteringOrder(ClusteringOrder.ASC)
        .assetTypes(KINDS)
        .window(itemData.from(), itemData.to());
  }

  @Test
  void anIntBucketTableWithOtherNamesIsReadInBothOrders() {
    Set<String> expected = new HashSet<>(itemData.ids());
    for (ReadOrder order : ReadOrder.values()) {
      TimeBucketSelector selector = itemSelector().order(order).build();
      List<Shard> shards = selector.shards();
      assertThat(shards).hasSize(20);
      int firstDay = (int) LocalDate.ofInstant(FROM, java.time.ZoneOffset.UTC).toEpochDay();
      assertThat(shards.get(0).id()).isEqualTo("sku#" + (order == ReadOrder.NEWEST_FIRST ? firstDay + 9 : firstDay));
      List<AssetRef> read = Pages.readAll(selector, 250);
      assertThat(read).hasSize(expected.size());
      assertThat(read.stream().map(AssetRef::assetId).collect(Collectors.toSet())).isEqualTo(expected);
    }
  }

  @Test
  void theRowFilterKeepsOnlyMatchingRowsAndCursorsStayExact() {
    TimeBucketSelector selector = itemSelector()
        .selectColumns("schema_version", "payload")
        .rowFilter(row -> row.getInt("schema_version") < 3)
        .oldestFirst()
        .build();
    Set<String> expected = versionById.entrySet().stream().filter(e -> e.getValue() < 3).map(Map.Entry::getKey)
        .collect(Collectors.toSet());
    List<AssetRef> read = Pages.readAll(selector, 50);
    assertThat(read.stream().map(AssetRef::assetId).collect(Collectors.toSet())).isEqualTo(expected);
    assertThat(read).hasSize(expected.size());
    for (AssetRef ref : read) {
      assertThat(ref.attributes())
          .containsEntry("schema_version", versionById.get(ref.assetId()).toString())
          .containsEntry("payload", "p-" + ref.assetId());
    }

    // Resume a shard mid-way: the rest matches, with no id twice and none missed.
    Shard shard = selector.shards().get(3);
    List<AssetRef> all = Pages.readShard(selector, shard, null, 20);
    Cursor cursor;
    List<AssetRef> firstPage;
    try (Paginator p = selector.open(shard, null, 20)) {
      Page page = p.nextPage();
      firstPage = page.assets();
      cursor = page.cursor();
    }
    List<AssetRef> rest = Pages.readShard(selector, shard, cursor, 20);
    List<AssetRef> joined = new ArrayList<>(firstPage);
    joined.addAll(rest);
    assertThat(joined).isEqualTo(all);
  }

  @Test
  void aDateBucketTableWithWeeklyBucketsAndAnUnalignedWindow() {
    Instant from = FROM.plus(Duration.ofDays(9)).plus(Duration.ofHours(15));
    Instant to = FROM.plus(Duration.ofDays(30)).plus(Duration.ofHours(3));
    Set<String> expected = docData.assets().stream()
        .filter(a -> !a.createdAt().isBefore(from) && a.createdAt().isBefore(to))
        .map(Asset::idText).collect(Collectors.toSet());
    RecordingHandler handler = new RecordingHandler();
    JobReport report = ReprocessJob.builder("docs-weekly")
        .selector(TimeBucketSelector.builder(session)
            .table(docs)
            .assetTypeColumn("category")
            .bucketColumn("week")
            .idColumn("doc_id")
            .assetTypes("report", "memo", "note")
            .window(from, to)
            .bucketing(Bucketing.weekly())
            .build())
        .handler(handler)
        .pageSize(64)
        .build()
        .run()
        .throwIfFailed();
    assertThat(report.shardsTotal()).isEqualTo(3 * 4); // weeks of Mar 11, 18, 25 and Apr 1
    assertThat(handler.handledAssetIds()).hasSize(expected.size());
    assertThat(handler.distinctHandledAssetIds()).isEqualTo(expected);
    assertThat(handler.handled()).allSatisfy(e -> assertThat(e.shardId()).matches("(report|memo|note)#2024-0[34]-\\d\\d"));
  }
}
