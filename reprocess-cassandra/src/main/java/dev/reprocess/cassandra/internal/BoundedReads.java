package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.reprocess.ReprocessException;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * Runs many read statements asynchronously, a bounded number in flight, reading every page of each,
 * and hands each row to a consumer with the index of its statement. Used where a selector reads many
 * small results at once (probes of candidate partitions, token-range scans of partition keys). The
 * first failure stops new statements from starting and is thrown, translated by {@link
 * DriverErrors}, once the statements in flight have ended. Stateless.
 */
final class BoundedReads {
  private BoundedReads() {}

  /**
   * Runs the statements and waits for all of them.
   *
   * @param onRow called with the statement's index and one of its rows, from the driver's threads,
   *     concurrently: it must be thread-safe and quick
   * @param what starts the message of a failure, e.g. {@code partition discovery (PROBE) of ks.t}
   * @throws ReprocessException or a {@link dev.reprocess.RetriableException} if a read failed
   */
  static void run(CqlSession session, List<? extends Statement<?>> statements, int maxInFlight,
      BiConsumer<Integer, Row> onRow, String what) {
    Semaphore slots = new Semaphore(maxInFlight);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try {
      for (int i = 0; i < statements.size() && failure.get() == null; i++) {
        slots.acquire();
        int index = i;
        session.executeAsync(statements.get(i)).whenComplete((rs, error) -> onPage(index, rs, error, slots, failure, onRow));
      }
      slots.acquire(maxInFlight);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReprocessException(what + ": interrupted", e);
    }
    Throwable t = failure.get();
    if (t != null) {
      throw DriverErrors.translate(what, t);
    }
  }

  private static void onPage(int index, AsyncResultSet rs, Throwable error, Semaphore slots,
      AtomicReference<Throwable> failure, BiConsumer<Integer, Row> onRow) {
    try {
      if (error != null) {
        failure.compareAndSet(null, error);
        slots.release();
        return;
      }
      for (Row row : rs.currentPage()) {
        onRow.accept(index, row);
      }
      if (rs.hasMorePages() && failure.get() == null) {
        rs.fetchNextPage().whenComplete((next, e) -> onPage(index, next, e, slots, failure, onRow));
      } else {
        slots.release();
      }
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
      slots.release();
    }
  }
}
