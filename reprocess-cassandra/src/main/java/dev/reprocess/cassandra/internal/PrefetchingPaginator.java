package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A paginator that reads one result page per {@link Page} and starts reading the next one before
 * it returns the current one, so that the next page travels while the caller handles this one. A
 * subclass says how the next page is asked for (both current ones use the driver's paging, {@link
 * AsyncResultSet#fetchNextPage()}).
 *
 * <p>Exactness: the subclass's resume position advances only with the rows of a page that is
 * returned (or that is skipped whole because the row filter kept none of it), so the cursor of
 * every returned page is the position just after its last row. When a read fails, the query in
 * flight is dropped and the next call starts a new query from that position: calling {@link
 * #nextPage()} again after a {@link dev.reprocess.RetriableException} reads the same page again.
 *
 * <p>Not thread-safe: one thread at a time, as {@link Paginator} says.
 */
public abstract class PrefetchingPaginator implements Paginator {
  private CompletionStage<AsyncResultSet> pending;
  private boolean finished;
  private boolean closed;

  /** Starts a query from the current resume position. */
  protected abstract CompletionStage<AsyncResultSet> query();

  /**
   * Reads the rows of a result page into {@code out}, skipping those the row filter refuses, and
   * advances the resume position past them (including refused rows).
   *
   * @return the read of the next page, started as early as possible (before converting rows), or
   *     {@code null} when this page is the shard's last
   */
  protected abstract CompletionStage<AsyncResultSet> read(AsyncResultSet page, List<AssetRef> out);

  /**
   * The cursor for the current resume position, or {@code null} if nothing was read yet.
   *
   * @param last whether the shard has no more rows
   */
  protected abstract Cursor cursor(boolean last);

  /** What is read, for error messages, e.g. {@code shard image/png#2024-06-01}. */
  protected abstract String what();

  /** True when the resume position is already past the end of the shard. Default false. */
  protected boolean exhausted() {
    return false;
  }

  @Override
  public final Page nextPage() {
    if (closed) {
      throw new IllegalStateException(what() + ": the paginator is closed");
    }
    if (finished || exhausted()) {
      finished = true;
      return new Page(List.of(), cursor(true), true);
    }
    while (true) {
      if (pending == null) {
        pending = query();
      }
      AsyncResultSet rs;
      try {
        rs = DriverErrors.await(pending, what() + ": page read failed");
      } finally {
        pending = null;
      }
      List<AssetRef> assets = new ArrayList<>(rs.remaining());
      pending = read(rs, assets);
      if (pending == null) {
        finished = true;
        return new Page(assets, cursor(true), true);
      }
      if (!assets.isEmpty()) {
        return new Page(assets, cursor(false), false);
      }
      // Every row of this page was filtered out (or the page was empty): read on, so that only
      // the last page is ever empty.
    }
  }

  @Override
  public void close() {
    closed = true;
    if (pending != null) {
      pending.toCompletableFuture().cancel(false);
      pending = null;
    }
  }
}
