package dev.reprocess.internal;

import dev.reprocess.Page;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** One page's events in flight: settled when every dispatched event is final or abandoned. */
final class PageWork {
  final Page page;
  final long pageNo;
  /** 1 for the dispatcher until {@link #seal()}, plus 1 per event not settled yet. */
  private final AtomicInteger pending = new AtomicInteger(1);
  final AtomicLong succeeded = new AtomicLong();
  final AtomicLong skipped = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  /** Set when an event of the page was given up (a stop, a failure): the page is not final. */
  final AtomicBoolean abandoned = new AtomicBoolean();
  final CompletableFuture<Void> done = new CompletableFuture<>();
  /**
   * Completed once every dispatched event of the page was started or abandoned, or claimed by a
   * sink thread that starts it next: no event of the page waits in a sink's queue any more.
   */
  final CompletableFuture<Void> started = new CompletableFuture<>();
  /** False when the reader stopped before dispatching every asset of the page. */
  volatile boolean fullyDispatched = true;
  /**
   * Whether the per-event TRACE lines of this page's events are logged: the engine logger's level
   * when the page was read, asked once per page rather than twice per event.
   */
  final boolean traceEvents;

  PageWork(Page page, long pageNo) {
    this.page = page;
    this.pageNo = pageNo;
    this.traceEvents = RunContext.LOG.isTraceEnabled();
  }

  /** Counts {@code n} more events of this page in flight. */
  void eventsDispatched(int n) {
    pending.addAndGet(n);
  }

  /** The dispatcher is done with the page: it settles once its events have. */
  void seal() {
    settleOne();
  }

  void settleOne() {
    settle(1);
  }

  /** {@code n} more events of the page are final or abandoned. */
  void settle(int n) {
    if (pending.addAndGet(-n) == 0) {
      done.complete(null);
    }
  }

  /** Whether every event of the page was dispatched and reached a final outcome. */
  boolean isFinal() {
    return fullyDispatched && !abandoned.get();
  }
}
