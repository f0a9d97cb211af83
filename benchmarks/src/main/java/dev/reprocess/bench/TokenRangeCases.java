package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.TokenRangeSelector;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The token-range case: ids per second of {@link TokenRangeSelector} (a full scan of the Cassandra
 * case's table in {@value #SPLITS} token ranges) against a plain driver loop over the same ranges,
 * with 1, 2, 4 and 8 ranges read at a time, all variants in the same rounds. Each measurement reads
 * the whole table at least once and for at least {@code --min-seconds}. With {@code --extra}, also
 * the client CPU per id of every variant, as rows of their own.
 *
 * <p>The plain loop is what a host writes by hand, and what the selector does underneath: for each
 * range, one {@code SELECT asset_id FROM t WHERE token(pk) > ? AND token(pk) <= ?} (no upper bound
 * for the range that ends the ring) with the page size, the driver fetching the next page when one
 * is used up. It reads the selector's own shards, so both sides read exactly the same ranges.
 */
final class TokenRangeCases {
  /** Token ranges of both sides: the ring's ranges split evenly until there are this many. */
  static final int SPLITS = 64;

  private final CqlSession session;
  private final int pageSize;
  private final TokenRangeSelector selector;
  private final List<Shard> ranges;
  private final TokenMap tokenMap;
  private final PreparedStatement inRange;
  private final PreparedStatement afterStart;
  /** Folds in every id read, from any thread, so the JIT cannot drop the reads. */
  private final LongAdder checksum = new LongAdder();

  private TokenRangeCases(CqlSession session, CassandraData.Table table, int pageSize) {
    this.session = session;
    this.pageSize = pageSize;
    this.selector = TokenRangeSelector.builder(session).table(table.qualified()).idColumn("asset_id")
        .splits(SPLITS).build();
    this.ranges = selector.shards();
    this.tokenMap = session.getMetadata().getTokenMap()
        .orElseThrow(() -> new IllegalStateException("the session has no token map"));
    String select = "SELECT asset_id FROM " + table.qualified() + " WHERE token(asset_type, bucket) > ?";
    this.inRange = session.prepare(select + " AND token(asset_type, bucket) <= ?");
    this.afterStart = session.prepare(select);
  }

  static void run(Options o, CqlSession session, CassandraData.Table table, Results results) throws Exception {
    TokenRangeCases c = new TokenRangeCases(session, table, o.pageSize);
    long expected = table.assets();
    long minNanos = (long) (o.minSeconds * 1e9);
    Rounds rounds = new Rounds("tokenrange");
    for (int p : CassandraCases.PARALLELISM) {
      rounds.block()
          .add(plain(p), r -> Reads.repeated(minNanos, plain(p), expected, () -> c.plainAll(p)))
          .add(selector(p), r -> Reads.repeated(minNanos, selector(p), expected, () -> c.selectorAll(p)));
    }
    rounds.run(o.warmups, o.runs);
    c.report(rounds, expected, o.pageSize, results);
    if (o.extra) {
      for (int p : CassandraCases.PARALLELISM) {
        results.addCpu(c.caseName(expected, o.pageSize), plain(p), rounds, "id");
        results.addCpu(c.caseName(expected, o.pageSize), selector(p), rounds, "id");
      }
    }
    Log.info("tokenrange checksum %d", c.checksum.sum());
  }

  private void report(Rounds rounds, long expected, int pageSize, Results results) {
    String name = caseName(expected, pageSize);
    for (int p : CassandraCases.PARALLELISM) {
      results.addRate(name, p + " at a time: plain driver loop over the ranges (baseline)", rounds, plain(p), "ids/s",
          1.0, null);
      results.addRate(name, p + " at a time: TokenRangeSelector", rounds, selector(p), "ids/s",
          rounds.ratio(selector(p), plain(p)), CassandraCases.SELECTION_GOAL);
    }
    for (int p : CassandraCases.PARALLELISM) {
      if (p != 1) {
        results.add(name, "TokenRangeSelector speed-up, " + p + " at a time vs 1",
            rounds.ratio(selector(p), selector(1)), "x", null, null);
        results.add(name, "plain loop speed-up, " + p + " at a time vs 1", rounds.ratio(plain(p), plain(1)), "x",
            null, null);
      }
    }
  }

  private String caseName(long expected, int pageSize) {
    return String.format("1-2b. Cassandra token-range selection, %,d assets, %d ranges (%d splits), page %d",
        expected, ranges.size(), SPLITS, pageSize);
  }

  /** One range by hand: one statement, the driver paging it. */
  private long plainRange(Shard range) {
    String end = range.properties().get(TokenRangeSelector.PROPERTY_END);
    BoundStatement s = (end == null ? afterStart : inRange).bind()
        .setToken(0, tokenMap.parse(range.properties().get(TokenRangeSelector.PROPERTY_START)));
    if (end != null) {
      s = s.setToken(1, tokenMap.parse(end));
    }
    long count = 0;
    long sum = 0;
    for (Row row : session.execute(s.setPageSize(pageSize))) {
      sum += row.getUuid(0).getLeastSignificantBits();
      count++;
    }
    checksum.add(sum);
    return count;
  }

  private long plainAll(int parallel) {
    return Reads.inParallel(ranges, parallel, this::plainRange);
  }

  private long selectorAll(int parallel) {
    return Reads.inParallel(ranges, parallel,
        range -> Reads.readShard(selector, range, pageSize, checksum, (paginator, page) -> { }));
  }

  private static String plain(int p) {
    return "plain token-range loop, " + p + " at a time";
  }

  private static String selector(int p) {
    return "TokenRangeSelector, " + p + " at a time";
  }
}
