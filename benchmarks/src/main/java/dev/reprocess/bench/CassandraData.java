package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.reprocess.cassandra.BucketType;
import dev.reprocess.cassandra.Bucketing;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Cassandra data sets: tables in the reference layout ({@code ((asset_type, bucket),
 * asset_id)}, text daily buckets, ids descending) in keyspace {@value #KEYSPACE}, one per size,
 * named {@code assets_<size>}. Assets are spread over 3 types x 365 daily buckets of 2024 with
 * uneven sizes (cubed uniform weights, one cell in ten empty), each with a unique timeuuid whose
 * timestamp lies in its bucket's day; the same seed always gives the same data set.
 *
 * <p>A data set is loaded once and reused: after a complete load a row in {@code datasets} records
 * its size, and a later run finding that row skips the load. Loading uses one prepared insert in
 * unlogged single-partition batches, {@value #IN_FLIGHT} requests in flight.
 */
final class CassandraData {
  static final String KEYSPACE = "reprocess_bench";
  static final List<String> TYPES = List.of("image/png", "image/jpeg", "video/mp4");
  static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
  static final int DAYS = 365;
  static final Instant TO = FROM.plus(Duration.ofDays(DAYS));
  static final long SEED = 20240101L;
  static final int IN_FLIGHT = 128;
  static final int BATCH_ROWS = 50;

  /** A (type, bucket) partition: what the plain loop visits, in the selector's order. */
  record Cell(String type, String bucket) {}

  /** A loaded table. */
  record Table(String name, int assets) {
    String qualified() {
      return KEYSPACE + "." + name;
    }
  }

  private CassandraData() {}

  static String bucket(Instant instant) {
    return (String) Bucketing.daily().valueFor(instant, BucketType.TEXT);
  }

  /** Every partition of the window, newest bucket first and types in order: the selector's shard order. */
  static List<Cell> cells() {
    List<Cell> cells = new ArrayList<>();
    for (int day = DAYS - 1; day >= 0; day--) {
      String bucket = bucket(FROM.plus(Duration.ofDays(day)));
      for (String type : TYPES) {
        cells.add(new Cell(type, bucket));
      }
    }
    return cells;
  }

  /** The table holding {@code assets} assets, loaded now unless an earlier run completed it. */
  static Table ensure(CqlSession session, int assets) {
    Table table = new Table("assets_" + assets, assets);
    session.execute(SimpleStatement.newInstance("CREATE KEYSPACE IF NOT EXISTS " + KEYSPACE
        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"));
    session.execute(SimpleStatement.newInstance("CREATE TABLE IF NOT EXISTS " + KEYSPACE
        + ".datasets (name text PRIMARY KEY, assets bigint, seed bigint, loaded_at timestamp)"));
    session.execute(SimpleStatement.newInstance("CREATE TABLE IF NOT EXISTS " + table.qualified()
        + " (asset_type text, bucket text, asset_id timeuuid, PRIMARY KEY ((asset_type, bucket), asset_id))"
        + " WITH CLUSTERING ORDER BY (asset_id DESC)"));
    Row marker = session.execute(SimpleStatement.newInstance(
        "SELECT assets, seed FROM " + KEYSPACE + ".datasets WHERE name = ?", table.name())).one();
    if (marker != null && marker.getLong("assets") == assets && marker.getLong("seed") == SEED) {
      Log.info("Cassandra data set %s: %,d assets already loaded, reused", table.qualified(), assets);
      return table;
    }
    session.execute(SimpleStatement.newInstance("TRUNCATE " + table.qualified()).setTimeout(Duration.ofMinutes(2)));
    long t0 = System.nanoTime();
    load(session, table);
    session.execute(SimpleStatement.newInstance("INSERT INTO " + KEYSPACE
        + ".datasets (name, assets, seed, loaded_at) VALUES (?, ?, ?, toTimestamp(now()))",
        table.name(), (long) assets, SEED));
    double s = Stats.seconds(t0);
    Log.info("Cassandra data set %s: loaded %,d assets in %.1f s (%,.0f rows/s)", table.qualified(), assets, s,
        assets / s);
    return table;
  }

  /** Sizes of every (type, day) cell, in cell order type-major within a day: index = day * types + type. */
  static int[] cellSizes(Random rnd, int total) {
    int n = TYPES.size() * DAYS;
    double[] weights = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = rnd.nextInt(10) == 0 ? 0 : Math.pow(rnd.nextDouble(), 3) + 0.01;
      sum += weights[i];
    }
    int[] sizes = new int[n];
    int assigned = 0;
    int biggest = 0;
    for (int i = 0; i < n; i++) {
      sizes[i] = (int) Math.floor(total * weights[i] / sum);
      assigned += sizes[i];
      if (sizes[i] > sizes[biggest]) {
        biggest = i;
      }
    }
    sizes[biggest] += total - assigned;
    return sizes;
  }

  private static void load(CqlSession session, Table table) {
    PreparedStatement insert = session.prepare(
        "INSERT INTO " + table.qualified() + " (asset_type, bucket, asset_id) VALUES (?, ?, ?)");
    Random rnd = new Random(SEED);
    int[] sizes = cellSizes(rnd, table.assets());
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long dayMillis = Duration.ofDays(1).toMillis();
    long loaded = 0;
    long nextReport = 100_000;
    for (int i = 0; i < sizes.length; i++) {
      String type = TYPES.get(i % TYPES.size());
      long dayStart = FROM.toEpochMilli() + (long) (i / TYPES.size()) * dayMillis;
      String bucket = bucket(Instant.ofEpochMilli(dayStart));
      for (int k = 0; k < sizes[i]; k += BATCH_ROWS) {
        BatchStatementBuilder batch = BatchStatement.builder(DefaultBatchType.UNLOGGED);
        int rows = Math.min(BATCH_ROWS, sizes[i] - k);
        for (int j = 0; j < rows; j++) {
          long millis = dayStart + (long) (rnd.nextDouble() * dayMillis);
          batch.addStatement(insert.bind(type, bucket, timeuuid(millis, rnd)));
        }
        inFlight.acquireUninterruptibly();
        if (failure.get() != null) {
          throw new IllegalStateException("loading " + table.qualified() + " failed", failure.get());
        }
        execute(session, batch.build().setIdempotent(true), 5)
            .whenComplete((r, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
              inFlight.release();
            });
        loaded += rows;
        if (loaded >= nextReport) {
          Log.info("  loading %s: %,d of %,d", table.qualified(), loaded, table.assets());
          nextReport += 100_000;
        }
      }
    }
    inFlight.acquireUninterruptibly(IN_FLIGHT);
    inFlight.release(IN_FLIGHT);
    if (failure.get() != null) {
      throw new IllegalStateException("loading " + table.qualified() + " failed", failure.get());
    }
  }

  /** Executes asynchronously, trying again up to {@code attempts} times (the batches are idempotent). */
  static CompletableFuture<Void> execute(CqlSession session, Statement<?> statement, int attempts) {
    return session.executeAsync(statement).toCompletableFuture()
        .<CompletableFuture<Void>>handle((r, e) -> {
          if (e == null) {
            return CompletableFuture.completedFuture(null);
          }
          if (attempts <= 1) {
            return CompletableFuture.failedFuture(e);
          }
          return execute(session, statement, attempts - 1);
        })
        .thenCompose(f -> f);
  }

  /** A timeuuid with this millisecond timestamp and a random clock sequence and node. */
  static UUID timeuuid(long millis, Random rnd) {
    long msb = Uuids.startOf(millis).getMostSignificantBits();
    long lsb = (rnd.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
