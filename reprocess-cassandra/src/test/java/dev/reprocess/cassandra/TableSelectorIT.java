package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.cassandra.it.KeysetCheck;
import dev.reprocess.cassandra.it.Pages;
import dev.reprocess.testkit.TestBackends;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The table selector on the shapes teams' tables have, each compared with the ground truth of the
 * inserted rows: every shard read page by page in order, then resumed from every page's cursor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TableSelectorIT {
  private static final Instant DAY1 = Instant.parse("2026-12-01T00:00:00Z");
  /** Window edges inside the first and last partitions, the lower one between two milliseconds. */
  private static final Instant FROM = DAY1.plus(Duration.ofHours(5)).plusNanos(500_000);
  private static final Instant TO = DAY1.plus(Duration.ofDays(2)).plus(Duration.ofHours(7));

  private CqlSession session;
  private String keyspace;

  @BeforeAll
  void start() {
    session = Cassandra.session(TestBackends.cassandra());
    keyspace = Cassandra.newKeyspace(session, "tsel");
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, keyspace);
      session.close();
    }
  }

  private record Item(LocalDate day, Instant addedDate, String itemId) {}

  /** 3 days, 12 distinct added_date values a day with 1 to 12 rows each, plus rows on the window's edges. */
  private List<Item> mixedOrderItems(String table, long seed) {
    session.execute("CREATE TABLE " + table + " (day date, added_date timestamp, item_id text, note text,"
        + " PRIMARY KEY (day, added_date, item_id)) WITH CLUSTERING ORDER BY (added_date DESC, item_id ASC)");
    PreparedStatement insert = session.prepare(
        "INSERT INTO " + table + " (day, added_date, item_id, note) VALUES (?, ?, ?, ?)");
    Random random = new Random(seed);
    List<Instant> times = new ArrayList<>();
    for (int d = 0; d < 3; d++) {
      for (int k = 0; k < 12; k++) {
        times.add(DAY1.plus(Duration.ofDays(d)).plusMillis(random.nextInt(86_400_000)));
      }
    }
    times.addAll(List.of(FROM.minusNanos(500_000), FROM.plusNanos(500_000), TO, TO.minusMillis(1)));
    List<Item> items = new ArrayList<>();
    for (Instant t : times) {
      int ties = 1 + random.nextInt(12);
      for (int i = 0; i < ties; i++) {
        Item item = new Item(LocalDate.ofInstant(t, java.time.ZoneOffset.UTC), t,
            Long.toString(random.nextInt(1_000_000), 36) + "-" + items.size());
        items.add(item);
        session.execute(insert.bind(item.day(), item.addedDate(), item.itemId(), "n" + items.size()));
      }
    }
    return items;
  }

  @Test
  void mixedClusteringOrdersWithTiesAcrossPagesInBothOrders() {
    String table = keyspace + ".items_mixed";
    List<Item> items = mixedOrderItems(table, 7);
    assertThat(items.stream().collect(Collectors.groupingBy(Item::addedDate, Collectors.counting())).values())
        .as("ties larger than the page size").anyMatch(n -> n > 3);
    for (boolean reversed : List.of(false, true)) {
      Comparator<Item> order = Comparator.comparing(Item::addedDate).reversed().thenComparing(Item::itemId);
      Map<String, List<String>> truth = items.stream()
          .filter(i -> !i.addedDate().isBefore(FROM) && i.addedDate().isBefore(TO))
          .sorted(reversed ? order.reversed() : order)
          .collect(Collectors.groupingBy(i -> "day=" + i.day(), TreeMap::new,
              Collectors.mapping(Item::itemId, Collectors.toList())));
      TableSelector selector = TableSelector.builder(session).table(table)
          .bucketColumn("day").bucketing(Bucketing.daily()).window(FROM, TO)
          .timeColumn("added_date").idColumn("item_id").selectColumns("note").reversed(reversed).build();
      assertThat(selector.shards()).extracting(Shard::id)
          .containsExactly("day=2026-12-01", "day=2026-12-02", "day=2026-12-03");
      KeysetCheck.check(selector, truth, 3);
      AssetRef first = Pages.readAll(selector, 100).get(0);
      assertThat(first.createdAt()).isNotNull();
      assertThat(first.attributes()).containsKey("note");
    }
  }

  @Test
  void bucketOnlyPartitionKeyWithATimeuuidIdAndAnExactWindow() {
    String table = keyspace + ".by_day";
    session.execute("CREATE TABLE " + table + " (day text, asset_id timeuuid, PRIMARY KEY ((day), asset_id))"
        + " WITH CLUSTERING ORDER BY (asset_id DESC)");
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (day, asset_id) VALUES (?, ?)");
    Random random = new Random(11);
    List<UUID> ids = new ArrayList<>();
    long base = DAY1.toEpochMilli();
    for (long ms = base; ms < base + 3 * 86_400_000L; ms += 1 + random.nextInt(2_000_000)) {
      UUID id = Uuids.startOf(ms);
      ids.add(id);
      session.execute(insert.bind(Bucketing.daily().valueFor(Instant.ofEpochMilli(ms), BucketType.TEXT), id));
    }
    for (boolean reversed : List.of(false, true)) {
      Comparator<UUID> newestFirst = Comparator.comparingLong(Uuids::unixTimestamp).reversed();
      Map<String, List<String>> truth = ids.stream()
          .filter(id -> inWindow(Instant.ofEpochMilli(Uuids.unixTimestamp(id))))
          .sorted(reversed ? newestFirst.reversed() : newestFirst)
          .collect(Collectors.groupingBy(
              id -> "day=" + Bucketing.daily().valueFor(Instant.ofEpochMilli(Uuids.unixTimestamp(id)), BucketType.TEXT),
              TreeMap::new, Collectors.mapping(UUID::toString, Collectors.toList())));
      TableSelector selector = TableSelector.builder(session).table(table).bucketColumn("day").window(FROM, TO)
          .timeColumn("asset_id").reversed(reversed).build();
      KeysetCheck.check(selector, truth, 7);
    }
  }

  private static boolean inWindow(Instant t) {
    return !t.isBefore(FROM) && t.isBefore(TO);
  }

  @Test
  void extraPartitionKeyColumnsAndUuidIds() {
    String table = keyspace + ".by_tenant";
    session.execute("CREATE TABLE " + table + " (tenant text, asset_type text, bucket int, asset_id uuid,"
        + " PRIMARY KEY ((tenant, asset_type, bucket), asset_id))");
    PreparedStatement insert = session.prepare(
        "INSERT INTO " + table + " (tenant, asset_type, bucket, asset_id) VALUES (?, ?, ?, ?)");
    Random random = new Random(5);
    Map<String, List<String>> truth = new TreeMap<>();
    for (String tenant : List.of("a", "b", "not-selected")) {
      for (String type : List.of("image", "video")) {
        for (int day = 0; day < 4; day++) {
          int bucket = (int) LocalDate.ofInstant(DAY1, java.time.ZoneOffset.UTC).toEpochDay() + day;
          for (int i = random.nextInt(20); i > 0; i--) {
            UUID id = UUID.randomUUID();
            session.execute(insert.bind(tenant, type, bucket, id));
            if (!tenant.equals("not-selected") && day < 3) {
              truth.computeIfAbsent("tenant=" + tenant + "/asset_type=" + type + "/bucket=" + bucket,
                  k -> new ArrayList<>()).add(id.toString());
            }
          }
        }
      }
    }
    TableSelector selector = TableSelector.builder(session).table(table)
        .partitionValues("tenant", "a", "b").partitionValues("asset_type", "image", "video")
        .assetTypeColumn("asset_type").bucketColumn("bucket").window(DAY1, DAY1.plus(Duration.ofDays(3))).build();
    List<Shard> shards = selector.shards();
    assertThat(shards).hasSize(2 * 2 * 3);
    assertThat(shards.get(0).id()).isEqualTo("tenant=a/asset_type=image/bucket=" + LocalDate.of(2026, 12, 1).toEpochDay());
    KeysetCheck.check(selector, truth, 4, false);
    assertThat(Pages.readAll(selector, 50)).allSatisfy(a -> {
      assertThat(a.assetType()).isIn("image", "video");
      assertThat(a.createdAt()).isNull();
    });
  }

  @Test
  void writeSpreadingShardNumberAndBigintIds() {
    String table = keyspace + ".by_day_shard";
    session.execute("CREATE TABLE " + table + " (day date, shard_no int, asset_id bigint, kind text,"
        + " PRIMARY KEY ((day, shard_no), asset_id))");
    PreparedStatement insert = session.prepare(
        "INSERT INTO " + table + " (day, shard_no, asset_id, kind) VALUES (?, ?, ?, ?)");
    Random random = new Random(3);
    Map<String, List<Long>> truth = new TreeMap<>();
    LocalDate day = LocalDate.of(2026, 12, 1);
    for (int d = 0; d < 2; d++) {
      for (int s = 0; s < 4; s++) {
        for (int i = random.nextInt(30); i > 0; i--) {
          long id = random.nextLong();
          session.execute(insert.bind(day.plusDays(d), s, id, "k" + (id & 3)));
          truth.computeIfAbsent("day=" + day.plusDays(d) + "/shard_no=" + s, k -> new ArrayList<>()).add(id);
        }
      }
    }
    Map<String, List<String>> ordered = new TreeMap<>();
    truth.forEach((k, v) -> ordered.put(k, v.stream().sorted().map(String::valueOf).toList()));
    TableSelector selector = TableSelector.builder(session).table(table)
        .bucketColumn("day").window(DAY1, DAY1.plus(Duration.ofDays(2)))
        .partitionValues("shard_no", 0, 1, 2, 3).selectColumns("kind").build();
    assertThat(selector.shards()).hasSize(8);
    KeysetCheck.check(selector, ordered, 5);
    Map<String, List<String>> reversed = new TreeMap<>();
    ordered.forEach((k, v) -> {
      List<String> r = new ArrayList<>(v);
      java.util.Collections.reverse(r);
      reversed.put(k, r);
    });
    KeysetCheck.check(TableSelector.builder(session).table(table)
        .bucketColumn("day").window(DAY1, DAY1.plus(Duration.ofDays(2)))
        .partitionValues("shard_no", 0, 1, 2, 3).reversed(true).build(), reversed, 5);
    assertThat(Pages.readAll(selector, 50)).allSatisfy(a -> assertThat(a.attributes()).containsKey("kind"));
  }

  /**
   * A partition with only static content (a static written before any row, or every row deleted)
   * holds no asset: read with no bound on its clustering key, Cassandra answers it with one row
   * whose clustering key is null.
   */
  @Test
  void aPartitionWithOnlyStaticContentHoldsNoAsset() {
    String table = keyspace + ".with_static";
    session.execute("CREATE TABLE " + table + " (day date, shard_no int, asset_id bigint, note text static,"
        + " PRIMARY KEY ((day, shard_no), asset_id))");
    LocalDate day = LocalDate.of(2026, 12, 1);
    List<String> ids = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      session.execute("INSERT INTO " + table + " (day, shard_no, note) VALUES (?, ?, ?)", day, s, "n");
      for (int i = 0; s % 2 == 1 && i < 7; i++) { // shards 0 and 2 hold only their static value
        long id = s * 100L + i;
        session.execute("INSERT INTO " + table + " (day, shard_no, asset_id) VALUES (?, ?, ?)", day, s, id);
        ids.add(String.valueOf(id));
      }
    }
    for (boolean reversed : List.of(false, true)) {
      TableSelector selector = TableSelector.builder(session).table(table).bucketColumn("day")
          .window(DAY1, DAY1.plus(Duration.ofDays(1))).partitionValues("shard_no", 0, 1, 2, 3).reversed(reversed)
          .build();
      for (int pageSize : List.of(1, 7, 50)) {
        assertThat(Pages.readAll(selector, pageSize)).as("reversed %s, page %d", reversed, pageSize)
            .extracting(AssetRef::assetId).containsExactlyInAnyOrderElementsOf(ids);
      }
    }
  }

  @Test
  void randomOrdersTiesAndPageSizesMatchTheGroundTruth() {
    long seed = Long.getLong("tableSelector.seed", System.nanoTime());
    System.out.println("TableSelectorIT random seed: " + seed + " (rerun with -DtableSelector.seed=" + seed + ")");
    Random random = new Random(seed);
    for (int round = 0; round < 3; round++) {
      boolean[] asc = {random.nextBoolean(), random.nextBoolean(), random.nextBoolean()};
      String table = keyspace + ".random" + round;
      session.execute("CREATE TABLE " + table + " (p int, a int, b text, c bigint, PRIMARY KEY (p, a, b, c))"
          + " WITH CLUSTERING ORDER BY (a " + dir(asc[0]) + ", b " + dir(asc[1]) + ", c " + dir(asc[2]) + ")");
      PreparedStatement insert = session.prepare("INSERT INTO " + table + " (p, a, b, c) VALUES (?, ?, ?, ?)");
      List<long[]> rows = new ArrayList<>();
      int n = 20 + random.nextInt(60);
      for (int i = 0; i < n; i++) {
        long[] row = {random.nextInt(2), random.nextInt(1 + random.nextInt(4)), random.nextInt(3), i};
        rows.add(row);
        session.execute(insert.bind((int) row[0], (int) row[1], "b" + row[2], row[3]));
      }
      Comparator<long[]> order = Comparator.<long[]>comparingLong(r -> asc[0] ? r[1] : -r[1])
          .thenComparingLong(r -> asc[1] ? r[2] : -r[2]).thenComparingLong(r -> asc[2] ? r[3] : -r[3]);
      boolean reversed = random.nextBoolean();
      Map<String, List<String>> truth = rows.stream().sorted(reversed ? order.reversed() : order)
          .collect(Collectors.groupingBy(r -> "p=" + r[0], TreeMap::new,
              Collectors.mapping(r -> String.valueOf(r[3]), Collectors.toList())));
      int pageSize = 1 + random.nextInt(7);
      TableSelector selector = TableSelector.builder(session).table(table).partitionValues("p", 0, 1)
          .idColumn("c").reversed(reversed).build();
      KeysetCheck.check(selector, truth, pageSize);
    }
  }

  @Test
  void estimateCountsCountsTheRowsOfEachShardInTheWindow() {
    String table = keyspace + ".items_counted";
    List<Item> items = mixedOrderItems(table, 11);
    Map<String, Long> truth = items.stream()
        .filter(i -> !i.addedDate().isBefore(FROM) && i.addedDate().isBefore(TO))
        .collect(Collectors.groupingBy(i -> "day=" + i.day(), TreeMap::new, Collectors.counting()));
    TableSelector.Builder builder = TableSelector.builder(session).table(table).bucketColumn("day").window(FROM, TO)
        .timeColumn("added_date").idColumn("item_id");
    TableSelector counting = builder.estimateCounts(true).build();
    Map<String, Long> counted = new TreeMap<>();
    for (Shard shard : counting.shards()) {
      counted.put(shard.id(), counting.estimateCount(shard).orElseThrow());
    }
    assertThat(counted).isEqualTo(truth);
    TableSelector plain = builder.estimateCounts(false).build();
    assertThat(plain.estimateCount(plain.shards().get(0))).isEmpty();
  }

  @Test
  void aBucketingThatCannotProduceTheTablesBucketValuesIsRefusedAtShards() {
    String table = keyspace + ".yyyymmdd";
    session.execute("CREATE TABLE " + table + " (tenant text, day int, added timestamp, item_id uuid,"
        + " PRIMARY KEY ((tenant, day), added, item_id))");
    UUID id = UUID.randomUUID();
    session.execute("INSERT INTO " + table + " (tenant, day, added, item_id) VALUES ('a', 20261201, "
        + FROM.plusSeconds(60).toEpochMilli() + ", " + id + ")");
    TableSelector.Builder builder = TableSelector.builder(session).table(table).partitionValues("tenant", "a")
        .bucketColumn("day").window(FROM, TO).timeColumn("added").idColumn("item_id");
    assertThatThrownBy(() -> builder.build().shards()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bucketing is " + Bucketing.daily()).hasMessageContaining("'20261201'")
        .hasMessageContaining("yyyyMMdd").hasMessageContaining("checkBucketValues(false)");
    assertThat(Pages.readAll(builder.checkBucketValues(false).build(), 10)).isEmpty();
    TableSelector fixed = builder.checkBucketValues(true)
        .bucketing(Bucketing.daily().withFormatter(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd"))).build();
    assertThat(Pages.readAll(fixed, 10)).extracting(AssetRef::assetId).containsExactly(id.toString());
  }

  private static String dir(boolean ascending) {
    return ascending ? "ASC" : "DESC";
  }

  @Test
  void aConfigurationNotMatchingTheSchemaFailsAtShardsNamingTheOption() {
    String table = keyspace + ".checked";
    session.execute("CREATE TABLE " + table + " (tenant text, day date, added timestamp, item_id uuid, v text,"
        + " PRIMARY KEY ((tenant, day), added, item_id))");
    TableSelector.Builder base = TableSelector.builder(session).table(table).bucketColumn("day").window(FROM, TO)
        .idColumn("item_id");
    assertThatThrownBy(() -> base.build().shards()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partitionValues has no values for 'tenant'");
    base.partitionValues("tenant", "a");
    assertThatThrownBy(() -> base.timeColumn("item_id").build().shards())
        .hasMessageContaining("timeColumn is 'item_id'").hasMessageContaining("must be its first column");
    base.timeColumn("added");
    assertThatThrownBy(() -> base.idColumn("v").build().shards())
        .hasMessageContaining("idColumn is 'v'").hasMessageContaining("clustering or partition-key column");
    base.idColumn("item_id");
    assertThatThrownBy(() -> TableSelector.builder(session).table(table).bucketColumn("day").window(FROM, TO)
        .partitionValues("tenant", 1).build().shards())
        .hasMessageContaining("partitionValues[0] of tenant is '1'").hasMessageContaining("String");
    TableSelector ok = base.build();
    Shard shard = ok.shards().get(0);
    assertThatThrownBy(() -> ok.open(shard, Cursor.of(Uuids.timeBased().toString()), 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cursor is");
    Cursor reversedCursor = reversedCursor(table, shard);
    assertThatThrownBy(() -> ok.open(shard, reversedCursor, 10)).hasMessageContaining("another table");
  }

  private Cursor reversedCursor(String table, Shard shard) {
    session.execute("INSERT INTO " + table + " (tenant, day, added, item_id) VALUES ('a', '2026-12-01', "
        + (FROM.toEpochMilli() + 10) + ", " + UUID.randomUUID() + ")");
    TableSelector reversed = TableSelector.builder(session).table(table).bucketColumn("day").window(FROM, TO)
        .partitionValues("tenant", "a").timeColumn("added").idColumn("item_id").reversed(true).build();
    try (var p = reversed.open(shard, null, 1)) {
      return p.nextPage().cursor();
    }
  }
}
