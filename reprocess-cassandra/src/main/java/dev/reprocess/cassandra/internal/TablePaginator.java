package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Reads one partition in keyset order over its whole clustering key ({@link ClusteringKeyset}).
 * Starting a shard is one query; resuming after a key chains the level queries, deepest first,
 * each paged by the driver, with the next page requested while the current one is handled. The
 * position is the clustering key of the last row read (the first {@code n} selected columns); the
 * cursor is that key ({@link KeyCursor}). After a failed read the next query restarts from the
 * deepest level, since the position may have moved inside the level being read.
 *
 * <p>Not thread-safe: one thread at a time.
 */
public final class TablePaginator extends PrefetchingPaginator {
  private static final int FIRST = -1;

  private final CqlSession session;
  private final ClusteringKeyset keyset;
  private final KeyCursor cursors;
  private final String shardId;
  private final Object[] partition;
  private final Object lower;
  private final Object upper;
  private final int pageSize;
  private final RowSettings rows;
  private final Function<Row, AssetRef> toAsset;
  private Object[] position;
  private int level;

  /**
   * @param partition the partition-key values, bound first
   * @param lower the window's lower bound on the time column (inclusive), or null without one
   * @param upper the window's upper bound on the time column (exclusive), or null without one
   * @param resumeAfter the clustering key of the last row handed out, or null to start the partition
   * @param toAsset the asset of a row the row filter keeps
   */
  public TablePaginator(CqlSession session, ClusteringKeyset keyset, KeyCursor cursors, String shardId,
      Object[] partition, Object lower, Object upper, Object[] resumeAfter, int pageSize, RowSettings rows,
      Function<Row, AssetRef> toAsset) {
    this.session = session;
    this.keyset = keyset;
    this.cursors = cursors;
    this.shardId = shardId;
    this.partition = partition.clone();
    this.lower = lower;
    this.upper = upper;
    this.position = resumeAfter == null ? null : resumeAfter.clone();
    this.pageSize = pageSize;
    this.rows = rows;
    this.toAsset = toAsset;
  }

  @Override
  protected CompletionStage<AsyncResultSet> query() {
    level = position == null ? FIRST : keyset.size() - 1;
    return start();
  }

  private CompletionStage<AsyncResultSet> start() {
    BoundStatement statement = level == FIRST
        ? keyset.first(partition, lower, upper)
        : keyset.level(level, partition, position, lower, upper);
    return session.executeAsync(rows.apply(statement, pageSize));
  }

  @Override
  protected CompletionStage<AsyncResultSet> read(AsyncResultSet page, List<AssetRef> out) {
    Row last = null;
    for (Row row : page.currentPage()) {
      if (keyset.size() > 0 && row.isNull(0)) {
        // A partition with only static content: a read with no bound on the clustering key answers
        // it with one row whose clustering key is null. It is no asset, and no position.
        continue;
      }
      last = row;
      if (rows.keep(row)) {
        out.add(toAsset.apply(row));
      }
    }
    if (last != null) { // only the page's last key is a position: decoded once a page, not once a row
      Object[] key = new Object[keyset.size()];
      for (int i = 0; i < key.length; i++) {
        key[i] = last.getObject(i);
      }
      position = key;
    }
    if (page.hasMorePages()) {
      return null; // the driver's next page follows
    }
    if (level == FIRST || level == 0) {
      return null;
    }
    level--;
    return start();
  }

  @Override
  protected Cursor cursor(boolean last) {
    return position == null ? null : cursors.encode(position);
  }

  @Override
  protected String what() {
    return "shard " + shardId;
  }
}
