package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.token.Token;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Reads the rows of one token range, {@code token(pk) > start AND token(pk) <= end} (no upper
 * bound for the range that ends the ring), paged by the driver. The cursor is the range's bounds
 * and the driver's paging state after the last page returned ({@link TokenRangeCursor}).
 */
public final class TokenRangePaginator extends PrefetchingPaginator {
  private final CqlSession session;
  private final PreparedStatement statement;
  private final String shardId;
  private final Token start;
  private final Token end;
  private final String startText;
  private final String endText;
  private final boolean uuidIds;
  private final boolean timeuuidIds;
  private final boolean withType;
  private final int pageSize;
  private final RowSettings rows;
  private ByteBuffer pagingState;
  private boolean atEnd;
  private boolean readAny;

  public TokenRangePaginator(
      CqlSession session,
      PreparedStatement statement,
      String shardId,
      Token start,
      Token end,
      String startText,
      String endText,
      boolean uuidIds,
      boolean timeuuidIds,
      boolean withType,
      TokenRangeCursor resume,
      int pageSize,
      RowSettings rows) {
    this.session = session;
    this.statement = statement;
    this.shardId = shardId;
    this.start = start;
    this.end = end;
    this.startText = startText;
    this.endText = endText;
    this.uuidIds = uuidIds;
    this.timeuuidIds = timeuuidIds;
    this.withType = withType;
    this.pageSize = pageSize;
    this.rows = rows;
    if (resume != null) {
      this.readAny = true;
      this.atEnd = resume.atEnd();
      this.pagingState = resume.pagingState();
    }
  }

  @Override
  protected CompletionStage<AsyncResultSet> query() {
    BoundStatement s = statement.bind().setToken(0, start);
    if (end != null) {
      s = s.setToken(1, end);
    }
    s = rows.apply(s, pageSize);
    if (pagingState != null) {
      s = s.setPagingState(pagingState);
    }
    return session.executeAsync(s);
  }

  @Override
  protected CompletionStage<AsyncResultSet> read(AsyncResultSet page, List<AssetRef> out) {
    for (Row row : page.currentPage()) {
      if (row.isNull(0) || !rows.keep(row)) {
        // a null id: a partition with only static content (its clustering columns are null) or a
        // regular id column left unset; no asset
        continue;
      }
      String id;
      Instant createdAt = null;
      if (uuidIds) {
        UUID uuid = Timeuuids.decode(row.getBytesUnsafe(0));
        id = uuid.toString();
        if (timeuuidIds) {
          createdAt = Timeuuids.createdAt(uuid);
        }
      } else {
        id = String.valueOf(row.getObject(0));
      }
      out.add(new AssetRef(id, withType ? row.getString(1) : null, createdAt, rows.attributes(row)));
    }
    readAny = true;
    ByteBuffer nextState = page.getExecutionInfo().getPagingState();
    if (nextState == null) {
      atEnd = true;
      pagingState = null;
    } else {
      pagingState = nextState;
    }
    return null; // the driver's next page follows, if there is one
  }

  @Override
  protected boolean exhausted() {
    return atEnd;
  }

  @Override
  protected Cursor cursor(boolean last) {
    if (!readAny) {
      return null;
    }
    return Cursor.of(new TokenRangeCursor(startText, endText, atEnd ? null : pagingState).value());
  }

  @Override
  protected String what() {
    return "shard " + shardId;
  }
}
