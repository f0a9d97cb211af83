package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Reads one {@code (assetType, bucket)} partition in keyset order over its timeuuid column.
 *
 * <p>One query per shard (and per resume): {@code WHERE type = ? AND bucket = ? AND id >= ? AND
 * id < ?}, paged by the driver, where the bounds are the window's edges for the first and last
 * bucket of the window; a bucket inside the window is read whole, {@code WHERE type = ? AND bucket
 * = ?}, with no bound on the id (Cassandra then answers a partition with only static content with
 * one row whose id is null, which is skipped). Resuming from a cursor (the last id
 * handed out) replaces the bound on the reading side: {@code id < cursor} newest first, {@code id
 * > cursor} oldest first. The driver pages the query, read ahead as {@link PrefetchingPaginator}
 * says; the cursor stays the last id of the last page returned. Why a single
 * statement rather than one {@code LIMIT} statement per page: see the module's README.
 */
public final class TimeBucketPaginator extends PrefetchingPaginator {
  private final CqlSession session;
  private final PreparedStatement wholePartition; // no bound on the id
  private final PreparedStatement fromInclusive; // ... id >= ? AND id < ?
  private final PreparedStatement afterExclusive; // ... id > ? AND id < ? (oldest first, resuming)
  private final boolean descending;
  private final String shardId;
  private final String assetType;
  private final Object bucket;
  private final UUID lower;
  private final UUID upper;
  private final int pageSize;
  private final RowSettings rows;
  private UUID position;

  public TimeBucketPaginator(
      CqlSession session,
      PreparedStatement wholePartition,
      PreparedStatement fromInclusive,
      PreparedStatement afterExclusive,
      boolean descending,
      String shardId,
      String assetType,
      Object bucket,
      UUID lower,
      UUID upper,
      UUID resumeAfter,
      int pageSize,
      RowSettings rows) {
    this.session = session;
    this.wholePartition = wholePartition;
    this.fromInclusive = fromInclusive;
    this.afterExclusive = afterExclusive;
    this.descending = descending;
    this.shardId = shardId;
    this.assetType = assetType;
    this.bucket = bucket;
    this.lower = lower;
    this.upper = upper;
    this.position = resumeAfter;
    this.pageSize = pageSize;
    this.rows = rows;
  }

  @Override
  protected CompletionStage<AsyncResultSet> query() {
    return session.executeAsync(after(position));
  }

  /** The statement for the rows after {@code last} ({@code null}: from the start of the shard). */
  private BoundStatement after(UUID last) {
    if (last == null) {
      if (lower.equals(Timeuuids.MIN) && upper.equals(Timeuuids.MAX)) {
        return rows.apply(wholePartition.bind(assetType, bucket), pageSize);
      }
      return bind(fromInclusive, lower, upper);
    }
    return descending ? bind(fromInclusive, lower, last) : bind(afterExclusive, last, upper);
  }

  private BoundStatement bind(PreparedStatement statement, UUID from, UUID to) {
    return rows.apply(statement.bind(assetType, bucket, from, to), pageSize);
  }

  @Override
  protected CompletionStage<AsyncResultSet> read(AsyncResultSet page, List<AssetRef> out) {
    UUID last = null;
    for (Row row : page.currentPage()) {
      ByteBuffer bytes = row.getBytesUnsafe(0);
      if (bytes == null) {
        // A partition with only static content: a read of the whole partition (no bound on the id)
        // answers it with one row whose id is null. It is no asset, and no position.
        continue;
      }
      UUID id = Timeuuids.decode(bytes);
      last = id;
      if (rows.keep(row)) {
        out.add(new AssetRef(id.toString(), assetType, Timeuuids.createdAt(id), rows.attributes(row)));
      }
    }
    if (last != null) {
      position = last;
    }
    return null; // the driver's next page follows, if there is one
  }

  @Override
  protected Cursor cursor(boolean last) {
    return position == null ? null : Cursor.of(position.toString());
  }

  @Override
  protected String what() {
    return "shard " + shardId;
  }
}
