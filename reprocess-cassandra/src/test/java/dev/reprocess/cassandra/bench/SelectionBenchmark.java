package dev.reprocess.cassandra.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.reprocess.AssetRef;
import dev.reprocess.JobReport;
import dev.reprocess.Outcome;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.BucketType;
import dev.reprocess.cassandra.Bucketing;
import dev.reprocess.cassandra.CassandraSchema;
import dev.reprocess.cassandra.TimeBucketSelector;
import dev.reprocess.cassandra.it.Cassandra;
import dev.reprocess.cassandra.it.Dataset;
import dev.reprocess.testkit.TestBackends;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * Ids per second of the time-bucket selector against a plain driver keyset loop over the same
 * table, one shard at a time and 4 at a time, in one JVM, after warm-up, medians of several runs
 * taken round-robin. Not a test: run it on demand.
 *
 * <pre>
 * source target/reprocess-testkit/backends.env   # optional: an already running Cassandra (REPROCESS_CASSANDRA)
 * mvn -B -pl reprocess-cassandra test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.reprocess.cassandra.bench.SelectionBenchmark
 * </pre>
 *
 * <p>System properties: {@code bench.assets} (default 300000), {@code bench.pageSize} (500),
 * {@code bench.warmups} (2), {@code bench.runs} (8). The variants run round-robin, in a
 * rotating order. Without {@code REPROCESS_CASSANDRA} the
 * testkit starts a Cassandra for the run.
 */
public final class SelectionBenchmark {
  private static final List<String> TYPES = List.of("image/png", "image/jpeg", "video/mp4");
  private static final Instant FROM = Instant.parse("2024-05-01T00:00:00Z");

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final CqlSession session;
  private final String table;
  private final Instant from;
  private final Instant to;
  private final int pageSize;
  private final PreparedStatement first;
  private final PreparedStatement next;

  private SelectionBenchmark(CqlSession session, String table, Instant from, Instant to, int pageSize) {
    this.session = session;
    this.table = table;
    this.from = from;
    this.to = to;
    this.pageSize = pageSize;
    this.first = session.prepare("SELECT asset_id FROM " + table + " WHERE asset_type = ? AND bucket = ? LIMIT ?");
    this.next = session.prepare(
        "SELECT asset_id FROM " + table + " WHERE asset_type = ? AND bucket = ? AND asset_id < ? LIMIT ?");
  }

