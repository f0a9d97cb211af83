package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.reprocess.AssetRef;
import dev.reprocess.Checkpoint;
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
import dev.reprocess.cassandra.it.ResumeChild;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.CassandraBackend;
import dev.reprocess.testkit.ChildJvm;
import dev.reprocess.testkit.TestBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The time-bucket selector on the reference layout ({@code text} buckets, {@code asset_id DESC}):
 * 100,000 assets over 3 types x 60 daily buckets of uneven sizes, some empty.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TimeBucketSelectorIT {
  private static final List<String> TYPES = List.of("image/png", "image/jpeg", "video/mp4");
  private static final Instant FROM = Instant.parse("2024-05-01T00:00:00Z");
  private static final int TOTAL = 100_000;

  private CassandraBackend backend;
  private CqlSession session;
  private String keyspace;
  private String table;
  private Dataset data;
  private Map<String, Asset> byId;
  private PreparedStatement insert;

  @BeforeAll
  void load() {
    backend = TestBackends.cassandra();
    session = Cassandra.session(backend);
    keyspace = Cassandra.newKeyspace(session, "tb");
    CassandraSchema.createReferenceSchema(session, keyspace, 1, BucketType.TEXT);
    table = keyspace + "." + CassandraSchema.ASSETS_BY_TYPE_BUCKET;
    data = Dataset.generate(42, TYPES, FROM, 60, TOTAL);
    insert = session.prepare("INSERT INTO " + table + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    data.load(session, insert, a -> new Object[] {a.type(), bucket(a.createdAt()), a.id()},
        a -> a.type() + "#" + bucket(a.createdAt()));
    byId = data.assets().stream().collect(Collectors.toMap(Asset::idText, Function.identity()));
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, keyspace);
      session.close();
    }
  }

  private static String bucket(Instant createdAt) {
    return (String) Bucketing.daily().valueFor(createdAt, BucketType.TEXT);
  }

  private TimeBucketSelector.Builder selector() {
    return TimeBucketSelector.builder(session).table(table).assetTypes(TYPES).window(data.from(), data.to());
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void theFixtureHasUnevenAndEmptyBuckets() {
    Map<String, Long> sizes = data.assets().stream()
        .collect(Collectors.groupingBy(a -> a.type() + "#" + bucket(a.createdAt()), Collectors.counting()));
    assertThat(data.emptyBuckets()).isGreaterThan(5);
    assertThat(sizes).hasSize(180 - data.emptyBuckets());
    assertThat(Collections.max(sizes.values())).isGreaterThan(10 * Collections.min(sizes.values()));
  }

  @Test
  void aFullRunNewestFirstSelectsEveryAssetExactlyOnce() {
    runAndCheckEveryAssetOnce(selector().newestFirst().build(), "newest-" + suffix());
  }

  @Test
  void aFullRunOldestFirstSelectsEveryAssetExactlyOnce() {
    runAndCheckEveryAssetOnce(selector().oldestFirst().build(), "oldest-" + suffix());
  }

  private void runAndCheckEveryAssetOnce(TimeBucketSelector selector, String job) {
    RecordingHandler handler = new RecordingHandler();
    JobReport report = ReprocessJob.builder(job)
        .selector(selector)
        .handler(handler)
        .pageSize(500)
        .shardsInParallel(4)
        .concurrency(32)
        .build()
        .run()
        .throwIfFailed();

    assertThat(report.selected()).isEqualTo(TOTAL);
    assertThat(report.shardsTotal()).isEqualTo(180);
    assertThat(report.shardsCompleted()).isEqualTo(180);
    List<String> handled = handler.handledAssetIds();
    assertThat(handled).hasSize(TOTAL);
    assertThat(new HashSet<>(handled)).isEqualTo(byId.keySet());
    for (ReprocessEvent e : handler.handled()) {
      Asset a = byId.get(e.assetId());
      assertThat(e.assetType()).isEqualTo(a.type());
      assertThat(e.shardId()).isEqualTo(a.type() + "#" + bucket(a.createdAt()));
    }
  }

  @Test
  void pagesFollowTheKeyInBothOrdersWithExactCursorsAndCreationTimes() {
    for (ReadOrder order : ReadOrder.values()) {
      TimeBucketSelector selector = selector().order(order).build();
      List<Shard> shards = selector.shards();
      assertThat(shards).hasSize(180);
      List<String> bucketOrder = shards.stream().map(s -> s.property(TimeBucketSelector.PROPERTY_BUCKET)).distinct().toList();
      List<String> sorted = new ArrayList<>(bucketOrder);
      Collections.sort(sorted);
      if (order == ReadOrder.NEWEST_FIRST) {
        Collections.reverse(sorted);
      }
      assertThat(bucketOrder).as("buckets in reading order").isEqualTo(sorted);

      int total = 0;
      for (Shard shard : shards) {
        List<AssetRef> assets = readShard(selector, shard, null, 333);
        total += assets.size();
        for (int i = 0; i < assets.size(); i++) {
          AssetRef ref = assets.get(i);
          Asset a = byId.get(ref.assetId());
          assertThat(a).isNotNull();
          assertThat(ref.createdAt()).isEqualTo(a.createdAt());
          assertThat(ref.assetType()).isEqualTo(shard.assetType()).isEqualTo(a.type());
          if (i > 0) {
            Instant previous = assets.get(i - 1).createdAt();
            if (order == ReadOrder.NEWEST_FIRST) {
              assertThat(ref.createdAt()).isBeforeOrEqualTo(previous);
            } else {
              assertThat(ref.createdAt()).isAfterOrEqualTo(previous);
            }
          }
        }
      }
      assertThat(total).isEqualTo(TOTAL);
    }
  }

  /** Reads a shard to its end, checking each page's cursor is its last id. */
  private static List<AssetRef> readShard(TimeBucketSelector selector, Shard shard, Cursor from, int pageSize) {
    List<AssetRef> out = new ArrayList<>();
    try (Paginator p = selector.open(shard, from, pageSize)) {
      Page page;
      do {
        page = p.nextPage();
        assertThat(page.size()).isLessThanOrEqualTo(pageSize);
        if (!page.assets().isEmpty()) {
          assertThat(page.cursor().value()).isEqualTo(page.assets().get(page.size() - 1).assetId());
        } else {
          assertThat(page.last()).isTrue();
        }
        out.addAll(page.assets());
      } while (!page.last());
    }
    return out;
  }

  @Test
  void resumingFromACursorReadsExactlyTheRest() {
    Map<String, Long> sizes = data.assets().stream()
        .collect(Collectors.groupingBy(a -> a.type() + "#" + bucket(a.createdAt()), Collectors.counting()));
    String biggest = Collections.max(sizes.entrySet(), Map.Entry.comparingByValue()).getKey();
    for (ReadOrder order : ReadOrder.values()) {
      TimeBucketSelector selector = selector().order(order).build();
      Shard shard = selector.shards().stream().filter(s -> s.id().equals(biggest)).findFirst().orElseThrow();
      List<AssetRef> all = readShard(selector, shard, null, 100);
      assertThat(all).hasSize(sizes.get(biggest).intValue());
      Cursor middle;
      try (Paginator p = selector.open(shard, null, 100)) {
        p.nextPage();
        p.nextPage();
        middle = p.nextPage().cursor();
      }
      List<AssetRef> rest = readShard(selector, shard, middle, 77);
      assertThat(rest).isEqualTo(all.subList(300, all.size()));
    }
  }

  @Test
  void theWindowIsExactAtItsEdges() {
    Instant from = FROM.plus(Duration.ofDays(10)).plus(Duration.ofHours(12)).plusMillis(345);
    Instant to = FROM.plus(Duration.ofDays(20)).plus(Duration.ofHours(6)).plusMillis(789);
    Set<String> expected = data.assets().stream()
        .filter(a -> !a.createdAt().isBefore(from) && a.createdAt().isBefore(to))
        .map(Asset::idText).collect(Collectors.toSet());

    // Assets one millisecond either side of each edge, in a type of their own.
    Random rnd = new Random(7);
    Map<String, Instant> edges = new HashMap<>();
    for (Instant t : List.of(from.minusMillis(1), from, to.minusMillis(1), to)) {
      UUID id = Dataset.timeuuid(t.toEpochMilli(), rnd);
      session.execute(insert.bind("edge/case", bucket(t), id));
      edges.put(id.toString(), t);
    }

    // In both orders, and in pages of 7 too: the edge buckets' later pages keep the window's bound.
    for (ReadOrder order : ReadOrder.values()) {
      for (int pageSize : new int[] {500, 7}) {
        TimeBucketSelector selector = TimeBucketSelector.builder(session).table(table)
            .assetTypes(List.of("image/png", "image/jpeg", "video/mp4", "edge/case")).window(from, to).order(order)
            .build();
        List<Shard> shards = selector.shards();
        assertThat(shards).hasSize(4 * 11);
        Set<String> read = new HashSet<>();
        Set<String> edgeRead = new HashSet<>();
        for (Shard shard : shards) {
          for (AssetRef ref : readShard(selector, shard, null, pageSize)) {
            assertThat(read.add(ref.assetId())).isTrue();
            if ("edge/case".equals(ref.assetType())) {
              edgeRead.add(ref.assetId());
            }
          }
        }
        read.removeAll(edgeRead);
        assertThat(read).as("%s, pages of %d", order, pageSize).isEqualTo(expected);
        assertThat(edgeRead.stream().map(edges::get).collect(Collectors.toSet()))
            .containsExactlyInAnyOrder(from, to.minusMillis(1));
      }
    }
  }

  @Test
  void estimatedCountsAreTheShardSizes() {
    TimeBucketSelector selector = selector().estimateCounts(true).build();
    Shard shard = selector.shards().get(7);
    long expected = data.assets().stream()
        .filter(a -> shard.id().equals(a.type() + "#" + bucket(a.createdAt()))).count();
    assertThat(selector.estimateCount(shard)).hasValue(expected);
    assertThat(selector().build().estimateCount(shard)).isEmpty();
  }

  @Test
  void aBucketWithManyDeletedRowsStillCompletes() {
    // 30,000 rows in one partition; 15,000 contiguous ones deleted, then every other one of the
    // last 10,000: 20,000 tombstones, well under tombstone_failure_threshold (100,000) per read.
    Instant day = FROM.plus(Duration.ofDays(3));
    Random rnd = new Random(11);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      ids.add(Dataset.timeuuid(day.toEpochMilli() + i * 2L, rnd));
    }
    Dataset.insertAll(session, insert, ids, id -> new Object[] {"tomb/stone", bucket(day), id}, id -> "one");
    List<UUID> deleted = new ArrayList<>(ids.subList(5_000, 20_000));
    for (int i = 20_000; i < 30_000; i += 2) {
      deleted.add(ids.get(i));
    }
    PreparedStatement delete = session.prepare(
        "DELETE FROM " + table + " WHERE asset_type = ? AND bucket = ? AND asset_id = ?");
    Dataset.insertAll(session, delete, deleted, id -> new Object[] {"tomb/stone", bucket(day), id}, id -> "one");
    Set<String> live = ids.stream().map(UUID::toString).collect(Collectors.toCollection(HashSet::new));
    deleted.forEach(id -> live.remove(id.toString()));

    for (ReadOrder order : ReadOrder.values()) {
      TimeBucketSelector selector = TimeBucketSelector.builder(session).table(table).assetTypes("tomb/stone")
          .window(day, day.plus(Duration.ofDays(1))).order(order).build();
      Shard shard = selector.shards().get(0);
      List<AssetRef> read = readShard(selector, shard, null, 200);
      assertThat(read).hasSize(live.size());
      assertThat(read.stream().map(AssetRef::assetId).collect(Collectors.toSet())).isEqualTo(live);
    }
  }

  /**
   * A table with a static column: a partition holding only static content (a static written before
   * any row, or every row deleted) has no asset, whether its bucket is at the window's edge or
   * inside it, in both orders.
   */
  @Test
  void aPartitionWithOnlyStaticContentHoldsNoAsset() {
    String statics = keyspace + ".with_static_" + suffix();
    session.execute("CREATE TABLE " + statics + " (asset_type text, bucket text, asset_id timeuuid, note text static,"
        + " PRIMARY KEY ((asset_type, bucket), asset_id)) WITH CLUSTERING ORDER BY (asset_id DESC)");
    Random rnd = new Random(13);
    Set<String> ids = new HashSet<>();
    for (int day = 0; day < 4; day++) {
      Instant t = FROM.plus(Duration.ofDays(day)).plus(Duration.ofHours(5));
      session.execute("INSERT INTO " + statics + " (asset_type, bucket, note) VALUES (?, ?, ?)", "s/t", bucket(t), "n");
      // day 1, inside the window, has only its static content; day 2, inside too, exactly one page
      // of rows (so the driver asks for a second page past them); the edge days one row each
      int rows = day == 1 ? 0 : day == 2 ? 10 : 1;
      for (int i = 0; i < rows; i++) {
        UUID id = Dataset.timeuuid(t.toEpochMilli() + i, rnd);
        session.execute("INSERT INTO " + statics + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)", "s/t",
            bucket(t), id);
        ids.add(id.toString());
      }
    }
    for (ReadOrder order : ReadOrder.values()) {
      TimeBucketSelector selector = TimeBucketSelector.builder(session).table(statics).assetTypes("s/t")
          .window(FROM, FROM.plus(Duration.ofDays(4))).order(order).build();
      List<Shard> shards = selector.shards();
      assertThat(shards).hasSize(4);
      Set<String> read = new HashSet<>();
      for (Shard shard : shards) {
        readShard(selector, shard, null, 10).forEach(ref -> assertThat(read.add(ref.assetId())).isTrue());
      }
      assertThat(read).as(order.toString()).isEqualTo(ids);
    }
  }

  @Test
  void assetTypesWithQuotesOrCqlAreOnlyValues() {
    List<String> weird = List.of(
        "it's \"quoted\"",
        "x' OR asset_type = 'image/png",
        "a'); DROP TABLE " + table + "; --");
    Instant t = FROM.plus(Duration.ofHours(5));
    Random rnd = new Random(3);
    Map<String, String> typeById = new HashMap<>();
    for (String type : weird) {
      for (int i = 0; i < 3; i++) {
        UUID id = Dataset.timeuuid(t.toEpochMilli() + i, rnd);
        session.execute(insert.bind(type, bucket(t), id));
        typeById.put(id.toString(), type);
      }
    }
    RecordingHandler handler = new RecordingHandler();
    ReprocessJob.builder("weird-" + suffix())
        .selector(TimeBucketSelector.builder(session).table(table).assetTypes(weird).window(data.from(), data.to()).build())
        .handler(handler)
        .build()
        .run()
        .throwIfFailed();
    assertThat(handler.handled()).hasSize(9);
    for (ReprocessEvent e : handler.handled()) {
      assertThat(e.assetType()).isEqualTo(typeById.get(e.assetId()));
    }
    // The table is still there, with its data.
    assertThat(session.getMetadata().getKeyspace(keyspace).flatMap(k -> k.getTable(CassandraSchema.ASSETS_BY_TYPE_BUCKET)))
        .isPresent();
    Row row = session.execute("SELECT count(*) FROM " + table + " WHERE asset_type = 'image/png' AND bucket = '"
        + bucket(FROM.plus(Duration.ofDays(30))) + "'").one();
    long expected = data.assets().stream()
        .filter(a -> a.type().equals("image/png") && bucket(a.createdAt()).equals(bucket(FROM.plus(Duration.ofDays(30)))))
        .count();
    assertThat(row.getLong(0)).isEqualTo(expected);
  }

  @Test
  void aRunKilledMidShardResumesAndSelectsNothingTwiceBeyondThePagesInFlight() throws Exception {
    String job = "killed-" + suffix();
    int pageSize = 100;
    int shardsInParallel = 4; // as ResumeChild runs it
    String checkpointTable = keyspace + ".checkpoints_" + suffix().replace("-", "");
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpointTable).createTable(true).build();
    Path out = Files.createTempFile("reprocess-resume-", ".txt");
    List<String> args = new ArrayList<>(List.of(
        backend.contactPoint().getHostString(), Integer.toString(backend.contactPoint().getPort()),
        backend.localDatacenter(), table, checkpointTable, job, out.toString(), Integer.toString(pageSize), "20000",
        data.from().toString(), data.to().toString()));
    args.addAll(TYPES);
    Path log = Files.createTempFile("reprocess-resume-child-", ".log");
    try (ChildJvm child = ChildJvm.start(ResumeChild.class, List.of("-Xmx256m"), args, log)) {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
        if (!child.process().isAlive()) {
          throw new AssertionError("the child job ended (exit " + child.process().exitValue()
              + ") before it was killed:\n" + child.log());
        }
        return ChildJvm.completeLines(out).size() >= 10_000
            && store.load(job).values().stream().anyMatch(c -> !c.completed() && c.cursor() != null);
      });
      child.kill(); // SIGKILL: no shutdown hook, no graceful cancel
    }
    List<String> first = ChildJvm.completeLines(out);
    assertThat(first.size()).isLessThan(TOTAL);

    RecordingHandler handler = new RecordingHandler();
    JobReport report = ReprocessJob.builder(job)
        .selector(selector().build())
        .handler(handler)
        .pageSize(pageSize)
        .shardsInParallel(shardsInParallel)
        .checkpointStore(store)
        .onRunningElsewhere(dev.reprocess.RunningElsewhere.WAIT) // the killed run's lease expires first
        .build()
        .run()
        .throwIfFailed();

    List<String> second = handler.handledAssetIds();
    Set<String> union = new HashSet<>(first);
    union.addAll(second);
    assertThat(union).as("every asset handled by one run or the other").isEqualTo(byId.keySet());
    assertThat(new HashSet<>(first)).hasSize(first.size());
    assertThat(new HashSet<>(second)).hasSize(second.size());
    Set<String> twice = new HashSet<>(first);
    twice.retainAll(new HashSet<>(second));
    // At most the pages in flight when the process died (16 per shard) and those final but not yet
    // written (4 per shard, with checkpointInterval 0): 20 x pageSize x shardsInParallel.
    assertThat(twice.size()).isLessThanOrEqualTo(20 * pageSize * shardsInParallel);
    assertThat(report.selected()).isEqualTo(second.size()).isLessThan(TOTAL - first.size() + 20L * pageSize * shardsInParallel + 1);
    // Killed mid-shard: some shard was partly handled by the killed run and finished by the new one.
    Set<String> firstSet = new HashSet<>(first);
    Map<String, Set<String>> newInSecondByShard = handler.handled().stream()
        .filter(e -> !firstSet.contains(e.assetId()))
        .collect(Collectors.groupingBy(ReprocessEvent::shardId, Collectors.mapping(ReprocessEvent::assetId, Collectors.toSet())));
    assertThat(first.stream().map(id -> shardOf(byId.get(id)))).anyMatch(newInSecondByShard::containsKey);
    assertThat(store.load(job).values()).hasSize(180).allMatch(Checkpoint::completed);
    Files.deleteIfExists(out);
    Files.deleteIfExists(log);
  }

  private static String shardOf(Asset a) {
    return a.type() + "#" + bucket(a.createdAt());
  }
}
