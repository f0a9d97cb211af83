package dev.reprocess.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.session.Request;
import com.datastax.oss.driver.api.core.tracker.RequestTracker;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.reprocess.Checkpoint;
import dev.reprocess.Cursor;
import dev.reprocess.JobLease;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.LeaseLostException;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.cassandra.it.Dataset;
import dev.reprocess.cassandra.it.Dataset.Asset;
import dev.reprocess.cassandra.it.LeaseChild;
import dev.reprocess.testing.RecordingHandler;
import dev.reprocess.testkit.CassandraBackend;
import dev.reprocess.testkit.ChildJvm;
import dev.reprocess.testkit.TestBackends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Several replicas of one job, as child processes on the real Cassandra: the lease lets one run at
 * a time, a takeover after a crash loses nothing, a frozen old holder's checkpoint writes never
 * land, and a changed selection is refused. 12,000 assets over 2 types x 15 daily buckets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaseIT {
  private static final Duration CHILD_RUN_LIMIT = Duration.ofSeconds(180);
  private static final List<String> TYPES = List.of("image/png", "video/mp4");
  private static final Instant FROM = Instant.parse("2024-05-01T00:00:00Z");
  private static final int TOTAL = 12_000;
  private static final int PAGE_SIZE = 100;
  private static final int SHARDS_IN_PARALLEL = 4; // as LeaseChild runs it

  private CassandraBackend backend;
  private CqlSession session;
  private String keyspace;
  private String table;
  private Dataset data;
  private Set<String> allIds;
  private final List<ChildJvm> children = new ArrayList<>();

  @BeforeAll
  void load() {
    backend = TestBackends.cassandra();
    session = Cassandra.session(backend);
    keyspace = Cassandra.newKeyspace(session, "lease");
    CassandraSchema.createReferenceSchema(session, keyspace, 1, BucketType.TEXT);
    table = keyspace + "." + CassandraSchema.ASSETS_BY_TYPE_BUCKET;
    data = Dataset.generate(7, TYPES, FROM, 15, TOTAL);
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    data.load(session, insert, a -> new Object[] {a.type(), bucket(a.createdAt()), a.id()},
        a -> a.type() + "#" + bucket(a.createdAt()));
    allIds = data.assets().stream().map(Asset::idText).collect(Collectors.toSet());
  }

  @AfterEach
  void killChildren() {
    children.forEach(ChildJvm::close);
    children.clear();
  }

  @AfterAll
  void drop() {
    if (session != null) {
      Cassandra.dropKeyspace(session, keyspace);
      session.close();
    }
  }

  @Test
  void twoReplicasStartingTogetherRunItOnceAndTheOtherIsRefusedNamingTheHolder() throws Exception {
    String job = "together-" + suffix();
    String checkpoints = checkpointTable();
    Child a = start(job, checkpoints, "FAIL", 0, 1500);
    Child b = start(job, checkpoints, "FAIL", 0, 1500);
    int exitA = a.jvm.awaitExit(CHILD_RUN_LIMIT);
    int exitB = b.jvm.awaitExit(CHILD_RUN_LIMIT);
    assertThat(List.of(exitA, exitB)).as(a.jvm.log() + "\n----\n" + b.jvm.log()).containsExactlyInAnyOrder(0, 3);
    Child winner = exitA == 0 ? a : b;
    Child loser = exitA == 0 ? b : a;
    assertThat(loser.jvm.log()).contains("RESULT FAILED job '" + job + "': running elsewhere: its lease is held by '")
        .contains("/" + winner.jvm.pid() + "/").contains("last renewed");
    assertThat(loser.handled()).isEmpty();
    assertThat(new HashSet<>(winner.handled())).isEqualTo(allIds);
  }

  @Test
  void aReplicaKilledMidRunIsTakenOverOnceItsLeaseExpiresAndNothingIsLost() throws Exception {
    String job = "killed-" + suffix();
    String checkpoints = checkpointTable();
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpoints).build();
    // Slow enough to outlive the second JVM's start on a busy machine (10,000 events after the 2,000: 20 s).
    Child first = start(job, checkpoints, "TAKE_OVER_EXPIRED", 3, 500);
    awaitProgress(first, store, job, 2000);
    Child second = start(job, checkpoints, "WAIT", 3, 20000);
    second.jvm.awaitLine("waiting for the lease held by", Duration.ofSeconds(60));
    first.jvm.kill(); // SIGKILL: the lease is neither renewed nor released
    List<String> beforeKill = first.handled();

    assertThat(second.jvm.awaitExit(CHILD_RUN_LIMIT)).as(second.jvm.log()).isZero();
    List<String> after = second.handled();
    Set<String> union = new HashSet<>(beforeKill);
    union.addAll(after);
    assertThat(union).as("every asset handled by one replica or the other").isEqualTo(allIds);
    Set<String> twice = new HashSet<>(beforeKill);
    twice.retainAll(new HashSet<>(after));
    // At most the pages in flight when the holder died (16 per shard) and those final but not yet
    // written (4 per shard, with checkpointInterval 0).
    assertThat(twice.size()).isLessThanOrEqualTo((16 + 4) * PAGE_SIZE * SHARDS_IN_PARALLEL);
    assertThat(store.load(job).values()).hasSize(30).allMatch(Checkpoint::completed);
    assertThat(lease(checkpoints, job).getLong("lease_token")).isEqualTo(2);
  }

  @Test
  void aFrozenHolderResumedAfterATakeoverFailsAndNoneOfItsCheckpointWritesLand() throws Exception {
    String job = "frozen-" + suffix();
    String checkpoints = checkpointTable();
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpoints).build();
    Child old = start(job, checkpoints, "TAKE_OVER_EXPIRED", 3, 1000);
    awaitProgress(old, store, job, 2000);
    old.jvm.freeze();
    Child next = start(job, checkpoints, "WAIT", 3, 20000);
    assertThat(next.jvm.awaitExit(CHILD_RUN_LIMIT)).as(next.jvm.log()).isZero();
    assertThat(store.load(job).values()).hasSize(30).allMatch(Checkpoint::completed);
    Row lease = lease(checkpoints, job);
    assertThat(lease.getLong("lease_token")).isEqualTo(2);

    old.jvm.resume();
    assertThat(old.jvm.awaitExit(CHILD_RUN_LIMIT)).as(old.jvm.log()).isEqualTo(3);
    assertThat(old.jvm.log()).contains("RESULT FAILED").contains("refused: the lease of '")
        .contains("fencing token 1");
    // The new holder's progress was never overwritten: every shard is still completed, with the
    // checkpoints it wrote.
    assertThat(store.load(job).values()).hasSize(30).allMatch(Checkpoint::completed);
    Set<String> union = new HashSet<>(old.handled());
    union.addAll(next.handled());
    assertThat(union).isEqualTo(allIds);
  }

  @Test
  void aChangedWindowUnderTheSameNameIsRefusedNamingTheDifference() {
    String job = "window-" + suffix();
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpointTable()).build();
    Instant to = FROM.plus(Duration.ofDays(15));
    assertThat(run(job, store, to, false).status()).isEqualTo(JobStatus.COMPLETED);
    RecordingHandler handler = new RecordingHandler();
    JobReport refused = ReprocessJob.builder(job).selector(selector(FROM.plus(Duration.ofDays(10)))).handler(handler)
        .checkpointStore(store).build().run();
    assertThat(refused.status()).isEqualTo(JobStatus.FAILED);
    assertThat(refused.failureCause()).hasMessageContaining("window: '[" + FROM + ", " + to + ")' -> '[" + FROM
        + ", " + FROM.plus(Duration.ofDays(10)) + ")'");
    assertThat(handler.count()).isZero();
    assertThat(run(job, store, FROM.plus(Duration.ofDays(10)), true).status()).isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void aJobRefusedForTooManyShardsLeavesNoLeaseRow() {
    String job = "refused-" + suffix();
    String checkpoints = checkpointTable();
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpoints).build();
    RecordingHandler handler = new RecordingHandler();
    JobReport refused = ReprocessJob.builder(job).selector(selector(FROM.plus(Duration.ofDays(15)))).handler(handler)
        .checkpointStore(store).maxShards(2).build().run();
    assertThat(refused.status()).isEqualTo(JobStatus.FAILED);
    assertThat(refused.failureCause()).hasMessageContaining("maxShards is 2");
    assertThat(handler.count()).isZero();
    assertThat(lease(checkpoints, job)).isNull();
  }

  @Test
  void checkpointsSavedTogetherLandInBatchesAndAnOldHoldersBatchLandsNowhere() {
    String job = "batch-" + suffix();
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpointTable()).build();
    JobLease old = store.acquireLease(job, "host-a/1/aa", Duration.ofSeconds(1), false);
    // 120 checkpoints with 200-character cursors: more than one conditional batch (4 KiB each).
    List<Checkpoint> first = checkpoints(job, 120, "a", Checkpoint.State.IN_PROGRESS);
    old.saveAll(first);
    assertThat(store.load(job).values()).containsExactlyInAnyOrderElementsOf(first);

    await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(old.expiresAt()));
    JobLease current = store.acquireLease(job, "host-b/2/bb", Duration.ofSeconds(30), true);
    List<Checkpoint> stale = checkpoints(job, 120, "z", Checkpoint.State.COMPLETED);
    assertThatThrownBy(() -> old.saveAll(stale)).isInstanceOf(LeaseLostException.class)
        .hasMessageContaining("taken over by 'host-b/2/bb' (fencing token 2)");
    assertThat(store.load(job).values()).as("none of the old holder's batch").containsExactlyInAnyOrderElementsOf(first);
    List<Checkpoint> next = checkpoints(job, 120, "b", Checkpoint.State.COMPLETED);
    current.saveAll(next);
    assertThat(store.load(job).values()).containsExactlyInAnyOrderElementsOf(next);
    current.close();
  }

  private static List<Checkpoint> checkpoints(String job, int shards, String cursorChar, Checkpoint.State state) {
    Instant at = Instant.parse("2026-12-04T00:00:00Z");
    List<Checkpoint> list = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      list.add(new Checkpoint(job, String.format("image/png#2024-%03d", i), Cursor.of(cursorChar.repeat(200) + i),
          state, i, i, 0, 0, at));
    }
    return list;
  }

  /**
   * The takeover time after a SIGKILL, printed: at most the lease's time to live plus the waiting
   * replica's poll (a third of it) plus a margin. A 3-s lease unless {@code
   * -Dreprocess.it.takeoverLeaseSeconds} names another ({@code 0}: the default, 30 s, the README's
   * figure).
   */
  @Test
  void takeoverTimeAfterASigkill() throws Exception {
    int ttlSeconds = Integer.getInteger("reprocess.it.takeoverLeaseSeconds", 3);
    long ttlMillis = ttlSeconds == 0 ? ReprocessJob.DEFAULT_LEASE_TIME_TO_LIVE.toMillis() : ttlSeconds * 1000L;
    String job = "takeover-" + suffix();
    String checkpoints = checkpointTable();
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpoints).build();
    Child first = start(job, checkpoints, "FAIL", ttlSeconds, 300);
    awaitProgress(first, store, job, 500);
    Child second = start(job, checkpoints, "WAIT", ttlSeconds, 20000);
    second.jvm.awaitLine("waiting for the lease held by", Duration.ofSeconds(60));
    long killedAt = System.currentTimeMillis();
    first.jvm.kill();
    await().atMost(Duration.ofSeconds(90)).until(() -> second.jvm.log().contains("STARTED "));
    String line = second.jvm.log().lines().filter(l -> l.startsWith("STARTED ")).findFirst().orElseThrow();
    long takeoverMillis = Long.parseLong(line.substring("STARTED ".length()).trim()) - killedAt;
    System.out.println("LEASE TAKEOVER after SIGKILL, leaseTimeToLive " + ttlMillis / 1000
        + (ttlSeconds == 0 ? " s (the default)" : " s") + ": " + takeoverMillis + " ms");
    assertThat(takeoverMillis).isBetween(0L, ttlMillis + ttlMillis / 3 + 5_000L);
    assertThat(second.jvm.awaitExit(CHILD_RUN_LIMIT)).as(second.jvm.log()).isZero();
  }

  /**
   * The requests of a one-shard job (what a distributed host's shard job is): a first lease in one
   * transaction (no read before it), the checkpoint load, the selection read and write (which a
   * host's shard jobs skip, see {@code HostSelection}), the shard's pages, one fenced checkpoint
   * save and the release. A later lease of the job (the first released) is the same transaction,
   * not applied and answering with the lease as it is, then the takeover: two requests, as before.
   */
  @Test
  void aOneShardJobSendsOneTransactionForItsFirstLeaseAndNoReadBeforeIt() {
    String job = "requests-" + suffix();
    String checkpoints = checkpointTable();
    RequestCounter counter = new RequestCounter();
    try (CqlSession counted = Cassandra.builder(backend).addRequestTracker(counter).build()) {
      CassandraCheckpointStore store = CassandraCheckpointStore.builder(counted).table(checkpoints).build();
      TimeBucketSelector oneShard = TimeBucketSelector.builder(counted).table(table).assetTypes(List.of(TYPES.get(0)))
          .window(FROM, FROM.plus(Duration.ofDays(1))).build();
      assertThat(oneShard.shards()).hasSize(1);
      store.leaseHolder("warm-up-" + suffix()); // prepares the store's statements outside the count
      counter.awaitThenClear("lease read");
      RecordingHandler handler = new RecordingHandler();
      JobReport report = ReprocessJob.builder(job).selector(oneShard).handler(handler).checkpointStore(store)
          .pageSize(PAGE_SIZE).checkpointInterval(Duration.ofMinutes(1)).build().run();
      assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
      Map<String, Integer> counts = counter.settled("lease release");
      System.out.println("one-shard job, " + report.selected() + " ids, requests: " + counts);
      assertThat(counts).containsEntry("lease create", 1).containsEntry("checkpoint load", 1)
          .containsEntry("selection read", 1).containsEntry("selection save", 1)
          .containsEntry("checkpoint save (fenced)", 1).containsEntry("lease release", 1)
          .doesNotContainKeys("lease read", "lease take-over", "lease renew");

      counter.awaitThenClear("lease release");
      JobLease again = store.acquireLease(job, "host-b/2/bb", Duration.ofSeconds(30), false);
      assertThat(again.fencingToken()).isEqualTo(2);
      assertThat(counter.settled("lease take-over"))
          .containsOnly(Map.entry("lease create", 1), Map.entry("lease take-over", 1));

      counter.awaitThenClear("lease take-over");
      // Held: refused, naming the holder, after the one transaction.
      assertThatThrownBy(() -> store.acquireLease(job, "host-c/3/cc", Duration.ofSeconds(30), true))
          .isInstanceOf(dev.reprocess.LeaseHeldException.class).hasMessageContaining("host-b/2/bb");
      assertThat(counter.settled("lease create")).containsOnly(Map.entry("lease create", 1));
      // Its own lease again (a retried acquisition that had applied): the same fencing token.
      assertThat(store.acquireLease(job, "host-b/2/bb", Duration.ofSeconds(30), false).fencingToken()).isEqualTo(2);
      again.close();
    }
  }

  /** Counts a session's requests by what they do, from their CQL. */
  private static final class RequestCounter implements RequestTracker {
    private final Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onSuccess(Request request, long latencyNanos, DriverExecutionProfile profile, Node node,
        String requestLogPrefix) {
      counts.merge(kind(request), 1, Integer::sum);
    }

    @Override
    public void onError(Request request, Throwable error, long latencyNanos, DriverExecutionProfile profile,
        Node node, String requestLogPrefix) {
      counts.merge(kind(request), 1, Integer::sum);
    }

    @Override
    public void close() {}

    /**
     * The counts once a request of {@code kind} was counted: the driver tells its tracker after it
     * completed the request's future, so the caller may see the result first.
     */
    Map<String, Integer> settled(String kind) {
      await().atMost(Duration.ofSeconds(10)).until(() -> counts.containsKey(kind));
      return counts();
    }

    void awaitThenClear(String kind) {
      settled(kind);
      counts.clear();
    }

    Map<String, Integer> counts() {
      return new java.util.TreeMap<>(counts);
    }

    private static String kind(Request request) {
      String cql = request instanceof BoundStatement b ? b.getPreparedStatement().getQuery()
          : request instanceof SimpleStatement s ? s.getQuery()
          : request instanceof BatchStatement ? "BATCH" : request.getClass().getSimpleName();
      if (cql.contains("IF lease_token = null AND")) {
        return "lease create";
      } else if (cql.contains("IF lease_token = null")) {
        return "lease create after a read";
      } else if (cql.startsWith("SELECT lease_owner")) {
        return "lease read";
      } else if (cql.contains("SET lease_owner = null")) {
        return "lease release";
      } else if (cql.contains("SET lease_renewed_at = ?, lease_expires_at = ? WHERE")) {
        return "lease renew";
      } else if (cql.contains("SET lease_owner = ?") && cql.contains("IF lease_owner = ?")) {
        return "lease take-over";
      } else if (cql.contains("IF lease_owner = :holder")) {
        return "checkpoint save (fenced)";
      } else if (cql.startsWith("SELECT shard_id, cursor")) {
        return "checkpoint load";
      } else if (cql.startsWith("SELECT selection")) {
        return "selection read";
      } else if (cql.contains("SET selection")) {
        return "selection save";
      } else if (cql.equals("BATCH")) {
        return "checkpoint batch (fenced)";
      }
      return "selector: " + cql.substring(0, Math.min(40, cql.length()));
    }
  }

  // ------------------------------------------------------------------ helpers

  private JobReport run(String job, CassandraCheckpointStore store, Instant to, boolean restart) {
    return ReprocessJob.builder(job).selector(selector(to)).handler(new RecordingHandler())
        .checkpointStore(store).restart(restart).build().run();
  }

  private TimeBucketSelector selector(Instant to) {
    return TimeBucketSelector.builder(session).table(table).assetTypes(TYPES).window(FROM, to).build();
  }

  private void awaitProgress(Child child, CassandraCheckpointStore store, String job, int handled) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (!child.jvm.process().isAlive()) {
        throw new AssertionError("the child ended (exit " + child.jvm.process().exitValue() + "):\n" + child.jvm.log());
      }
      return child.handled().size() >= handled
          && store.load(job).values().stream().anyMatch(c -> !c.completed() && c.cursor() != null);
    });
  }

  private Row lease(String checkpoints, String job) {
    return session.execute("SELECT lease_owner, lease_token FROM " + checkpoints + " WHERE job_name = ? LIMIT 1", job)
        .one();
  }

  private String checkpointTable() {
    String name = keyspace + ".checkpoints_" + suffix().replace("-", "");
    CassandraCheckpointStore.builder(session).table(name).createTable(true).build();
    return name;
  }

  private Child start(String job, String checkpoints, String mode, int ttlSeconds, double rate) throws IOException {
    Path out = Files.createTempFile("reprocess-lease-", ".txt");
    List<String> args = new ArrayList<>(List.of(
        backend.contactPoint().getHostString(), Integer.toString(backend.contactPoint().getPort()),
        backend.localDatacenter(), table, checkpoints, job, out.toString(), Integer.toString(PAGE_SIZE),
        Double.toString(rate), FROM.toString(), FROM.plus(Duration.ofDays(15)).toString(), mode,
        Integer.toString(ttlSeconds)));
    args.addAll(TYPES);
    // C1 only and the serial collector: a child runs seconds, its start costs the CPU the test shares.
    ChildJvm child = ChildJvm.start(LeaseChild.class,
        List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), args, Files.createTempFile("reprocess-lease-child-", ".log"));
    children.add(child);
    return new Child(child, out);
  }

  private static String bucket(Instant createdAt) {
    return (String) Bucketing.daily().valueFor(createdAt, BucketType.TEXT);
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  private record Child(ChildJvm jvm, Path out) {
    List<String> handled() {
      return ChildJvm.completeLines(out);
    }
  }
}