  public static void main(String[] args) throws Exception {
    int assets = Integer.getInteger("bench.assets", 300_000);
    int pageSize = Integer.getInteger("bench.pageSize", 500);
    int warmups = Integer.getInteger("bench.warmups", 2);
    int runs = Integer.getInteger("bench.runs", 8);
    try (CqlSession session = Cassandra.session(TestBackends.cassandra())) {
      String keyspace = Cassandra.newKeyspace(session, "bench");
      try {
        CassandraSchema.createReferenceSchema(session, keyspace, 1, BucketType.TEXT);
        String table = keyspace + "." + CassandraSchema.ASSETS_BY_TYPE_BUCKET;
        Dataset data = Dataset.generate(1, TYPES, FROM, 60, assets);
        PreparedStatement insert = session.prepare("INSERT INTO " + table + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
        long t0 = System.nanoTime();
        data.load(session, insert, a -> new Object[] {a.type(), bucket(a.createdAt()), a.id()},
            a -> a.type() + bucket(a.createdAt()));
        System.out.printf("loaded %,d assets (3 types x 60 daily buckets) in %.1f s%n", assets, (System.nanoTime() - t0) / 1e9);
        new SelectionBenchmark(session, table, data.from(), data.to(), pageSize).run(assets, warmups, runs);
      } finally {
        Cassandra.dropKeyspace(session, keyspace);
      }
    }
  }

  private static String bucket(Instant createdAt) {
    return (String) Bucketing.daily().valueFor(createdAt, BucketType.TEXT);
  }

  private TimeBucketSelector selector() {
    return TimeBucketSelector.builder(session).table(table).assetTypes(TYPES).window(from, to).build();
  }

  private void run(int assets, int warmups, int runs) throws Exception {
    List<Shard> shards = selector().shards();
    Map<String, ToLongFunction<Integer>> variants = new LinkedHashMap<>();
    variants.put("plain driver keyset loop (LIMIT per page)", parallel -> inParallel(shards, parallel, this::plainKeyset));
    variants.put("plain driver loop, driver paging", parallel -> inParallel(shards, parallel, this::plainPaging));
    variants.put("selector paginators", parallel -> {
      TimeBucketSelector s = selector();
      return inParallel(s.shards(), parallel, shard -> readShard(s, shard));
    });
    variants.put("selector through ReprocessJob, no-op handler", this::throughJob);

    String plainName = "plain driver keyset loop (LIMIT per page)";
    int[] parallelisms = {1, 4};
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, List<Double>> ratios = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    List<Map.Entry<String, ToLongFunction<Integer>>> order = new ArrayList<>(variants.entrySet());
    for (int round = 0; round < warmups + runs; round++) {
      Collections.rotate(order, 1); // each variant takes every position in turn: no order bias
      for (int parallel : parallelisms) {
        Map<String, Double> roundRates = new HashMap<>();
        for (Map.Entry<String, ToLongFunction<Integer>> v : order) {
          long cpuStart = OS.getProcessCpuTime();
          long start = System.nanoTime();
          long ids = v.getValue().applyAsLong(parallel);
          double seconds = (System.nanoTime() - start) / 1e9;
          double cpuMicrosPerId = (OS.getProcessCpuTime() - cpuStart) / 1e3 / ids;
          if (ids != assets) {
            throw new IllegalStateException(v.getKey() + " read " + ids + " ids, expected " + assets);
          }
          roundRates.put(v.getKey(), ids / seconds);
          if (round >= warmups) {
            rates.computeIfAbsent(key(v.getKey(), parallel), k -> new ArrayList<>()).add(ids / seconds);
            cpu.computeIfAbsent(key(v.getKey(), parallel), k -> new ArrayList<>()).add(cpuMicrosPerId);
          }
        }
        if (round >= warmups) {
          for (String name : variants.keySet()) {
            ratios.computeIfAbsent(key(name, parallel), k -> new ArrayList<>())
                .add(roundRates.get(name) / roundRates.get(plainName));
          }
        }
      }
    }
    System.out.printf("%npage size %d, %d assets, %d runs after %d warm-up rounds; medians. 'ratio' is the median of the"
        + " per-round ratios to the plain keyset loop run in the same round; 'client CPU' is this JVM's CPU time per id"
        + " (the Cassandra server's is not counted).%n", pageSize, assets, runs, warmups);
    for (int parallel : parallelisms) {
      System.out.printf("%n%d shard%s at a time:%n", parallel, parallel == 1 ? "" : "s");
      for (String name : variants.keySet()) {
        String k = key(name, parallel);
        System.out.printf("  %-46s %,10.0f ids/s   ratio %.2f   client CPU %.2f us/id   (runs: %s)%n",
            name, median(rates.get(k)), median(ratios.get(k)), median(cpu.get(k)), format(rates.get(k)));
      }
    }
    System.out.printf("%n4 shards at a time vs 1 (ratio of medians):%n");
    for (String name : variants.keySet()) {
      System.out.printf("  %-46s x%.2f%n", name, median(rates.get(key(name, 4))) / median(rates.get(key(name, 1))));
    }
  }

  private static String key(String name, int parallel) {
    return name + "@" + parallel;
  }

  /** What a host writes by hand: one statement per page, {@code asset_id < last} after the first. */
  private long plainKeyset(Shard shard) {
    String type = shard.assetType();
    String bucket = shard.property(TimeBucketSelector.PROPERTY_BUCKET);
    long count = 0;
    long checksum = 0;
    UUID last = null;
    while (true) {
      BoundStatement s = last == null ? first.bind(type, bucket, pageSize) : next.bind(type, bucket, last, pageSize);
      ResultSet rs = session.execute(s.setPageSize(pageSize));
      int inPage = 0;
      for (Row row : rs) {
        last = row.getUuid(0);
        checksum += last.getLeastSignificantBits();
        inPage++;
      }
      count += inPage;
      if (inPage < pageSize) {
        return checksum == 42 ? count + 1 : count; // keeps the JIT from dropping the reads
      }
    }
  }

  /** One statement per shard, the driver fetching each page when the previous one is used up. */
  private long plainPaging(Shard shard) {
    ResultSet rs = session.execute(first.bind(shard.assetType(), shard.property(TimeBucketSelector.PROPERTY_BUCKET),
        Integer.MAX_VALUE).setPageSize(pageSize));
    long count = 0;
    long checksum = 0;
    for (Row row : rs) {
      checksum += row.getUuid(0).getLeastSignificantBits();
      count++;
    }
    return checksum == 42 ? count + 1 : count;
  }

  private long readShard(TimeBucketSelector selector, Shard shard) {
    long count = 0;
    long checksum = 0;
    try (Paginator p = selector.open(shard, null, pageSize)) {
      Page page;
      do {
        page = p.nextPage();
        for (AssetRef ref : page.assets()) {
          checksum += ref.assetId().length();
        }
        count += page.size();
      } while (!page.last());
    }
    return checksum == 42 ? count + 1 : count;
  }

  private long throughJob(int parallel) {
    AtomicLong handled = new AtomicLong();
    JobReport report = ReprocessJob.builder("bench-" + UUID.randomUUID().toString().substring(0, 8))
        .selector(selector())
        .handler(event -> {
          handled.incrementAndGet();
          return Outcome.SUCCEEDED;
        })
        .pageSize(pageSize)
        .shardsInParallel(parallel)
        .concurrency(64)
        .meterRegistry(new SimpleMeterRegistry())
        .build()
        .run()
        .throwIfFailed();
    return report.succeeded() == handled.get() ? handled.get() : -1;
  }

  /** Reads the shards with {@code parallel} threads, each taking the next shard when done. */
  private static long inParallel(List<Shard> shards, int parallel, ToLongFunction<Shard> read) {
    if (parallel == 1) {
      long total = 0;
      for (Shard s : shards) {
        total += read.applyAsLong(s);
      }
      return total;
    }
    ConcurrentLinkedQueue<Shard> queue = new ConcurrentLinkedQueue<>(shards);
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < parallel; i++) {
        results.add(pool.submit(() -> {
          long total = 0;
          for (Shard s = queue.poll(); s != null; s = queue.poll()) {
            total += read.applyAsLong(s);
          }
          return total;
        }));
      }
      long total = 0;
      for (Future<Long> f : results) {
        total += f.get();
      }
      return total;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String format(List<Double> values) {
    StringBuilder sb = new StringBuilder();
    for (double v : values) {
      sb.append(sb.length() == 0 ? "" : ", ").append(String.format("%.0fk", v / 1000));
    }
    return sb.toString();
  }
}
