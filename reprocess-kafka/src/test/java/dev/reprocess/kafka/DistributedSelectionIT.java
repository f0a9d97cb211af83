package dev.reprocess.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.Checkpoint;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.BucketType;
import dev.reprocess.cassandra.Bucketing;
import dev.reprocess.cassandra.CassandraCheckpointStore;
import dev.reprocess.cassandra.CassandraSchema;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.kafka.internal.ShardRecord;
import dev.reprocess.kafka.it.DistributedHostChild;
import dev.reprocess.testkit.CassandraBackend;
import dev.reprocess.testkit.ChildJvm;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testkit.TestBackends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 16 item 5: selection hosts as child processes share one {@link DistributedJob} on the real
 * Kafka and Cassandra. 15,000 assets in 2 types x 15 daily buckets (30 shards of 500); each host
 * appends the ids it handles to its own file. Three hosts start at once (their publishers fence
 * each other: exactly one publishes), one is killed with SIGKILL mid-run and one is added; every
 * id is handled, duplicates stay within the pages in flight of the killed host and of the shards
 * the others handed over in rebalances, and every shard's checkpoint is COMPLETED under the job of
 * its record's partition. The hosts run with {@code session.timeout.ms} and {@code
 * leaseTimeToLive} of 10 s (the README's example of a quicker takeover; {@code
 * -Ddistributed.takeoverSeconds=45} runs it with Kafka's default session). A second test runs the
 * job over one type unthrottled on one host and as one plain job, and prints ids/s and CPU per id
 * (what coordinating costs; its system properties add rounds and sizes for the README's
 * measurements); a third starts {@value #PUBLISHERS} publishers of one job at the same instant;
 * a fourth shares a job whose records carry groups of shards between two hosts in this JVM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistributedSelectionIT {
  private static final List<String> TYPES = List.of("image/png", "video/mp4");
  private static final Instant FROM = Instant.parse("2024-05-01T00:00:00Z");
  /** Daily buckets per type; {@code -Ddistributed.days=N} loads more shards for measurements of several hosts. */
  private static final int DAYS = Integer.getInteger("distributed.days", 15);
  /** Ids per (type, day) shard; {@code -Ddistributed.perShard=N} loads other sizes for measurements. */
  private static final int PER_SHARD = Integer.getInteger("distributed.perShard", 500);
  private static final int SHARDS = TYPES.size() * DAYS;
  private static final int TOTAL = SHARDS * PER_SHARD;
  private static final int PAGE_SIZE = 100;
  private static final int SHARDS_IN_PARALLEL = 4;
  private static final int TAKEOVER_SECONDS = Integer.getInteger("distributed.takeoverSeconds", 10);
  /**
   * The measurement rounds' session (the broker's minimum; heartbeats every 2 s): a host that joins
   * while another runs hears of the rebalance within 2 s instead of 5 s, and takes a share.
   */
  private static final int MEASURE_SESSION_SECONDS = 6;
  private static final int PUBLISHERS = 8;

  private CassandraBackend backend;
  private CqlSession session;
  private String keyspace;
  private String table;
  private String checkpoints; // one table: each job's name keys its own checkpoints
  private Set<String> allIds;
  private final Map<String, Set<String>> idsByType = new HashMap<>();
  private Path dir;
  private final List<ChildJvm> children = new ArrayList<>();

  @BeforeAll
  void load() throws IOException {
    backend = TestBackends.cassandra();
    // DDL (a checkpoint table per test) on a loaded machine outlasts the driver's default 2 s.
    session = CqlSession.builder().addContactPoint(backend.contactPoint())
        .withLocalDatacenter(backend.localDatacenter())
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30)).build())
        .build();
    keyspace = "distributed_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    session.execute(SimpleStatement.newInstance("CREATE KEYSPACE " + keyspace
        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}").setTimeout(Duration.ofSeconds(30)));
    CassandraSchema.createReferenceSchema(session, keyspace, 1, BucketType.TEXT);
    table = keyspace + "." + CassandraSchema.ASSETS_BY_TYPE_BUCKET;
    allIds = insertAssets();
    dir = Files.createDirectories(Path.of("target", "distributed-it", keyspace));
    checkpoints = keyspace + ".checkpoints";
    CassandraCheckpointStore.builder(session).table(checkpoints).createTable(true).build();
  }

  /** 500 assets per (type, day), a timeuuid each at its own millisecond. */
  private Set<String> insertAssets() {
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    Set<String> ids = new HashSet<>();
    List<CompletionStage<AsyncResultSet>> inFlight = new ArrayList<>();
    for (int t = 0; t < TYPES.size(); t++) {
      for (int d = 0; d < DAYS; d++) {
        for (int i = 0; i < PER_SHARD; i++) {
          Instant at = FROM.plus(Duration.ofDays(d)).plusMillis(i * 10L + t);
          UUID id = Uuids.startOf(at.toEpochMilli());
          ids.add(id.toString());
          idsByType.computeIfAbsent(TYPES.get(t), k -> new HashSet<>()).add(id.toString());
          inFlight.add(session.executeAsync(insert.bind(TYPES.get(t), Bucketing.daily().valueFor(at, BucketType.TEXT), id)));
          if (inFlight.size() == 256) {
            inFlight.forEach(f -> f.toCompletableFuture().join());
            inFlight.clear();
          }
        }
      }
    }
    inFlight.forEach(f -> f.toCompletableFuture().join());
    assertThat(ids).hasSize(TOTAL);
    return ids;
  }

  @AfterEach
  void killChildren() {
    children.forEach(ChildJvm::close);
    children.clear();
  }

  @AfterAll
  void drop() {
    if (session != null) {
      session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace).setTimeout(Duration.ofSeconds(60)));
      session.close();
    }
  }

  @Test
  void threeHostsShareAJobOneKilledAndOneAddedAndEveryIdIsHandledWithinTheKilledHostsPagesInFlight()
      throws Exception {
    String job = "dist-" + UUID.randomUUID().toString().substring(0, 8);
    // 800 ids/s per host: at least 6 s for 3 hosts; the killed host's shards wait for the takeover
    // (TAKEOVER_SECONDS), so the join lands mid-run and the added host takes some of them.
    Host a = start(job, "a", 800, "distributed", TYPES);
    Host b = start(job, "b", 800, "distributed", TYPES);
    Host c = start(job, "c", 800, "distributed", TYPES);
    // The host added mid-run starts its JVM now and waits, published, for this file: its start (over 10 s on a
    // busy machine) is not raced against the takeover, which would let a and b finish before it joins.
    Path addD = dir.resolve(job + "-d.go");
    Host d = start(job, "d", 800, "distributed", TYPES, addD, false);
    d.jvm.awaitLine("PUBLISHED ", Duration.ofMinutes(3));
    // The first of the three to handle 1,000 ids is killed: one that joined the group late may handle fewer in all.
    List<Host> first = List.of(a, b, c);
    java.util.concurrent.atomic.AtomicReference<Host> victim = new java.util.concurrent.atomic.AtomicReference<>();
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
      for (Host h : first) {
        assertThat(h.jvm.process().isAlive()).as(h.jvm.log()).isTrue();
      }
      for (Host h : first) {
        if (h.handled().size() >= 1_000) {
          victim.set(h);
          return true;
        }
      }
      return false;
    });
    Host killed = victim.get();
    killed.jvm.kill(); // SIGKILL: no revocation, no release of its shard leases
    long killedAt = System.currentTimeMillis();
    List<String> handledByKilled = killed.handled();
    List<Host> others = new ArrayList<>(first);
    others.remove(killed);
    others.add(d);
    Files.createFile(addD); // d joins now, well within the takeover's TAKEOVER_SECONDS

    for (Host h : others) {
      assertThat(h.jvm.awaitExit(Duration.ofMinutes(5))).as(h.jvm.log()).isZero();
      assertThat(h.jvm.awaitLine("RESULT ", Duration.ZERO)).startsWith("RESULT COMPLETED ");
    }
    Map<String, Integer> times = new HashMap<>();
    for (Host h : others) {
      h.handled().forEach(id -> times.merge(id, 1, Integer::sum));
    }
    handledByKilled.forEach(id -> times.merge(id, 1, Integer::sum));
    assertThat(times.keySet()).as("every id handled at least once").isEqualTo(allIds);
    long repeats = times.values().stream().mapToLong(n -> n - 1).sum();
    // The killed host had at most 16 pages in flight and 4 final but unwritten per shard it ran
    // (checkpointInterval 0); a host that gave a partition up (a rebalance) cancelled its shards
    // there, and a cancelled shard's pages in flight are read again too.
    long handedOver = 0;
    for (Host h : List.of(a, b, c, d)) {
      handedOver += ChildJvm.completeLines(h.jvm.logFile()).stream()
          .filter(line -> line.startsWith("SHARD-END ") && line.contains(" CANCELLED ")).count();
    }
    long bound = 20L * PAGE_SIZE * (SHARDS_IN_PARALLEL + handedOver);
    assertThat(repeats).as("handed over " + handedOver + " shard runs").isLessThanOrEqualTo(bound);
    assertThat(d.handled()).as("the host added mid-run took a share").isNotEmpty();
    assertPublishedOnce(List.of(a, b, c, d));
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpoints).build();
    assertThat(completedCheckpoints(job, store)).as("shards with a COMPLETED checkpoint under their partition's job")
        .containsExactlyInAnyOrderElementsOf(shardIds());
    DistributedJobStatus status = statusReader(job).read(); // from this JVM, no host of the job
    assertThat(status.complete()).as(status.toString()).isTrue();
    assertThat(status.totalShards()).isEqualTo(SHARDS);
    assertThat(status.completedShards()).isEqualTo(SHARDS);
    assertThat(status.running()).isEmpty();
    assertThat(status.waitingShardIds()).isEmpty();
    assertThat(status.selected()).isEqualTo(TOTAL);
    assertThat(status.delivered()).isEqualTo(TOTAL);
    System.out.printf("DISTRIBUTED KILL+ADD: %d ids, %d handled by the killed host before SIGKILL, %d repeated "
        + "(bound %d: %d shard runs handed over in rebalances); its unfinished shards ran elsewhere %d ms after the "
        + "SIGKILL (session.timeout.ms and leaseTimeToLive " + TAKEOVER_SECONDS + " s); host d handled %d%n", TOTAL, handledByKilled.size(), repeats, bound,
        handedOver, takeoverMillis(killed, others, killedAt), d.handled().size());
  }

  /**
   * The measurement rounds: by default the plain job then one host over one type; {@code
   * -Ddistributed.hosts=1,2,3} adds rounds of several hosts and {@code -Ddistributed.types=2} runs
   * every round over both types (more shards to share). Hosts start their shard work together: each
   * publishes, then waits for a file the test creates once all of them did.
   */
  @Test
  void oneHostHandlesEveryIdAndItsRateAndCpuPerIdAreMeasuredAgainstAPlainJob() throws Exception {
    // One type (half the ids, 15 shards) keeps the default run short: a host's start weighs more in the
    // whole-process figures than in the README's, which came from more ids; the "running" figures (CPU from the
    // first shard job's start to the last one's end) leave the start and the end out.
    List<String> types = TYPES.subList(0, Integer.getInteger("distributed.types", 1));
    Set<String> expected = new HashSet<>();
    types.forEach(t -> expected.addAll(idsByType.get(t)));
    StringBuilder figures = new StringBuilder();
    List<Integer> rounds = new ArrayList<>(List.of(0)); // 0: the plain job in one process, the baseline
    for (String n : System.getProperty("distributed.hosts", "1").split(",")) {
      rounds.add(Integer.parseInt(n.trim()));
    }
    if (Boolean.getBoolean("distributed.jobPerShard")) {
      rounds.add(1, -1); // -1: a job per shard in one process, without Kafka, each with threads of its own
      rounds.add(2, -2); // -2: the same on one JobHost, whose threads the jobs borrow as a host's do
    }
    for (int hosts : rounds) {
      String job = "rate" + hosts + "-" + UUID.randomUUID().toString().substring(0, 8);
      Path go = dir.resolve(job + ".go");
      List<Host> started = new ArrayList<>();
      for (int i = 0; i < Math.max(1, hosts); i++) {
        started.add(start(job, "h" + i, 0, hosts == 0 ? "plain" : hosts == -1 ? "jobPerShard"
            : hosts == -2 ? "jobPerShardHosted" : "distributed", types, go));
      }
      for (Host h : started) {
        h.jvm.awaitLine(hosts <= 0 ? "STARTED " : "PUBLISHED ", Duration.ofMinutes(3));
      }
      Files.createFile(go);
      figures.append(measure(hosts, started, expected));
      children.forEach(ChildJvm::close);
      children.clear();
    }
    int pairs = Integer.getInteger(DistributedHostChild.PAIRS, 0);
    if (pairs > 0) {
      figures.append(measurePairs(pairs, types, expected));
    }
    System.out.print("DISTRIBUTED THROUGHPUT (unthrottled, " + expected.size() + " ids, " + PER_SHARD
        + " per shard, pageSize " + PAGE_SIZE + ", shardsInParallel " + SHARDS_IN_PARALLEL + " per host):\n" + figures);
  }

  /**
   * {@code -Ddistributed.pairs=N}: one process runs N pairs of the plain job and one host (and, with
   * {@code -Ddistributed.pairKinds=plain,host,jobs}, the host's record jobs without Kafka; see {@code
   * DistributedHostChild#runPairs}); checks every run handled every id and gives each run's CPU per
   * 1,000 ids and its ratio to the plain job of its pair, with the first pair (the process's warm-up)
   * apart, without the JIT compiler's CPU.
   */
  private String measurePairs(int pairs, List<String> types, Set<String> expected) throws IOException {
    List<String> kinds = List.of(System.getProperty(DistributedHostChild.PAIR_KINDS, "plain,host").split(","));
    String job = "pairs-" + UUID.randomUUID().toString().substring(0, 8);
    Path go = dir.resolve(job + ".go");
    Host h = start(job, "h0", 0, "pairs", types, go);
    h.jvm.awaitLine("STARTED ", Duration.ofMinutes(3));
    Files.createFile(go);
    assertThat(h.jvm.awaitExit(Duration.ofMinutes(5L * pairs * kinds.size()))).as(h.jvm.log()).isZero();
    StringBuilder out = new StringBuilder();
    Map<String, List<Double>> ratios = new java.util.LinkedHashMap<>();
    Map<String, List<Double>> runningRatios = new HashMap<>();
    for (int pair = 0; pair < pairs; pair++) {
      Map<String, String> lines = new HashMap<>();
      for (String kind : kinds) {
        assertThat(new HashSet<>(ChildJvm.completeLines(Path.of(h.out() + "." + pair + "." + kind))))
            .as("pair %d, %s: every id handled", pair, kind).isEqualTo(expected);
        lines.put(kind, h.jvm.awaitLine("PAIR " + pair + " " + kind + " ", Duration.ZERO));
      }
      out.append("pair ").append(pair).append(pair == 0 ? " (warm-up):" : ":");
      String plain = lines.get("plain");
      for (String kind : kinds) {
        String line = lines.get(kind);
        double whole = (double) (field(line, "cpuMillis") - field(line, "jitMillis"))
            / (field(plain, "cpuMillis") - field(plain, "jitMillis"));
        double running = (double) (field(line, "runningCpuMillis") - field(line, "runningJitMillis"))
            / (field(plain, "runningCpuMillis") - field(plain, "runningJitMillis"));
        if (pair > 0 && !kind.equals("plain")) {
          ratios.computeIfAbsent(kind, k -> new ArrayList<>()).add(whole);
          runningRatios.computeIfAbsent(kind, k -> new ArrayList<>()).add(running);
        }
        out.append(String.format(" %s %.1f ms CPU per 1000 ids (%.1f running; without JIT %.1f, %.1f running)", kind,
            field(line, "cpuMillis") * 1000.0 / expected.size(),
            field(line, "runningCpuMillis") * 1000.0 / expected.size(),
            (field(line, "cpuMillis") - field(line, "jitMillis")) * 1000.0 / expected.size(),
            (field(line, "runningCpuMillis") - field(line, "runningJitMillis")) * 1000.0 / expected.size()));
        out.append(kind.equals("plain") ? "," : String.format(" = %.2f (%.2f running) x plain,", whole, running));
        out.append(String.format(" %d ms;", field(line, "wallMillis")));
      }
      out.append('\n');
    }
    ratios.forEach((kind, r) -> out.append(String.format("warm pairs: %s / plain CPU per id without JIT, median %.3f "
        + "(whole runs), %.3f (running); shardsPerRecord %d%n", kind, median(r), median(runningRatios.get(kind)),
        Integer.getInteger(DistributedHostChild.SHARDS_PER_RECORD, 1))));
    return out.toString();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Waits for the round's hosts, checks that every id was handled, and gives the round's figures. */
  private String measure(int hosts, List<Host> started, Set<String> expected) throws IOException {
    Set<String> union = new HashSet<>();
    long first = Long.MAX_VALUE;
    long last = 0;
    long firstShard = Long.MAX_VALUE;
    long lastShard = 0;
    long cpu = 0;
    long cpuRunning = 0;
    long jitRunning = 0;
    StringBuilder perHost = new StringBuilder();
    for (Host h : started) {
      assertThat(h.jvm.awaitExit(Duration.ofMinutes(5))).as(h.jvm.log()).isZero();
      String result = h.jvm.awaitLine("RESULT ", Duration.ZERO);
      long started0 = Long.parseLong(h.jvm.awaitLine("STARTED ", Duration.ZERO).split(" ")[1]);
      first = Math.min(first, started0);
      last = Math.max(last, started0 + field(result, "wallMillis"));
      long hostCpu = field(result, "cpuMillis");
      // CPU from its first shard job's start to its last one's end: without the process's start (clients,
      // publishing, joining) and end (the completion check, leaving the group). A host that joined once the
      // others had run every shard runs none.
      long running = 0;
      long jit = 0; // of which the JIT compilers' time: each process's warm-up, not a cost per id
      if (h.jvm.log().contains("FIRST-SHARD ")) {
        String firstLine = h.jvm.awaitLine("FIRST-SHARD ", Duration.ZERO);
        long lastEnd = 0;
        long lastCpu = 0;
        long lastJit = 0;
        for (String line : ChildJvm.completeLines(h.jvm.logFile())) {
          if (line.startsWith("SHARD-END ") || line.startsWith("JOB-END ")) {
            lastEnd = Math.max(lastEnd, Long.parseLong(line.split(" ")[3]));
            lastCpu = Math.max(lastCpu, field(line, "cpuMillis"));
            lastJit = Math.max(lastJit, field(line, "jitMillis"));
          }
        }
        running = lastCpu - field(firstLine, "cpuMillis");
        jit = lastJit - field(firstLine, "jitMillis");
        firstShard = Math.min(firstShard, field(firstLine, "at"));
        lastShard = Math.max(lastShard, lastEnd);
      }
      cpu += hostCpu;
      cpuRunning += running;
      jitRunning += jit;
      List<String> handled = h.handled();
      union.addAll(handled);
      perHost.append(String.format(" %s: %d ids, %.1f (%.1f running, %.1f without JIT) ms CPU per 1000 ids;", h.name,
          handled.size(), hostCpu * 1000.0 / Math.max(1, handled.size()), running * 1000.0 / Math.max(1, handled.size()),
          (running - jit) * 1000.0 / Math.max(1, handled.size())));
    }
    assertThat(union).isEqualTo(expected);
    if (hosts > 0) {
      assertPublishedOnce(started);
    }
    int total = expected.size();
    return String.format("%s: %.0f ids/s (%.0f running), %.1f ms CPU per 1000 ids in total (%.1f running, %.1f "
        + "running without JIT compilation);%s%n",
        hosts == 0 ? "plain job" : hosts == -1 ? "a job per shard, own threads" : hosts == -2
            ? "a job per shard on a JobHost" : hosts + " host(s)", total * 1000.0 / (last - first),
        total * 1000.0 / Math.max(1, lastShard - firstShard), cpu * 1000.0 / total, cpuRunning * 1000.0 / total,
        (cpuRunning - jitRunning) * 1000.0 / total, perHost);
  }

  @Test
  void theStatusReadFromAnotherHostShowsRunningShardsWithTheirHolderAndWaitingOnesThenTheJobComplete()
      throws Exception {
    String job = "status-" + UUID.randomUUID().toString().substring(0, 8);
    int shards = 8;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      ids.add("asset-" + i);
    }
    DistributedJobStatus before = statusReader(job).read();
    assertThat(before.published()).as("no shard topic yet").isFalse();
    assertThat(before.complete()).isFalse();

    CountDownLatch release = new CountDownLatch(1);
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpoints).build();
    InMemorySelector selector = InMemorySelector.ofIds(ids, shards);
    Set<String> firstPages = new HashSet<>();
    for (dev.reprocess.Shard shard : selector.shards()) {
      try (dev.reprocess.Paginator pages = selector.open(shard, null, 10)) {
        pages.nextPage().assets().forEach(a -> firstPages.add(a.assetId()));
      }
    }
    DistributedJob host = DistributedJob.builder(job).bootstrapServers(TestBackends.kafka().bootstrapServers())
        .selector(selector).checkpointStore(store).replicationFactor(1)
        .shardsInParallel(2)
        // More handler threads than the two running shards' waiting events (2 x 40): their readers never wait
        // for a free thread, so each reads its shard to the end and then checkpoints its first page.
        .jobOptions(b -> b.pageSize(10).concurrency(100).checkpointInterval(Duration.ZERO).handler(e -> {
          // The first page of each shard goes through (its IN_PROGRESS checkpoint says the shard runs);
          // every other handler call waits until the test saw the shards running.
          if (!firstPages.contains(e.assetId())) {
            assertThat(release.await(3, TimeUnit.MINUTES)).as("released").isTrue();
          }
          return Outcome.SUCCEEDED;
        }))
        .build();
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try {
      Future<DistributedJob.HostReport> report = runner.submit(host::run);
      DistributedStatusReader reader = statusReader(job);
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        DistributedJobStatus s = reader.read();
        assertThat(s.runningShards()).as(s.toString()).isEqualTo(2);
        assertThat(s.running()).as(s.toString()).allMatch(r -> r.runningAt(s.readAt()));
      });
      long t0 = System.nanoTime();
      DistributedJobStatus running = reader.read();
      long readMillis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(running.totalShards()).isEqualTo(shards);
      assertThat(running.completedShards()).isZero();
      assertThat(running.waitingShards()).isEqualTo(shards - 2);
      assertThat(running.running()).allSatisfy(r -> assertThat(r.holder()).isPresent());
      assertThat(running.running()).allSatisfy(r -> assertThat(r.selected()).isEqualTo(10));
      assertThat(running.selected()).isEqualTo(20);
      assertThat(running.complete()).isFalse();

      release.countDown();
      assertThat(report.get(3, TimeUnit.MINUTES).status()).isEqualTo(dev.reprocess.JobStatus.COMPLETED);
      DistributedJobStatus done = reader.read();
      assertThat(done.complete()).as(done.toString()).isTrue();
      assertThat(done.completedShards()).isEqualTo(shards);
      assertThat(done.running()).isEmpty();
      assertThat(done.waitingShardIds()).isEmpty();
      assertThat(done.selected()).isEqualTo(ids.size());
      assertThat(done.succeeded()).isEqualTo(ids.size());
      assertThat(host.status()).as("the host's own view").usingRecursiveComparison().ignoringFields("readAt")
          .isEqualTo(done);
      System.out.printf("DISTRIBUTED STATUS: one read of %d shards took %d ms (shard topic and Cassandra)%n",
          shards, readMillis);
    } finally {
      release.countDown();
      runner.shutdownNow();
    }
  }

  @Test
  void twoHostsShareAJobWhoseRecordsCarryGroupsOfShardsAndTheStatusCountsEachShard() throws Exception {
    String job = "groups-" + UUID.randomUUID().toString().substring(0, 8);
    int shards = 30;
    int perRecord = 4; // 8 records: 7 of 4 shards, the last of 2
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      ids.add("asset-" + i);
    }
    Map<String, Integer> handled = new java.util.concurrent.ConcurrentHashMap<>();
    CassandraCheckpointStore store = CassandraCheckpointStore.builder(session).table(checkpoints).build();
    List<DistributedJob> hosts = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      hosts.add(DistributedJob.builder(job).bootstrapServers(TestBackends.kafka().bootstrapServers())
          .kafkaProperties(Map.of("session.timeout.ms", MEASURE_SESSION_SECONDS * 1000,
              "heartbeat.interval.ms", MEASURE_SESSION_SECONDS * 1000 / 3))
          .selector(InMemorySelector.ofIds(ids, shards)).checkpointStore(store).replicationFactor(1)
          .shardsInParallel(2).shardsPerRecord(perRecord)
          .jobOptions(b -> b.pageSize(50).maxEventsPerSecond(400).handler(e -> {
            handled.merge(e.assetId(), 1, Integer::sum);
            return Outcome.SUCCEEDED;
          }))
          .build());
    }
    ExecutorService runner = Executors.newFixedThreadPool(2);
    try {
      List<Future<DistributedJob.HostReport>> reports = new ArrayList<>();
      for (DistributedJob host : hosts) {
        reports.add(runner.submit(host::run));
      }
      int completed = 0;
      for (Future<DistributedJob.HostReport> report : reports) {
        DistributedJob.HostReport r = report.get(3, TimeUnit.MINUTES);
        assertThat(r.status()).as(r.toString()).isEqualTo(dev.reprocess.JobStatus.COMPLETED);
        completed += r.shardsCompleted();
      }
      assertThat(completed).as("shards the hosts' shard jobs completed").isGreaterThanOrEqualTo(shards);
    } finally {
      runner.shutdownNow();
    }
    assertThat(handled.keySet()).as("every id handled").containsExactlyInAnyOrderElementsOf(ids);

    List<String> keys = KafkaIts.readCommitted(TestBackends.kafka().bootstrapServers(), job + ".shards").stream()
        .map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    List<dev.reprocess.Shard> listed = InMemorySelector.ofIds(ids, shards).shards();
    List<String> expectedKeys = new ArrayList<>();
    for (int from = 0; from < shards; from += perRecord) {
      List<dev.reprocess.Shard> group = listed.subList(from, Math.min(shards, from + perRecord));
      expectedKeys.add(group.get(0).id() + ".." + group.get(group.size() - 1).id());
    }
    assertThat(completedCheckpoints(job, store)).as("shards with a COMPLETED checkpoint under their partition's job")
        .containsExactlyInAnyOrderElementsOf(listed.stream().map(dev.reprocess.Shard::id).toList());
    assertThat(keys).as("one committed record per group").containsExactlyInAnyOrderElementsOf(expectedKeys);

    DistributedJobStatus done = statusReader(job).read();
    assertThat(done.complete()).as(done.toString()).isTrue();
    assertThat(done.totalShards()).isEqualTo(shards);
    assertThat(done.completedShards()).isEqualTo(shards);
    assertThat(done.selected()).isEqualTo(ids.size());

    // A host that groups otherwise is refused before it runs anything.
    DistributedJob other = DistributedJob.builder(job).bootstrapServers(TestBackends.kafka().bootstrapServers())
        .selector(InMemorySelector.ofIds(ids, shards)).checkpointStore(store).replicationFactor(1)
        .shardsPerRecord(perRecord * 2).jobOptions(b -> b.handler(e -> Outcome.SUCCEEDED)).build();
    assertThatThrownBy(other::publishShards).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("another selection or grouping").hasMessageContaining("shardsPerRecord 8");
  }

  /**
   * The shards of the job's committed shard records that have a COMPLETED checkpoint under the job of
   * the partition holding their record ({@link DistributedJob#partitionJobName}).
   */
  private static List<String> completedCheckpoints(String job, CassandraCheckpointStore store) {
    List<String> completed = new ArrayList<>();
    Map<Integer, Map<String, Checkpoint>> byPartition = new HashMap<>();
    for (var r : KafkaIts.readCommitted(TestBackends.kafka().bootstrapServers(), job + ".shards")) {
      Map<String, Checkpoint> checkpoints = byPartition.computeIfAbsent(r.partition(),
          p -> store.load(DistributedJob.partitionJobName(job, p)));
      for (dev.reprocess.Shard shard : ShardRecord.parse(r.value(), "offset " + r.offset()).shards()) {
        Checkpoint c = checkpoints.get(shard.id());
        if (c != null && c.completed()) {
          completed.add(shard.id());
        }
      }
    }
    return completed;
  }

  @Test
  void twoHostsOneStoppedMidRunAFreshHostResumesAndTheStatusMatchesTheHandlerThenARerunReturnsAtOnce()
      throws Exception {
    String job = "life-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> ids = assetIds(3_000);
    int shards = 12;
    Map<String, Integer> handled = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> perHost = new ConcurrentHashMap<>();
    java.util.function.Function<String, Consumer<ReprocessJob.Builder>> optionsOf = h -> b -> b.pageSize(50)
        .maxEventsPerSecond(300).leaseTimeToLive(Duration.ofSeconds(6)).handler(e -> {
          handled.merge(e.assetId(), 1, Integer::sum);
          perHost.computeIfAbsent(h, k -> new AtomicInteger()).incrementAndGet();
          return Outcome.SUCCEEDED;
        });
    Consumer<ReprocessJob.Builder> options = optionsOf.apply("other");
    DistributedStatusReader reader = statusReader(job);
    DistributedJobStatus before = reader.read();
    assertThat(before.published()).as("read before any host ran").isFalse();

    DistributedJob a = jvmHost(job, InMemorySelector.ofIds(ids, shards), optionsOf.apply("a")).build();
    DistributedJob b = jvmHost(job, InMemorySelector.ofIds(ids, shards), optionsOf.apply("b")).build();
    ExecutorService runner = Executors.newFixedThreadPool(3);
    try {
      Future<DistributedJob.HostReport> ra = runner.submit(a::run);
      Future<DistributedJob.HostReport> rb = runner.submit(b::run);
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> handled.size() >= 600);
      // Both hosts deliver (the first to join holds every partition until the group's next rebalance).
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
          .until(() -> perHost.containsKey("a") && perHost.containsKey("b"));

      DistributedJobStatus during = reader.read();
      assertThat(during.published()).isTrue();
      assertThat(during.totalShards()).isEqualTo(shards);
      assertThat(during.completedShards() + during.runningShards() + during.waitingShards())
          .as("complete + running + waiting = total: " + during).isEqualTo(shards);
      assertThat(during.running()).allSatisfy(r -> assertThat(r.holder()).isPresent());
      assertThat(during.selected()).as("status lags the handler").isLessThanOrEqualTo(handled.size() + 16L * 50 * 4);

      a.stop();
      DistributedJob.HostReport stopped = ra.get(2, TimeUnit.MINUTES);
      assertThat(stopped.status()).as(stopped.toString()).isEqualTo(JobStatus.CANCELLED);

      int aHandled = perHost.getOrDefault("a", new AtomicInteger()).get();
      DistributedJob c = jvmHost(job, InMemorySelector.ofIds(ids, shards), optionsOf.apply("c")).build();
      Future<DistributedJob.HostReport> rc = runner.submit(c::run);
      DistributedJob.HostReport reportB = rb.get(3, TimeUnit.MINUTES);
      DistributedJob.HostReport reportC = rc.get(3, TimeUnit.MINUTES);
      assertThat(perHost.getOrDefault("a", new AtomicInteger()).get()).as("a handles nothing after stop() returned")
          .isEqualTo(aHandled);
      assertThat(reportB.status()).as(reportB.toString()).isEqualTo(JobStatus.COMPLETED);
      assertThat(reportC.status()).as(reportC.toString()).isEqualTo(JobStatus.COMPLETED);
      List<String> missing = ids.stream().filter(id -> !handled.containsKey(id)).toList();
      assertThat(missing).as("ids never handled although every host returned COMPLETED").isEmpty();
      long calls = handled.values().stream().mapToLong(Integer::longValue).sum();
      long hostsSucceeded = stopped.succeeded() + reportB.succeeded() + reportC.succeeded();
      assertThat(hostsSucceeded).as("the host reports' succeeded sum the handler's calls").isEqualTo(calls);

      DistributedJobStatus done = reader.read();
      assertThat(done.complete()).as(done.toString()).isTrue();
      assertThat(done.completedShards()).isEqualTo(shards);
      assertThat(done.running()).isEmpty();
      assertThat(done.waitingShardIds()).isEmpty();
      assertThat(done.selected()).as("status selected = ids").isEqualTo(ids.size());
      assertThat(done.succeeded()).as("status succeeded = ids").isEqualTo(ids.size());
      assertThat(c.status()).usingRecursiveComparison().ignoringFields("readAt").isEqualTo(done);
      try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
          Map.of("bootstrap.servers", TestBackends.kafka().bootstrapServers()))) {
        assertThat(admin.describeTopics(List.of(c.shardTopic())).allTopicNames().get(30, TimeUnit.SECONDS)
            .get(c.shardTopic()).partitions()).as("the shard topic's partitions(6), though read before publishing")
            .hasSize(6);
      }

      // The same job name again, after it completed: returns at once, handles nothing.
      int callsBefore = (int) calls;
      DistributedJob again = jvmHost(job, InMemorySelector.ofIds(ids, shards), options).build();
      long t0 = System.nanoTime();
      DistributedJob.HostReport rerun = runner.submit(again::run).get(2, TimeUnit.MINUTES);
      long rerunMillis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(rerun.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(handled.values().stream().mapToInt(Integer::intValue).sum()).as("nothing handled again")
          .isEqualTo(callsBefore);
    } finally {
      runner.shutdownNow();
    }
  }

  /** A selector that lists no shard: the host returns COMPLETED at once, without joining the group. */
  @Test
  void aSelectionOfNoShardsCompletesAtOnce() throws Exception {
    String job = "none-" + UUID.randomUUID().toString().substring(0, 8);
    InMemorySelector inner = InMemorySelector.ofIds(List.of(), 1);
    dev.reprocess.AssetSelector none = new dev.reprocess.AssetSelector() {
      @Override
      public List<dev.reprocess.Shard> shards() {
        return List.of();
      }

      @Override
      public dev.reprocess.Paginator open(dev.reprocess.Shard shard, dev.reprocess.Cursor from, int pageSize) {
        return inner.open(shard, from, pageSize);
      }
    };
    AtomicInteger calls = new AtomicInteger();
    DistributedJob j = jvmHost(job, none, b -> b.handler(e -> {
      calls.incrementAndGet();
      return Outcome.SUCCEEDED;
    })).build();
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try {
      DistributedJob.HostReport report = runner.submit(j::run).get(60, TimeUnit.SECONDS);
      assertThat(report.status()).as(report.toString()).isEqualTo(JobStatus.COMPLETED);
      assertThat(report.selected()).isZero();
      assertThat(calls.get()).as("handler calls").isZero();
      assertThat(j.status().totalShards()).as("shards published").isZero();
    } finally {
      runner.shutdownNow();
    }
  }

  /**
   * A host in this JVM over the job's shards, on this class's checkpoint table: 6 partitions, 2 shards at
   * a time, a 6 s session (heartbeats every 2 s).
   */
  private DistributedJob.Builder jvmHost(String job, dev.reprocess.AssetSelector selector,
      java.util.function.Consumer<dev.reprocess.ReprocessJob.Builder> options) {
    return DistributedJob.builder(job).bootstrapServers(TestBackends.kafka().bootstrapServers())
        .kafkaProperties(Map.of("session.timeout.ms", 6000, "heartbeat.interval.ms", 2000))
        .selector(selector).checkpointStore(CassandraCheckpointStore.builder(session).table(checkpoints).build())
        .replicationFactor(1).partitions(6).shardsInParallel(2).jobOptions(options);
  }

  private static List<String> assetIds(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("asset-" + i);
    }
    return ids;
  }

  private DistributedStatusReader statusReader(String job) {
    return DistributedStatusReader.builder(job).bootstrapServers(TestBackends.kafka().bootstrapServers())
        .checkpointStore(CassandraCheckpointStore.builder(session).table(checkpoints).build()).build();
  }

  @Test
  void publishersOfOneJobStartingAtOnceAllReturnAndExactlyOnePublishesOneCopyOfTheShards() throws Exception {
    String job = "pub-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add("asset-" + i);
    }
    ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
    try {
      CyclicBarrier together = new CyclicBarrier(PUBLISHERS);
      List<Future<Boolean>> verdicts = new ArrayList<>();
      for (int i = 0; i < PUBLISHERS; i++) {
        // Each publisher is a host of its own: its own job object, selector, clients and producer.
        DistributedJob host = DistributedJob.builder(job).bootstrapServers(TestBackends.kafka().bootstrapServers())
            .selector(InMemorySelector.ofIds(ids, SHARDS)).checkpointStore(new InMemoryCheckpointStore())
            .replicationFactor(1).jobOptions(b -> b.handler(e -> Outcome.SUCCEEDED)).build();
        verdicts.add(pool.submit(() -> {
          together.await();
          return host.publishShards();
        }));
      }
      List<Boolean> published = new ArrayList<>();
      for (Future<Boolean> verdict : verdicts) {
        published.add(verdict.get(DistributedJob.DEFAULT_PUBLISH_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS));
      }
      assertThat(published).as("publishShards() of each").containsOnlyOnce(true);
    } finally {
      pool.shutdownNow();
    }
    List<String> keys = KafkaIts.readCommitted(TestBackends.kafka().bootstrapServers(), job + ".shards").stream()
        .map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    assertThat(keys).as("committed shard records").hasSize(SHARDS).doesNotHaveDuplicates();
  }

  /** Every host printed whether it published the shards, and exactly one did. */
  private static void assertPublishedOnce(List<Host> hosts) {
    List<String> verdicts = new ArrayList<>();
    for (Host h : hosts) {
      ChildJvm.completeLines(h.jvm.logFile()).stream().filter(line -> line.startsWith("PUBLISHED "))
          .forEach(line -> verdicts.add(h.name + ":" + line.substring("PUBLISHED ".length())));
    }
    assertThat(verdicts).as("each host's publishShards()").hasSize(hosts.size())
        .filteredOn(v -> v.endsWith(":true")).hasSize(1);
  }

  private static long field(String line, String name) {
    for (String part : line.split(" ")) {
      if (part.startsWith(name + "=")) {
        return Long.parseLong(part.substring(name.length() + 1));
      }
    }
    throw new AssertionError("no " + name + " in " + line);
  }

  /** From the SIGKILL to the first start elsewhere of a shard the killed host started and did not complete. */
  private static long takeoverMillis(Host killed, List<Host> others, long killedAt) {
    Set<String> unfinished = new HashSet<>();
    for (String line : ChildJvm.completeLines(killed.jvm.logFile())) {
      if (line.startsWith("SHARD-START ")) {
        unfinished.add(line.split(" ")[1]);
      } else if (line.startsWith("SHARD-END ") && line.split(" ")[2].equals("COMPLETED")) {
        unfinished.remove(line.split(" ")[1]);
      }
    }
    long earliest = Long.MAX_VALUE;
    for (Host h : others) {
      for (String line : ChildJvm.completeLines(h.jvm.logFile())) {
        String[] parts = line.split(" ");
        if (line.startsWith("SHARD-START ") && unfinished.contains(parts[1]) && Long.parseLong(parts[2]) >= killedAt) {
          earliest = Math.min(earliest, Long.parseLong(parts[2]));
        }
      }
    }
    assertThat(earliest).as("a shard of the killed host ran elsewhere: " + unfinished).isNotEqualTo(Long.MAX_VALUE);
    return earliest - killedAt;
  }

  private List<String> shardIds() {
    List<String> ids = new ArrayList<>();
    for (String type : TYPES) {
      for (int d = 0; d < DAYS; d++) {
        ids.add(type + "#" + Bucketing.daily().valueFor(FROM.plus(Duration.ofDays(d)), BucketType.TEXT));
      }
    }
    return ids;
  }

  private Host start(String job, String name, double rate, String mode, List<String> types) {
    return start(job, name, rate, mode, types, null, false);
  }

  /** A host of a measurement round, which waits after publishing until {@code go} exists. */
  private Host start(String job, String name, double rate, String mode, List<String> types, Path go) {
    return start(job, name, rate, mode, types, go, true);
  }

  /**
   * @param go if not null, the host waits after publishing until this file exists
   * @param measuring a measurement round's host: its 6 s session and the measurement's properties
   */
  private Host start(String job, String name, double rate, String mode, List<String> types, Path go,
      boolean measuring) {
    Path out = dir.resolve(job + "-" + name + ".ids");
    List<String> args = new ArrayList<>(List.of(backend.contactPoint().getHostString(),
        Integer.toString(backend.contactPoint().getPort()), backend.localDatacenter(), table, checkpoints,
        TestBackends.kafka().bootstrapServers(), job, out.toString(), Integer.toString(PAGE_SIZE),
        Double.toString(rate), Integer.toString(SHARDS_IN_PARALLEL), mode, FROM.toString(),
        FROM.plus(Duration.ofDays(DAYS)).toString(),
        Integer.toString(measuring ? MEASURE_SESSION_SECONDS : TAKEOVER_SECONDS)));
    args.addAll(types);
    List<String> jvmOptions = new ArrayList<>(List.of("-Xmx256m"));
    if (go != null) {
      jvmOptions.add("-D" + DistributedHostChild.GO_FILE + "=" + go.toAbsolutePath());
    }
    if (measuring) {
      // Measurements may run with another checkpointInterval (e.g. the default 1 s) than the crash test.
      jvmOptions.add("-D" + DistributedHostChild.CHECKPOINT_INTERVAL_MILLIS + "="
          + Long.getLong(DistributedHostChild.CHECKPOINT_INTERVAL_MILLIS, 0));
      jvmOptions.add("-D" + DistributedHostChild.PAIRS + "=" + Integer.getInteger(DistributedHostChild.PAIRS, 0));
      jvmOptions.add("-D" + DistributedHostChild.PAIR_KINDS + "="
          + System.getProperty(DistributedHostChild.PAIR_KINDS, "plain,host"));
      jvmOptions.add("-XX:-UseDynamicNumberOfCompilerThreads"); // the JIT's CPU is read from its threads
      // And with shards grouped into records (DistributedJob.Builder#shardsPerRecord).
      jvmOptions.add("-D" + DistributedHostChild.SHARDS_PER_RECORD + "="
          + Integer.getInteger(DistributedHostChild.SHARDS_PER_RECORD, 1));
    }
    // For profiling, e.g. -Ddistributed.childJvmOptions=-XX:StartFlightRecording=filename=/tmp/{job}.jfr
    for (String o : System.getProperty("distributed.childJvmOptions", "").split(" ")) {
      if (!o.isBlank()) {
        jvmOptions.add(o.replace("{job}", job + "-" + name));
      }
    }
    ChildJvm jvm = ChildJvm.start(DistributedHostChild.class, jvmOptions, args,
        dir.resolve(job + "-" + name + ".log"));
    children.add(jvm);
    return new Host(name, jvm, out);
  }

  private record Host(String name, ChildJvm jvm, Path out) {
    List<String> handled() throws IOException {
      return Files.exists(out) ? ChildJvm.completeLines(out) : List.of();
    }
  }
}
