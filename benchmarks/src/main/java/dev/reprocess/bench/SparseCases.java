package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.session.Request;
import com.datastax.oss.driver.api.core.tracker.RequestTracker;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.JobReport;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.cassandra.BucketType;
import dev.reprocess.cassandra.Bucketing;
import dev.reprocess.cassandra.PartitionDiscovery;
import dev.reprocess.cassandra.TimeBucketSelector;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testkit.CassandraBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Case 8 (issue 13 item 4): a sparse window. A window of {@code --sparse-days} days of hourly
 * buckets over 3 asset types (365 days: 26,280 candidate partitions), on two tables of about the same
 * number of rows: a sparse one where 1 partition in 100 holds rows, and a dense one where every
 * partition holds rows. For each {@link PartitionDiscovery} mode, a ReprocessJob with a no-op
 * handler and in-memory checkpoints reads the window: ids per second, driver requests per selected
 * id (every request the session sends, counted by a request tracker: probes, scan pages, page
 * queries), shards listed, wall time, and the time of {@code shards()} alone (the listing with its
 * discovery). One warm-up and at most 3 measured rounds per mode, the modes one after the other;
 * medians of the measured rounds.
 */
final class SparseCases {
  private static final String CASE = "8. Sparse windows";
  private static final List<String> TYPES = List.of("image", "video", "doc");
  private static final Instant FROM = Instant.parse("2025-01-01T00:00:00Z");
  /** Rows per filled partition of the dense table; the sparse table's hold 100 times as many. */
  private static final int DENSE_ROWS = 2;
  private static final int SPARSE_EVERY = 100;
  private static final int SHARDS_IN_PARALLEL = 8;

  private SparseCases() {}

  static void run(Options o, CassandraBackend backend, Results results) {
    RequestCounter requests = new RequestCounter();
    try (CqlSession session = CqlSession.builder().addContactPoint(backend.contactPoint())
        .withLocalDatacenter(backend.localDatacenter()).withRequestTracker(requests)
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withBoolean(DefaultDriverOption.REQUEST_LOG_WARNINGS, false).build())
        .build()) {
      Instant to = FROM.plus(Duration.ofDays(o.sparseDays));
      session.execute("CREATE KEYSPACE IF NOT EXISTS bench_sparse WITH replication ="
          + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      String sparse = load(session, "sparse_" + o.sparseDays, to, SPARSE_EVERY, DENSE_ROWS * SPARSE_EVERY);
      String dense = load(session, "dense_" + o.sparseDays, to, 1, DENSE_ROWS);
      List<String> lines = new ArrayList<>();
      lines.add("| table | discovery | shards | ids | ids/s | requests per id | wall s | shards() s |");
      lines.add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (String table : List.of(sparse, dense)) {
        for (PartitionDiscovery mode : PartitionDiscovery.values()) {
          measure(o, session, requests, table, to, mode, results, lines);
        }
      }
      Log.info("%s%n%s", CASE, String.join(System.lineSeparator(), lines));
    }
  }

