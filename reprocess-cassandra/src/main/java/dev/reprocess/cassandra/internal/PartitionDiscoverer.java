package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import com.datastax.oss.driver.api.core.metadata.token.TokenRange;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.PartitionDiscovery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the candidate shards of a partition-per-shard selector whose partition holds a row, as
 * {@link PartitionDiscovery} describes: one {@code LIMIT 1} probe per candidate, or one {@code
 * SELECT DISTINCT} scan of the table's partition keys over the ring's token ranges. Shards are kept
 * unchanged and in their order. Memory: a flag per candidate (and, for a scan, the candidates' keys),
 * never the table's other keys. Immutable and thread-safe.
 */
public final class PartitionDiscoverer {
  /** The most probes in flight at once. */
  public static final int MAX_IN_FLIGHT = 64;
  /** The most token-range scans in flight at once. */
  static final int MAX_SCANS_IN_FLIGHT = 4;
  /** Partition keys per page of a scan. */
  static final int SCAN_PAGE_SIZE = 5000;

  private static final Logger LOG = LoggerFactory.getLogger(PartitionDiscoverer.class);

  private final CqlSession session;
  private final TableName table;
  private final List<CqlIdentifier> partitionKey;
  private final RowSettings rows;

  /**
   * @param partitionKey the table's partition-key columns, in partition-key order
   * @param rows the selector's statement options, applied to every discovery read
   */
  public PartitionDiscoverer(CqlSession session, TableName table, List<CqlIdentifier> partitionKey, RowSettings rows) {
    this.session = session;
    this.table = table;
    this.partitionKey = List.copyOf(partitionKey);
    this.rows = rows;
  }

  /** A discoverer over a table whose partition key is read from the session's schema. */
  public static PartitionDiscoverer forTable(CqlSession session, TableName table, RowSettings rows) {
    List<CqlIdentifier> key = SchemaCheck.table(session, "table", table).getPartitionKey().stream()
        .map(com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata::getName).toList();
    return new PartitionDiscoverer(session, table, key, rows);
  }

  /**
   * The candidates whose partition holds a row, in their order; all of them with {@link
   * PartitionDiscovery#NONE}.
   *
   * @param keyOf a candidate's partition-key values, in partition-key order, of the columns' Java types
   * @throws IllegalArgumentException if the mode cannot be used with this session (a scan without
   *     the driver's token map), naming the option, the value and the rule
   * @throws dev.reprocess.ReprocessException or a {@link dev.reprocess.RetriableException} if a read failed
   */
  public List<Shard> keepExisting(PartitionDiscovery mode, List<Shard> candidates, Function<Shard, Object[]> keyOf) {
    if (mode == PartitionDiscovery.NONE || candidates.isEmpty()) {
      return candidates;
    }
    long started = System.nanoTime();
    AtomicIntegerArray found = new AtomicIntegerArray(candidates.size());
    String what = "partition discovery (" + mode + ") of " + table.cql();
    if (mode == PartitionDiscovery.PROBE) {
      probe(candidates, keyOf, found, what);
    } else {
      scan(candidates, keyOf, found, what);
    }
    List<Shard> kept = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (found.get(i) != 0) {
        kept.add(candidates.get(i));
      }
    }
    LOG.info("{}: {} of {} candidate partitions hold rows, {} ms", what, kept.size(), candidates.size(),
        (System.nanoTime() - started) / 1_000_000);
    return kept;
  }

  private void probe(List<Shard> candidates, Function<Shard, Object[]> keyOf, AtomicIntegerArray found, String what) {
    String names = partitionKey.stream().map(c -> c.asCql(true)).collect(Collectors.joining(", "));
    String where = partitionKey.stream().map(c -> c.asCql(true) + " = ?").collect(Collectors.joining(" AND "));
    PreparedStatement probe = StatementPreparation.prepare(what,
        () -> session.prepare("SELECT " + names + " FROM " + table.cql() + " WHERE " + where + " LIMIT 1"));
    List<BoundStatement> statements = new ArrayList<>(candidates.size());
    for (Shard s : candidates) {
      statements.add(rows.apply(probe.bind(keyOf.apply(s)), 1));
    }
    BoundedReads.run(session, statements, MAX_IN_FLIGHT, (index, row) -> found.set(index, 1), what);
  }

  private void scan(List<Shard> candidates, Function<Shard, Object[]> keyOf, AtomicIntegerArray found, String what) {
    TokenMap tokenMap = session.getMetadata().getTokenMap().orElseThrow(() -> new IllegalArgumentException(
        "partitionDiscovery is " + PartitionDiscovery.SCAN_DISTINCT + ": the session has no token map, and the"
            + " scan reads the table's partition keys by token range; enable token metadata"
            + " (advanced.metadata.token-map.enabled = true, the driver's default) or use PROBE"));
    Map<List<Object>, Integer> index = new HashMap<>(candidates.size() * 2);
    for (int i = 0; i < candidates.size(); i++) {
      index.put(Arrays.asList(keyOf.apply(candidates.get(i))), i);
    }
    String names = partitionKey.stream().map(c -> c.asCql(true)).collect(Collectors.joining(", "));
    String token = "token(" + names + ")";
    String select = "SELECT DISTINCT " + names + " FROM " + table.cql() + " WHERE " + token + " > ?";
    PreparedStatement[] prepared = StatementPreparation.prepare(what, () -> new PreparedStatement[] {
        session.prepare(select + " AND " + token + " <= ?"), session.prepare(select)});
    List<BoundStatement> statements = new ArrayList<>();
    for (TokenRange range : ring(tokenMap)) {
      boolean bounded = range.getStart().compareTo(range.getEnd()) < 0;
      BoundStatement s = bounded
          ? prepared[0].bind().setToken(0, range.getStart()).setToken(1, range.getEnd())
          : prepared[1].bind().setToken(0, range.getStart());
      statements.add(rows.apply(s, SCAN_PAGE_SIZE));
    }
    int columns = partitionKey.size();
    BoundedReads.run(session, statements, MAX_SCANS_IN_FLIGHT, (range, row) -> {
      Object[] key = new Object[columns];
      for (int c = 0; c < columns; c++) {
        key[c] = row.getObject(c);
      }
      Integer i = index.get(Arrays.asList(key));
      if (i != null) {
        found.set(i, 1);
      }
    }, what);
  }

  /** The ring's ranges, each halved (so that a one-range ring is two), unwrapped (a range that ends at the ring's minimum token runs to its end), in order. */
  private static List<TokenRange> ring(TokenMap tokenMap) {
    List<TokenRange> ranges = new ArrayList<>();
    for (TokenRange r : tokenMap.getTokenRanges()) {
      for (TokenRange piece : r.splitEvenly(2)) {
        ranges.addAll(piece.unwrap());
      }
    }
    Collections.sort(ranges);
    return ranges;
  }
}
