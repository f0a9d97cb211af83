package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.AssetSelector;
import dev.reprocess.JobExecution;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.TestBackends;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The selection guarantee of the Cassandra selectors while production writes: 3,000 assets (12
 * daily buckets of 250, in both reference tables); a job reads them one shard at a time and is
 * stopped at its 1,000th event until the test has rewritten rows, deleted and re-inserted rows
 * under the same key, and inserted new ones, each in shards already read and in shards not read
 * yet; then the run goes on, or is cancelled and resumed from its checkpoints. Every original is
 * selected at least once; new rows are selected exactly when their shard had not been read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SelectionUnderConcurrentWritesIT {
  private static final String TYPE = "image/png";
  private static final Instant FROM = Instant.parse("2024-03-01T00:00:00Z");
  private static final int DAYS = 12;
  private static final int PER_DAY = 250;
  private static final int PAUSE_AT = 1000;
  /** Rows of each kind written in read shards, and again in shards not read yet. */
  private static final int EACH = 40;

  private CqlSession session;
  private String keyspace;
  private PreparedStatement insertByBucket;
  private PreparedStatement insertAsset;
  private PreparedStatement deleteByBucket;
  private PreparedStatement deleteAsset;
  /** The assets at the start, by id, with their creation time. */
  private final Map<UUID, Instant> originals = new HashMap<>();

  @BeforeAll
  void connect() {
    session = Cassandra.session(TestBackends.cassandra());
  }

  @AfterAll
  void disconnect() {
    if (session != null) {
      session.close();
    }
  }

  @BeforeEach
  void load() {
    keyspace = Cassandra.newKeyspace(session, "writes");
    CassandraSchema.createReferenceSchema(session, keyspace, 1, BucketType.TEXT);
    insertByBucket = session.prepare("INSERT INTO " + keyspace + ".assets_by_type_bucket (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    insertAsset = session.prepare(
        "INSERT INTO " + keyspace + ".assets (asset_id, asset_type, bucket, created_at, metadata) VALUES (?, ?, ?, ?, ?)");
    deleteByBucket = session.prepare("DELETE FROM " + keyspace + ".assets_by_type_bucket WHERE asset_type = ? AND bucket = ? AND asset_id = ?");
    deleteAsset = session.prepare("DELETE FROM " + keyspace + ".assets WHERE asset_id = ?");
    originals.clear();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int day = 0; day < DAYS; day++) {
      for (int i = 0; i < PER_DAY; i++) {
        Instant createdAt = FROM.plus(Duration.ofDays(day)).plusSeconds(60L * i);
        UUID id = Uuids.startOf(createdAt.toEpochMilli());
        originals.put(id, createdAt);
        writes.addAll(write(id, createdAt, "v1"));
        if (writes.size() >= 400) {
          CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
          writes.clear();
        }
      }
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
  }

  @AfterEach
  void drop() {
    Cassandra.dropKeyspace(session, keyspace);
  }

  private static String bucket(Instant createdAt) {
    return (String) Bucketing.daily().valueFor(createdAt, BucketType.TEXT);
  }

  /** Writes (or rewrites: an upsert under the same key) an asset into both tables. */
  private List<CompletableFuture<?>> write(UUID id, Instant createdAt, String version) {
    return List.of(
        session.executeAsync(insertByBucket.bind(TYPE, bucket(createdAt), id)).toCompletableFuture(),
        session.executeAsync(insertAsset.bind(id, TYPE, bucket(createdAt), createdAt, Map.of("version", version))).toCompletableFuture());
  }

  private void delete(UUID id, Instant createdAt) {
    session.execute(deleteByBucket.bind(TYPE, bucket(createdAt), id));
    session.execute(deleteAsset.bind(id));
  }

  private AssetSelector timeBuckets() {
    return TimeBucketSelector.builder(session).table(keyspace + ".assets_by_type_bucket").assetTypes(TYPE)
        .window(FROM, FROM.plus(Duration.ofDays(DAYS))).bucketing(Bucketing.daily()).oldestFirst().build();
  }

  private AssetSelector tokenRanges() {
    return TokenRangeSelector.builder(session).table(keyspace + ".assets").idColumn("asset_id").assetTypeColumn("asset_type")
        .splits(DAYS).build();
  }

  private AssetSelector selector(String kind) {
    return kind.equals("timeBuckets") ? timeBuckets() : tokenRanges();
  }

  /** Which shard each asset is in now, read through the selector itself. */
  private static Map<String, String> shardOf(AssetSelector selector) {
    Map<String, String> shardOf = new HashMap<>();
    for (Shard shard : selector.shards()) {
      try (Paginator paginator = selector.open(shard, null, 500)) {
        Page page;
        do {
          page = paginator.nextPage();
          page.assets().forEach(a -> shardOf.put(a.assetId(), shard.id()));
        } while (!page.last());
      }
    }
    return shardOf;
  }

  /** Stops every event from the {@link #PAUSE_AT}th on until the test has written. */
  private static final class Pause {
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch resumed = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();

    RecordingHandler handler() {
      return new RecordingHandler().beforeEach(e -> {
        if (calls.incrementAndGet() >= PAUSE_AT) {
          reached.countDown();
          if (!resumed.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the test never let the events go on");
          }
        }
        return null;
      });
    }
  }

  /** The rows the test wrote, by kind, and the shards read entirely and not at all when it wrote. */
  private record Writes(Set<String> rewritten, Set<String> reinserted, Set<String> created, Set<String> read, Set<String> unread) {}

  /**
   * Rewrites, deletes and re-inserts, and inserts rows in the shards read entirely before the pause
   * and in the last shards of the run, which the reader (held back by the stopped handler) has not
   * reached.
   */
  private Writes writeDuringTheRun(List<Shard> shards, Map<String, String> shardOf, List<ReprocessEvent> receivedSoFar) {
    Map<String, Integer> originalsPerShard = new HashMap<>();
    shardOf.values().forEach(s -> originalsPerShard.merge(s, 1, Integer::sum));
    Map<String, Integer> receivedPerShard = new HashMap<>();
    Set<String> receivedIds = new HashSet<>();
    receivedSoFar.forEach(e -> {
      if (receivedIds.add(e.assetId())) {
        receivedPerShard.merge(e.shardId(), 1, Integer::sum);
      }
    });
    Set<String> read = new HashSet<>();
    originalsPerShard.forEach((shard, count) -> {
      if (count.equals(receivedPerShard.get(shard))) {
        read.add(shard);
      }
    });
    Set<String> unread = new HashSet<>();
    for (Shard shard : shards.subList(shards.size() - 4, shards.size())) {
      assertThat(receivedPerShard).as("the reader is far from the last shards").doesNotContainKey(shard.id());
      unread.add(shard.id());
    }
    assertThat(read).as("shards read before the pause").hasSizeGreaterThanOrEqualTo(2);

    List<UUID> inRead = new ArrayList<>();
    List<UUID> inUnread = new ArrayList<>();
    originals.keySet().stream().sorted().forEach(id -> {
      String shard = shardOf.get(id.toString());
      (read.contains(shard) ? inRead : unread.contains(shard) ? inUnread : new ArrayList<UUID>()).add(id);
    });
    Set<String> rewritten = new HashSet<>();
    Set<String> reinserted = new HashSet<>();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (List<UUID> ids : List.of(inRead, inUnread)) {
      for (int i = 0; i < 2 * EACH; i += 2) {
        UUID rewrite = ids.get(i * ids.size() / (2 * EACH));
        writes.addAll(write(rewrite, originals.get(rewrite), "v2"));
        rewritten.add(rewrite.toString());
        UUID again = ids.get((i + 1) * ids.size() / (2 * EACH));
        delete(again, originals.get(again));
        writes.addAll(write(again, originals.get(again), "v3"));
        reinserted.add(again.toString());
      }
    }
    // New rows: 30 s after an original's creation time, so in the same bucket, between its rows
    // (in token order they land anywhere)
    Set<String> created = new HashSet<>();
    for (List<UUID> ids : List.of(inRead, inUnread)) {
      for (int i = 0; i < EACH; i++) {
        UUID near = ids.get(i * ids.size() / EACH);
        Instant createdAt = originals.get(near).plusSeconds(30);
        UUID id = Uuids.startOf(createdAt.toEpochMilli());
        writes.addAll(write(id, createdAt, "new"));
        created.add(id.toString());
      }
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    return new Writes(rewritten, reinserted, created, read, unread);
  }

  @ParameterizedTest(name = "{0}, resumed: {1}")
  @CsvSource({"timeBuckets, false", "timeBuckets, true", "tokenRanges, false", "tokenRanges, true"})
  void everyOriginalIsSelectedWhateverIsWrittenDuringTheRun(String kind, boolean resumed) throws Exception {
    AssetSelector selector = selector(kind);
    List<Shard> shards = selector.shards();
    Map<String, String> shardOf = shardOf(selector);
    assertThat(shardOf).hasSize(DAYS * PER_DAY);
    String name = "writes-" + kind + "-" + UUID.randomUUID().toString().substring(0, 8);
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).keyspace(keyspace).createTable(true).build();
    Function<RecordingHandler, ReprocessJob> job = handler -> ReprocessJob.builder(name).selector(selector(kind)).handler(handler)
        .pageSize(50).shardsInParallel(1).concurrency(8).checkpointStore(store).build();

    Pause pause = new Pause();
    RecordingHandler first = pause.handler();
    JobExecution execution = job.apply(first).start();
    assertThat(pause.reached.await(2, TimeUnit.MINUTES)).isTrue();
    Writes writes = writeDuringTheRun(shards, shardOf, first.events());
    if (resumed) {
      execution.cancel();
    }
    pause.resumed.countDown();
    JobReport report = execution.await(Duration.ofMinutes(2));
    List<String> selections = new ArrayList<>(first.handledAssetIds());
    if (resumed) {
      assertThat(report.status()).isEqualTo(JobStatus.CANCELLED);
      RecordingHandler second = new RecordingHandler();
      assertThat(job.apply(second).run().throwIfFailed().status()).isEqualTo(JobStatus.COMPLETED);
      selections.addAll(second.handledAssetIds());
    } else {
      assertThat(report.throwIfFailed().status()).isEqualTo(JobStatus.COMPLETED);
    }

    Map<String, Integer> times = new HashMap<>();
    selections.forEach(id -> times.merge(id, 1, Integer::sum));
    Map<String, String> shardNow = shardOf(selector(kind));
    Set<String> newInRead = new HashSet<>();
    Set<String> newInUnread = new HashSet<>();
    for (String id : writes.created()) {
      String shard = shardNow.get(id);
      if (writes.read().contains(shard)) {
        newInRead.add(id);
      } else if (writes.unread().contains(shard)) {
        newInUnread.add(id);
      }
    }
    assertThat(newInRead).isNotEmpty();
    assertThat(newInUnread).isNotEmpty();
    Set<String> originalIds = new HashSet<>(originals.keySet().stream().map(UUID::toString).toList());
    System.out.printf("%s%s: selected 0/1/2+ times: originals %s, rewritten %s, deleted and re-inserted %s,"
            + " new in shards read %s, new in shards not read yet %s%n",
        kind, resumed ? " cancelled and resumed" : "", histogram(times, originalIds), histogram(times, writes.rewritten()),
        histogram(times, writes.reinserted()), histogram(times, newInRead), histogram(times, newInUnread));
    assertThat(originalIds.stream().filter(id -> !times.containsKey(id)).toList()).as("originals never selected").isEmpty();
    assertThat(newInUnread).as("new rows in shards not read yet: selected").allSatisfy(id -> assertThat(times).containsKey(id));
    assertThat(newInRead).as("new rows in shards already read: not selected").noneSatisfy(id -> assertThat(times).containsKey(id));
  }

  private static String histogram(Map<String, Integer> times, Set<String> ids) {
    long[] h = new long[3];
    ids.forEach(id -> h[Math.min(2, times.getOrDefault(id, 0))]++);
    return h[0] + "/" + h[1] + "/" + h[2];
  }
}