  private static void measure(Options o, CqlSession session, RequestCounter requests, String table, Instant to,
      PartitionDiscovery mode, Results results, List<String> lines) {
    TimeBucketSelector selector = TimeBucketSelector.builder(session).table("bench_sparse." + table)
        .assetTypes(TYPES).window(FROM, to).bucketing(Bucketing.hourly()).checkBucketValues(false)
        .partitionDiscovery(mode).build();
    List<Double> rates = new ArrayList<>();
    List<Double> perId = new ArrayList<>();
    List<Double> walls = new ArrayList<>();
    List<Double> listing = new ArrayList<>();
    JobReport report = null;
    int rounds = Math.min(o.warmups, 1) + Math.min(o.runs, 3);
    for (int round = 0; round < rounds; round++) {
      long before = requests.count.get();
      long t0 = System.nanoTime();
      report = ReprocessJob.builder("sparse-" + table + "-" + mode).selector(selector).handler(e -> Outcome.SUCCEEDED)
          .checkpointStore(new InMemoryCheckpointStore()).pageSize(o.pageSize).shardsInParallel(SHARDS_IN_PARALLEL)
          .build().run().throwIfFailed();
      double seconds = Stats.seconds(t0);
      long sent = requests.count.get() - before;
      if (round >= rounds - Math.min(o.runs, 3)) {
        rates.add(report.selected() / seconds);
        perId.add((double) sent / report.selected());
        walls.add(seconds);
        long t1 = System.nanoTime();
        selector.shards();
        listing.add(Stats.seconds(t1));
      }
    }
    String figure = table.replaceAll("_\\d+$", "") + " table, " + mode;
    results.add(CASE, figure + ": ids/s", Stats.median(rates), "ids/s", null, null);
    results.add(CASE, figure + ": driver requests per 1,000 selected ids", 1000 * Stats.median(perId),
        "requests", null, null);
    results.add(CASE, figure + ": wall time", Stats.median(walls), "s", null, null);
    results.add(CASE, figure + ": shards() alone (listing and discovery)", Stats.median(listing), "s", null, null);
    lines.add(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f | %.3f | %.2f | %.2f |", table, mode,
        report.shardsTotal(), report.selected(), Stats.median(rates), Stats.median(perId), Stats.median(walls),
        Stats.median(listing)));
  }

  /**
   * Creates and fills a reference-layout table unless it already holds its rows: every {@code every}-th
   * candidate partition (of the types x hourly buckets of the window) gets {@code rows} rows.
   */
  private static String load(CqlSession session, String table, Instant to, int every, int rows) {
    String name = "bench_sparse." + table;
    session.execute("CREATE TABLE IF NOT EXISTS " + name + " (asset_type text, bucket text, asset_id timeuuid,"
        + " PRIMARY KEY ((asset_type, bucket), asset_id)) WITH CLUSTERING ORDER BY (asset_id DESC)");
    long hours = Duration.between(FROM, to).toHours();
    long partitions = (hours * TYPES.size() + every - 1) / every;
    long expected = partitions * rows;
    if (session.execute("SELECT count(*) FROM " + name).one().getLong(0) == expected) {
      Log.info("%s: %d rows in %d partitions already loaded", name, expected, partitions);
      return table;
    }
    session.execute("TRUNCATE " + name);
    PreparedStatement insert = session.prepare("INSERT INTO " + name + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    Semaphore inFlight = new Semaphore(128);
    Random random = new Random(13); // distinct milliseconds: Uuids.startOf(ms) is one id per ms
    long t0 = System.nanoTime();
    for (long p = 0; p < hours * TYPES.size(); p += every) {
      Instant hour = FROM.plus(Duration.ofHours(p / TYPES.size()));
      String bucket = (String) Bucketing.hourly().valueFor(hour, BucketType.TEXT);
      for (int r = 0; r < rows; r++) {
        long millis = hour.toEpochMilli() + r * (3_600_000L / rows) + random.nextInt((int) (3_600_000L / rows));
        inFlight.acquireUninterruptibly();
        CompletionStage<?> done = session.executeAsync(insert.bind(TYPES.get((int) (p % TYPES.size())), bucket,
            Uuids.startOf(millis)));
        done.whenComplete((rs, e) -> inFlight.release());
      }
    }
    inFlight.acquireUninterruptibly(128);
    Log.info("%s: loaded %d rows in %d partitions in %.0f s", name, expected, partitions, Stats.seconds(t0));
    return table;
  }

  /** Counts every request the session sends (each page fetch is one), whatever its outcome. */
  private static final class RequestCounter implements RequestTracker {
    final AtomicLong count = new AtomicLong();

    @Override
    public void onSuccess(Request request, long latencyNanos, DriverExecutionProfile profile, Node node,
        String requestLogPrefix) {
      count.incrementAndGet();
    }

    @Override
    public void onError(Request request, Throwable error, long latencyNanos, DriverExecutionProfile profile,
        Node node, String requestLogPrefix) {
      count.incrementAndGet();
    }

    @Override
    public void close() {}
  }
}
