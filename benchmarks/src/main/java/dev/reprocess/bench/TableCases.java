package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.reprocess.cassandra.TableSelector;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Case 9 (issue #13): ids per second of {@link TableSelector} on a composite-clustering table of
 * mixed orders with many ties, {@code PRIMARY KEY ((day), added_date, item_id) WITH CLUSTERING
 * ORDER BY (added_date DESC, item_id ASC)}, against a plain driver loop that pages the same
 * partitions correctly with the same chained per-level keyset queries, at 1 and 4 shards (day
 * partitions) at a time, in the same rounds.
 *
 * <p>The data set: {@code --assets / 4} rows over {@value #DAYS} daily partitions of January 2024,
 * in groups of 1 to {@value #MAX_TIES} rows sharing one {@code added_date} (so most pages end
 * inside a group of ties), {@code item_id} random uuids; the same seed always gives the same rows.
 * Loaded once, like {@link CassandraData}'s tables, and reused by later runs.
 */
final class TableCases {
  static final int[] PARALLELISM = {1, 4};
  static final int DAYS = 30;
  static final int MAX_TIES = 400;
  static final LocalDate FIRST_DAY = LocalDate.of(2024, 1, 1);
  static final long SEED = 20240113L;

  private final CqlSession session;
  private final String table;
  private final int pageSize;
  private final PreparedStatement first;
  private final PreparedStatement sameDate;
  private final PreparedStatement olderDate;
  private final LongAdder checksum = new LongAdder();

  private TableCases(CqlSession session, String table, int pageSize) {
    this.session = session;
    this.table = table;
    this.pageSize = pageSize;
    String select = "SELECT added_date, item_id FROM " + table + " WHERE day = ?";
    this.first = session.prepare(select + " LIMIT ?");
    this.sameDate = session.prepare(select + " AND added_date = ? AND item_id > ? LIMIT ?");
    this.olderDate = session.prepare(select + " AND added_date < ? LIMIT ?");
  }

  static void run(Options o, CqlSession session, Results results) throws Exception {
    int rows = Math.max(1, o.assets / 4);
    String table = ensure(session, rows);
    TableCases reads = new TableCases(session, table, o.pageSize);
    Rounds rounds = new Rounds("table");
    long minNanos = (long) (o.minSeconds * 1e9);
    for (int p : PARALLELISM) {
      rounds.block()
          .add(plain(p), r -> Reads.repeated(minNanos, plain(p), rows, () -> reads.plainAll(p)))
          .add(selector(p), r -> Reads.repeated(minNanos, selector(p), rows, () -> reads.selectorAll(p)));
    }
    rounds.run(o.warmups, o.runs);
    String c = String.format("9. Composite clustering key (added_date DESC, item_id ASC), %,d rows in %d day"
        + " partitions, ties of 1 to %d rows, page %d", rows, DAYS, MAX_TIES, o.pageSize);
    for (int p : PARALLELISM) {
      String shards = CassandraCases.shards(p);
      results.addRate(c, shards + ": plain driver loop, chained per-level keyset queries (baseline)", rounds,
          plain(p), "ids/s", 1.0, null);
      results.addRate(c, shards + ": TableSelector", rounds, selector(p), "ids/s",
          rounds.ratio(selector(p), plain(p)), CassandraCases.SELECTION_GOAL);
    }
    Log.info("table checksum %d", reads.checksum.sum());
  }

  /**
   * What a host writes by hand to page one day correctly: {@code LIMIT pageSize} statements; after
   * a full page ending at {@code (a, i)}, first the rest of its ties ({@code added_date = a AND
   * item_id > i}), then the older dates ({@code added_date < a}); a statement returning less than a
   * page ends its level.
   */
  long plainDay(LocalDate day) {
    long count = 0;
    long sum = 0;
    Instant date = null;
    UUID item = null;
    boolean ties = false;
    while (true) {
      BoundStatement s = date == null ? first.bind(day, pageSize)
          : ties ? sameDate.bind(day, date, item, pageSize) : olderDate.bind(day, date, pageSize);
      ResultSet rs = session.execute(s.setPageSize(pageSize));
      int inPage = 0;
      for (Row row : rs) {
        date = row.getInstant(0);
        item = row.getUuid(1);
        sum += item.toString().length();
        inPage++;
      }
      count += inPage;
      if (inPage == pageSize) {
        ties = true;
      } else if (ties) {
        ties = false;
      } else {
        checksum.add(sum);
        return count;
      }
    }
  }

  long plainAll(int parallel) {
    return Reads.inParallel(days(), parallel, this::plainDay);
  }

  TableSelector selector() {
    Instant from = FIRST_DAY.atStartOfDay(ZoneOffset.UTC).toInstant();
    return TableSelector.builder(session).table(table).bucketColumn("day")
        .window(from, from.plus(Duration.ofDays(DAYS))).idColumn("item_id").build();
  }

  long selectorAll(int parallel) {
    TableSelector selector = selector();
    return Reads.inParallel(selector.shards(), parallel,
        shard -> Reads.readShard(selector, shard, pageSize, checksum, (paginator, page) -> { }));
  }

  static List<LocalDate> days() {
    List<LocalDate> days = new ArrayList<>();
    for (int d = 0; d < DAYS; d++) {
      days.add(FIRST_DAY.plusDays(d));
    }
    return days;
  }

  /** The table holding {@code rows} rows, loaded now unless an earlier run completed it. */
  static String ensure(CqlSession session, int rows) {
    String name = "items_by_day_" + rows;
    String table = CassandraData.KEYSPACE + "." + name;
    session.execute(SimpleStatement.newInstance("CREATE KEYSPACE IF NOT EXISTS " + CassandraData.KEYSPACE
        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"));
    session.execute(SimpleStatement.newInstance("CREATE TABLE IF NOT EXISTS " + CassandraData.KEYSPACE
        + ".datasets (name text PRIMARY KEY, assets bigint, seed bigint, loaded_at timestamp)"));
    session.execute(SimpleStatement.newInstance("CREATE TABLE IF NOT EXISTS " + table
        + " (day date, added_date timestamp, item_id uuid, PRIMARY KEY ((day), added_date, item_id))"
        + " WITH CLUSTERING ORDER BY (added_date DESC, item_id ASC)"));
    Row marker = session.execute(SimpleStatement.newInstance(
        "SELECT assets, seed FROM " + CassandraData.KEYSPACE + ".datasets WHERE name = ?", name)).one();
    if (marker != null && marker.getLong("assets") == rows && marker.getLong("seed") == SEED) {
      Log.info("Cassandra data set %s: %,d rows already loaded, reused", table, rows);
      return table;
    }
    session.execute(SimpleStatement.newInstance("TRUNCATE " + table).setTimeout(Duration.ofMinutes(2)));
    long t0 = System.nanoTime();
    load(session, table, rows);
    session.execute(SimpleStatement.newInstance("INSERT INTO " + CassandraData.KEYSPACE
        + ".datasets (name, assets, seed, loaded_at) VALUES (?, ?, ?, toTimestamp(now()))", name, (long) rows, SEED));
    Log.info("Cassandra data set %s: loaded %,d rows in %.1f s", table, rows, Stats.seconds(t0));
    return table;
  }

  /**
   * Day {@code i % DAYS} gets row {@code i}; each day's rows come in groups of ties, one
   * {@code added_date} a second apart from the day's start, newest last.
   */
  private static void load(CqlSession session, String table, int rows) {
    PreparedStatement insert = session.prepare("INSERT INTO " + table + " (day, added_date, item_id) VALUES (?, ?, ?)");
    Random rnd = new Random(SEED);
    Semaphore inFlight = new Semaphore(CassandraData.IN_FLIGHT);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int d = 0; d < DAYS; d++) {
      LocalDate day = FIRST_DAY.plusDays(d);
      Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
      int dayRows = rows / DAYS + (d < rows % DAYS ? 1 : 0);
      int group = 0;
      int left = 0;
      for (int k = 0; k < dayRows; k += CassandraData.BATCH_ROWS) {
        BatchStatementBuilder batch = BatchStatement.builder(DefaultBatchType.UNLOGGED);
        for (int j = 0; j < Math.min(CassandraData.BATCH_ROWS, dayRows - k); j++) {
          if (left == 0) {
            group++;
            left = 1 + rnd.nextInt(MAX_TIES);
          }
          left--;
          batch.addStatement(insert.bind(day, start.plusSeconds(group), new UUID(rnd.nextLong(), rnd.nextLong())));
        }
        inFlight.acquireUninterruptibly();
        if (failure.get() != null) {
          throw new IllegalStateException("loading " + table + " failed", failure.get());
        }
        CassandraData.execute(session, batch.build().setIdempotent(true), 5).whenComplete((r, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
          inFlight.release();
        });
      }
    }
    inFlight.acquireUninterruptibly(CassandraData.IN_FLIGHT);
    if (failure.get() != null) {
      throw new IllegalStateException("loading " + table + " failed", failure.get());
    }
  }

  private static String plain(int p) {
    return "plain per-level keyset loop, " + CassandraCases.shards(p);
  }

  private static String selector(int p) {
    return "TableSelector, " + CassandraCases.shards(p);
  }
}
