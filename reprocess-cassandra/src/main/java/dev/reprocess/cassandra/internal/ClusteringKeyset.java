package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;

/**
 * Keyset pagination over a composite clustering key of any mix of orders, inside one partition.
 *
 * <p>The rows after a clustering key {@code (k1, ..., kn)}, in reading order, are the rows of
 * level {@code n-1}, then {@code n-2}, ..., then {@code 0}, where level {@code L} is {@code c1 = k1
 * AND ... AND cL = kL AND c(L+1) > k(L+1)} ({@code <} when column {@code L+1} is read descending).
 * Each level is one query; never a tuple comparison {@code (a, b) > (?, ?)}, which is only right
 * when every column is read in the same direction. Reading direction per column: the table's
 * clustering order, or its reverse for every column ({@code ORDER BY} with each column reversed).
 *
 * <p>With window bounds, the first clustering column is a time column bounded by {@code c1 >= lower
 * AND c1 < upper}: on the first query and on level 0 (deeper levels fix {@code c1} to a value read
 * inside the window). Statements are prepared once. Immutable and thread-safe.
 */
public final class ClusteringKeyset {
  private final int size;
  private final boolean[] ascending;
  private final boolean windowBounds;
  private final PreparedStatement first;
  private final PreparedStatement count;
  private final List<PreparedStatement> levels;

  /**
   * Prepares the statements.
   *
   * @param head {@code SELECT ... FROM t WHERE pk1 = ? AND ...}: every partition-key column bound
   * @param columns the clustering columns, in clustering order
   * @param ascending per column, whether it is read ascending
   * @param reversed whether the reading order is the reverse of the table's
   * @param windowBounds whether the first clustering column is bounded by the window
   * @param countHead {@code SELECT count(*) FROM t WHERE pk1 = ? AND ...} to prepare {@link #count}, or null
   */
  public ClusteringKeyset(CqlSession session, String head, List<CqlIdentifier> columns, boolean[] ascending,
      boolean reversed, boolean windowBounds, String countHead) {
    this.size = columns.size();
    this.ascending = ascending.clone();
    this.windowBounds = windowBounds;
    String orderBy = reversed ? orderBy(columns) : "";
    String c1 = columns.get(0).asCql(true);
    String window = windowBounds ? " AND " + c1 + " >= ? AND " + c1 + " < ?" : "";
    this.first = session.prepare(head + window + orderBy);
    this.count = countHead == null ? null : session.prepare(countHead + window);
    List<PreparedStatement> prepared = new ArrayList<>();
    for (int level = 0; level < size; level++) {
      StringBuilder cql = new StringBuilder(head);
      for (int i = 0; i < level; i++) {
        cql.append(" AND ").append(columns.get(i).asCql(true)).append(" = ?");
      }
      cql.append(" AND ").append(columns.get(level).asCql(true)).append(ascending[level] ? " > ?" : " < ?");
      if (level == 0 && windowBounds) {
        cql.append(" AND ").append(c1).append(ascending[0] ? " < ?" : " >= ?");
      }
      prepared.add(session.prepare(cql.append(orderBy).toString()));
    }
    this.levels = List.copyOf(prepared);
  }

  private String orderBy(List<CqlIdentifier> columns) {
    StringBuilder sb = new StringBuilder(" ORDER BY ");
    for (int i = 0; i < columns.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(columns.get(i).asCql(true)).append(ascending[i] ? " ASC" : " DESC");
    }
    return sb.toString();
  }

  /** The number of clustering columns, and of levels. */
  public int size() {
    return size;
  }

  /** The first query of a partition: every row of the window (or of the partition, unbounded). */
  public BoundStatement first(Object[] partition, Object lower, Object upper) {
    return first.bind(partitionAndWindow(partition, lower, upper));
  }

  /**
   * The count of the rows {@link #first} reads.
   *
   * @throws IllegalStateException if no count head was given
   */
  public BoundStatement count(Object[] partition, Object lower, Object upper) {
    if (count == null) {
      throw new IllegalStateException("no count statement was prepared");
    }
    return count.bind(partitionAndWindow(partition, lower, upper));
  }

  private Object[] partitionAndWindow(Object[] partition, Object lower, Object upper) {
    List<Object> values = new ArrayList<>(List.of(partition));
    if (windowBounds) {
      values.add(lower);
      values.add(upper);
    }
    return values.toArray();
  }

  /**
   * The query of one level after {@code key}: its first {@code level} columns equal, column
   * {@code level} after.
   */
  public BoundStatement level(int level, Object[] partition, Object[] key, Object lower, Object upper) {
    List<Object> values = new ArrayList<>(List.of(partition));
    for (int i = 0; i <= level; i++) {
      values.add(key[i]);
    }
    if (level == 0 && windowBounds) {
      values.add(ascending[0] ? upper : lower);
    }
    return levels.get(level).bind(values.toArray());
  }
}
