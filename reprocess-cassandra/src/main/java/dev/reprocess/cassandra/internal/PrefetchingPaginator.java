package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A paginator that reads one driver result page per {@link Page} and keeps reading ahead of its
 * caller: the driver's next page ({@link AsyncResultSet#fetchNextPage()}) is asked for as soon as
 * the page before it arrives (on the driver's thread) while fewer than {@value #AHEAD} pages wait
 * to be taken (asked for, arrived or not), or else as soon as the caller takes one of them (on the
 * caller's thread). So Cassandra goes on with a shard while the caller's thread waits for a CPU,
 * and the next page travels while the caller handles this one. A subclass turns rows into assets
 * and says what follows the last page of a query (another query, or the shard's end).
 *
 * <p>Exactness: the subclass's resume position advances only with the rows of a page that is
 * returned (or that is skipped whole because the row filter kept none of it), so the cursor of
 * every returned page is the position just after its last row. When a read fails (the driver's, or
 * the subclass's turning a page's rows into assets), the pages read ahead are dropped and the next
 * call starts a new query from that position: calling {@link #nextPage()} again after a {@link
 * dev.reprocess.RetriableException} reads the same page again.
 *
 * <p>Memory: the page handed to the caller, the driver page being read into the next one, and at
 * most {@value #AHEAD} driver pages ahead of it.
 *
 * <p>Not thread-safe: one thread at a time, as {@link Paginator} says; the reading ahead, on
 * whichever thread, touches only the driver's pages, never the subclass's position.
 */
public abstract class PrefetchingPaginator implements Paginator {
  /** Driver pages asked for and not taken yet, at most: the next page and the one after it. */
  static final int AHEAD = 2;

  private final Object lock = new Object();
  /** Pages asked for and not taken yet, oldest first. Guarded by {@link #lock}. */
  private final ArrayDeque<CompletableFuture<AsyncResultSet>> ahead = new ArrayDeque<>();
  /**
   * The page asked for last, taken or not, whose next page is not asked for yet; or null. Guarded
   * by {@link #lock}. Pages are slots of ours, completed from the driver's: no request to the driver
   * is made or cancelled under the lock (its callbacks may hold locks of its own, e.g. a request
   * throttler's); only {@link AsyncResultSet#hasMorePages()}, a getter, is read under it.
   */
  private CompletableFuture<AsyncResultSet> newest;
  private volatile boolean closed;
  private boolean finished;

  /** Starts a query from the current resume position. */
  protected abstract CompletionStage<AsyncResultSet> query();

  /**
   * Reads the rows of a result page into {@code out}, skipping those the row filter refuses, and
   * advances the resume position past them (including refused rows).
   *
   * @return when {@code page} is the last of its query ({@link AsyncResultSet#hasMorePages()}
   *     false): the query that goes on from the new position, or {@code null} when the shard ends.
   *     Ignored otherwise: this class asks for the query's next page itself
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
      CompletableFuture<AsyncResultSet> next;
      CompletableFuture<AsyncResultSet> queried = null;
      synchronized (lock) {
        if (ahead.isEmpty()) {
          queried = slot();
        }
        next = ahead.peekFirst();
      }
      if (queried != null) {
        forward(this::query, queried);
      }
      AsyncResultSet rs;
      try {
        rs = DriverErrors.await(next, what() + ": page read failed");
      } catch (RuntimeException e) {
        dropAhead(); // the next call queries again from the position
        throw e;
      }
      synchronized (lock) {
        ahead.pollFirst();
      }
      askAhead(); // one page fewer waits: the next one may be asked for now
      List<AssetRef> assets = new ArrayList<>(rs.remaining());
      CompletionStage<AsyncResultSet> then;
      try {
        then = read(rs, assets);
      } catch (RuntimeException | Error e) {
        dropAhead(); // the position did not move: the next call reads this page again
        throw e;
      }
      if (!rs.hasMorePages()) {
        if (then == null) {
          finished = true;
          return new Page(assets, cursor(true), true);
        }
        CompletableFuture<AsyncResultSet> slot;
        synchronized (lock) {
          slot = slot();
        }
        forward(() -> then, slot);
      }
      if (!assets.isEmpty()) {
        return new Page(assets, cursor(false), false);
      }
      // Every row of this page was filtered out (or the page was empty): read on, so that only
      // the last page is ever empty.
    }
  }

  /** A page asked for: it waits to be taken, and is the newest. Under {@link #lock}. */
  private CompletableFuture<AsyncResultSet> slot() {
    CompletableFuture<AsyncResultSet> slot = new CompletableFuture<>();
    ahead.addLast(slot);
    newest = slot;
    return slot;
  }

  /**
   * Asks the driver for a page and completes {@code slot} with it, or with the failure of asking;
   * then the page after it may be asked for. A cancelled slot cancels the driver's read. Not under
   * {@link #lock}.
   */
  private void forward(Supplier<CompletionStage<AsyncResultSet>> driverPage, CompletableFuture<AsyncResultSet> slot) {
    CompletableFuture<AsyncResultSet> page;
    try {
      page = driverPage.get().toCompletableFuture();
    } catch (RuntimeException | Error e) {
      slot.completeExceptionally(e); // the caller meets it where it waits for the page
      return;
    }
    page.whenComplete((rs, failure) -> {
      if (failure != null) {
        slot.completeExceptionally(failure);
      } else {
        slot.complete(rs);
      }
      askAhead();
    });
    slot.whenComplete((rs, failure) -> {
      if (slot.isCancelled()) {
        page.cancel(false);
      }
    });
  }

  /**
   * Asks for the driver's next page after the newest one when that has arrived, has a next page,
   * and fewer than {@value #AHEAD} pages wait to be taken. Any thread, not under {@link #lock}.
   */
  private void askAhead() {
    AsyncResultSet from;
    CompletableFuture<AsyncResultSet> slot;
    synchronized (lock) {
      CompletableFuture<AsyncResultSet> page = newest;
      if (closed || page == null || ahead.size() >= AHEAD || !page.isDone() || page.isCompletedExceptionally()) {
        return;
      }
      from = page.join();
      newest = null;
      if (!from.hasMorePages()) {
        return;
      }
      slot = slot();
    }
    forward(from::fetchNextPage, slot);
  }

  private void dropAhead() {
    List<CompletableFuture<AsyncResultSet>> dropped;
    synchronized (lock) {
      dropped = new ArrayList<>(ahead);
      ahead.clear();
      newest = null;
    }
    for (CompletableFuture<AsyncResultSet> page : dropped) {
      page.cancel(false);
    }
  }

  @Override
  public void close() {
    closed = true;
    dropAhead();
  }
}
