package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.AssetSelector;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.CassandraBackend;
import dev.reprocess.testkit.TestBackends;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Partition discovery on sparse windows: a window of 10 days of hourly buckets over 3 asset types
 * (720 candidate partitions) of which 7 hold rows, plus rows outside the window; and a table of
 * tenant x day x shard number. Each mode selects exactly the ground truth, lists only partitions
 * that hold rows (so no checkpoint row for an empty one), keeps the shard ids and the selection's
 * definition of a run without discovery, and resumes, a partition filled since the first run becoming
 * a new shard.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionDiscoveryIT {
  private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant TO = FROM.plus(Duration.ofDays(10));
  private static final List<String> TYPES = List.of("image", "video", "doc");

  private CqlSession session;
  private String keyspace;
  private int tables;

  @BeforeAll
  void start() {
    session = Cassandra.session(TestBackends.cassandra());
    keyspace = Cassandra.newKeyspace(session, "discovery");
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, keyspace);
      session.close();
    }
  }

  /** A reference-layout table (hourly text buckets) and the ids of the rows it holds in the window. */
  private final class Sparse {
    final String table = keyspace + ".sparse_" + (++tables);
    final Set<String> truth = new HashSet<>();
    final Set<String> filledShards = new LinkedHashSet<>();
    private final PreparedStatement insert;

    Sparse() {
      this("asset_type, bucket");
    }

    /** @param partitionKey the partition key's columns in their order */
    Sparse(String partitionKey) {
      session.execute("CREATE TABLE " + table + " (asset_type text, bucket text, asset_id timeuuid,"
          + " PRIMARY KEY ((" + partitionKey + "), asset_id)) WITH CLUSTERING ORDER BY (asset_id DESC)");
      insert = session.prepare("INSERT INTO " + table + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    }

    /** Inserts {@code rows} rows of {@code type} created from {@code at} on, one millisecond apart. */
    Sparse rows(String type, Instant at, int rows) {
      for (int i = 0; i < rows; i++) {
        Instant t = at.plusMillis(i);
        UUID id = Uuids.startOf(t.toEpochMilli());
        String bucket = (String) Bucketing.hourly().valueFor(t, BucketType.TEXT);
        session.execute(insert.bind(type, bucket, id));
        if (!t.isBefore(FROM) && t.isBefore(TO)) {
          truth.add(id.toString());
          filledShards.add(type + "#" + bucket);
        }
      }
      return this;
    }

    /** 7 partitions in the window (one with a row on each edge) and 3 outside it. */
    Sparse filled() {
      rows("image", FROM, 40).rows("image", FROM.plus(Duration.ofHours(30)), 25);
      rows("video", FROM.plus(Duration.ofDays(3)).plusSeconds(17), 60).rows("video", TO.minusMillis(1), 1);
      rows("doc", FROM.plus(Duration.ofDays(5)), 3).rows("doc", FROM.plus(Duration.ofDays(9)), 120);
      rows("image", FROM.plus(Duration.ofDays(7)), 8);
      rows("image", FROM.minus(Duration.ofDays(2)), 30).rows("doc", TO, 5).rows("video", TO.plus(Duration.ofDays(40)), 9);
      return this;
    }

    TimeBucketSelector selector(PartitionDiscovery mode) {
      return TimeBucketSelector.builder(session).table(table).assetTypes(TYPES).window(FROM, TO)
          .bucketing(Bucketing.hourly()).partitionDiscovery(mode).build();
    }
  }

  private static ReprocessJob job(String name, AssetSelector selector, RecordingHandler handler,
      InMemoryCheckpointStore store) {
    return ReprocessJob.builder(name).selector(selector).handler(handler).checkpointStore(store).pageSize(7)
        .shardsInParallel(1).concurrency(1).failFast(true).build();
  }

  private static void assertExactly(List<String> handled, Set<String> truth) {
    assertThat(new HashSet<>(handled)).as("missing or extra ids").isEqualTo(truth);
    assertThat(handled).as("repeated ids").hasSameSizeAs(truth);
  }

  @ParameterizedTest
  @EnumSource(value = PartitionDiscovery.class, names = {"PROBE", "SCAN_DISTINCT"})
  void aSparseWindowSelectsExactlyItsRowsAndCheckpointsOnlyPartitionsThatHoldRows(PartitionDiscovery mode) {
    Sparse data = new Sparse().filled();
    TimeBucketSelector all = data.selector(PartitionDiscovery.NONE);
    TimeBucketSelector discovering = data.selector(mode);
    List<Shard> candidates = all.shards();
    assertThat(candidates).hasSize(3 * 240);
    List<Shard> kept = discovering.shards();
    assertThat(kept).extracting(Shard::id).containsExactlyInAnyOrderElementsOf(data.filledShards);
    assertThat(candidates).as("same shards, same order").containsSubsequence(kept);
    assertThat(discovering.selectionDefinition()).isEqualTo(all.selectionDefinition());

    RecordingHandler handler = new RecordingHandler();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    ReprocessJob job = job("sparse-" + mode, discovering, handler, store);
    assertThat(job.count().total()).isEqualTo(data.truth.size());
    JobReport report = job.run().throwIfFailed();
    assertExactly(handler.handledAssetIds(), data.truth);
    assertThat(report.shardsTotal()).isEqualTo(data.filledShards.size());
    assertThat(store.load("sparse-" + mode).keySet()).containsExactlyInAnyOrderElementsOf(data.filledShards);
  }

  @ParameterizedTest
  @EnumSource(value = PartitionDiscovery.class, names = {"PROBE", "SCAN_DISTINCT"})
  void aPartitionKeyOfBucketThenTypeIsDiscoveredToo(PartitionDiscovery mode) {
    Sparse data = new Sparse("bucket, asset_type").filled();
    assertThat(data.selector(mode).shards()).extracting(Shard::id).containsExactlyInAnyOrderElementsOf(data.filledShards);
    RecordingHandler handler = new RecordingHandler();
    job("bucket-first-" + mode, data.selector(mode), handler, new InMemoryCheckpointStore()).run().throwIfFailed();
    assertExactly(handler.handledAssetIds(), data.truth);
  }

  @ParameterizedTest
  @EnumSource(value = PartitionDiscovery.class, names = {"PROBE", "SCAN_DISTINCT"})
  void aResumedRunFinishesTheRestAndReadsAPartitionFilledSinceAsANewShard(PartitionDiscovery mode) {
    Sparse data = new Sparse().filled();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    String name = "resume-" + mode;
    String failing = data.truth.stream().sorted().skip(data.truth.size() / 2).findFirst().orElseThrow();
    RecordingHandler first = new RecordingHandler().failFor(List.of(failing));
    assertThat(job(name, data.selector(mode), first, store).run().status()).isEqualTo(JobStatus.FAILED);
    assertThat(first.handledAssetIds()).hasSizeLessThan(data.truth.size());

    data.rows("doc", FROM.plus(Duration.ofHours(100)), 4);
    RecordingHandler second = new RecordingHandler();
    job(name, data.selector(mode), second, store).run().throwIfFailed();
    List<String> all = new ArrayList<>(first.handledAssetIds());
    all.addAll(second.handledAssetIds());
    assertThat(new HashSet<>(all)).as("missing or extra ids").isEqualTo(data.truth);
    assertThat(all.size() - data.truth.size()).as("repeated: at most the page in flight").isLessThanOrEqualTo(7);
    assertThat(store.load(name).keySet()).containsExactlyInAnyOrderElementsOf(data.filledShards);
    assertThat(store.load(name).values()).allMatch(c -> c.completed());
  }

  @ParameterizedTest
  @EnumSource(value = PartitionDiscovery.class, names = {"PROBE", "SCAN_DISTINCT"})
  void aTableOfListedValuesAndDaysKeepsOnlyItsFilledPartitions(PartitionDiscovery mode) {
    String table = keyspace + ".items_" + (++tables);
    session.execute("CREATE TABLE " + table + " (tenant text, day date, shard_no int, item_id bigint,"
        + " PRIMARY KEY ((tenant, day, shard_no), item_id))");
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (tenant, day, shard_no, item_id) VALUES (?, ?, ?, ?)");
    LocalDate first = LocalDate.ofInstant(FROM, ZoneOffset.UTC);
    Set<String> truth = new HashSet<>();
    Set<String> filled = new HashSet<>();
    long id = 0;
    for (int[] p : new int[][] {{0, 0, 3, 20}, {1, 4, 0, 11}, {1, 9, 2, 30}, {0, 12, 1, 5}}) {
      String tenant = p[0] == 0 ? "a" : "b";
      LocalDate day = first.plusDays(p[1]);
      for (int i = 0; i < p[3]; i++) {
        session.execute(insert.bind(tenant, day, p[2], ++id));
        if (p[1] < 10) {
          truth.add(Long.toString(id));
          filled.add("tenant=" + tenant + "/day=" + day + "/shard_no=" + p[2]);
        }
      }
    }
    TableSelector.Builder builder = TableSelector.builder(session).table(table).partitionValues("tenant", "a", "b")
        .partitionValues("shard_no", 0, 1, 2, 3).bucketColumn("day").window(FROM, TO).idColumn("item_id");
    assertThat(builder.build().shards()).hasSize(2 * 10 * 4);
    TableSelector selector = builder.partitionDiscovery(mode).build();
    assertThat(selector.shards()).extracting(Shard::id).containsExactlyInAnyOrderElementsOf(filled);
    RecordingHandler handler = new RecordingHandler();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    job("table-" + mode, selector, handler, store).run().throwIfFailed();
    assertExactly(handler.handledAssetIds(), truth);
    assertThat(store.load("table-" + mode).keySet()).containsExactlyInAnyOrderElementsOf(filled);
  }

  @Test
  void aNullModeIsRefusedByBuildAndAScanWithoutTheTokenMapByShards() {
    assertThatThrownBy(() -> TimeBucketSelector.builder(session).table(keyspace + ".t").assetTypes("a")
        .window(FROM, TO).partitionDiscovery(null).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitionDiscovery is null");
    assertThatThrownBy(() -> TableSelector.builder(session).table(keyspace + ".t").partitionValues("k", "a")
        .partitionDiscovery(null).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitionDiscovery is null");

    Sparse data = new Sparse().filled();
    CassandraBackend backend = TestBackends.cassandra();
    try (CqlSession noTokenMap = CqlSession.builder().addContactPoint(backend.contactPoint())
        .withLocalDatacenter(backend.localDatacenter())
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20)).build())
        .build()) {
      TimeBucketSelector scan = TimeBucketSelector.builder(noTokenMap).table(data.table).assetTypes(TYPES)
          .window(FROM, TO).bucketing(Bucketing.hourly()).partitionDiscovery(PartitionDiscovery.SCAN_DISTINCT).build();
      assertThatThrownBy(scan::shards).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("partitionDiscovery is SCAN_DISTINCT").hasMessageContaining("token map");
      TimeBucketSelector probe = TimeBucketSelector.builder(noTokenMap).table(data.table).assetTypes(TYPES)
          .window(FROM, TO).bucketing(Bucketing.hourly()).partitionDiscovery(PartitionDiscovery.PROBE).build();
      assertThat(probe.shards()).extracting(Shard::id).containsExactlyInAnyOrderElementsOf(data.filledShards);
    }
  }
}
