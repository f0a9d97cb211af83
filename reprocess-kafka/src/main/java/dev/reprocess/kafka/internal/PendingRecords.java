package dev.reprocess.kafka.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The count of records read and not yet final, which bounds what the poll thread reads: every
 * partition pauses at {@code maxPendingRecords} and resumes at three quarters of it. Records become
 * final through {@link #finish}, on any thread, which wakes the poll thread when it waits for
 * capacity.
 */
final class PendingRecords {
  private final int maxPendingRecords;
  private final long resumeThreshold;
  private final AtomicLong pending = new AtomicLong();
  private volatile boolean pollWaiting;
  private volatile Thread pollThread;
  /** Poll thread only. */
  private boolean capacityPaused;

  PendingRecords(int maxPendingRecords) {
    this.maxPendingRecords = maxPendingRecords;
    this.resumeThreshold = Math.max(1, (long) maxPendingRecords * 3 / 4);
  }

  void setPollThread(Thread pollThread) {
    this.pollThread = pollThread;
  }

  long count() {
    return pending.get();
  }

  void added() {
    pending.incrementAndGet();
  }

  /** Poll thread: whether every partition should pause now (with hysteresis). */
  boolean pauseForCapacity() {
    long count = pending.get();
    if (count >= maxPendingRecords) {
      capacityPaused = true;
    } else if (count <= resumeThreshold) {
      capacityPaused = false;
    }
    return capacityPaused;
  }

  /** Poll thread, with every partition paused: waits a little, or until {@link #finish} frees capacity. */
  void waitForCapacity(long maxWaitNanos) {
    pollWaiting = true;
    try {
      if (capacityPaused && pending.get() <= resumeThreshold) {
        return;
      }
      LockSupport.parkNanos(Math.min(maxWaitNanos, TimeUnit.MILLISECONDS.toNanos(20)));
    } finally {
      pollWaiting = false;
    }
  }

  /** Moves the item to a terminal state once; returns false if it already was terminal. */
  boolean finish(WorkItem item, int terminalState) {
    int state;
    while ((state = item.state.get()) < WorkItem.DONE) {
      if (item.state.compareAndSet(state, terminalState)) {
        long left = pending.decrementAndGet();
        if (pollWaiting && left <= resumeThreshold) {
          Thread t = pollThread;
          if (t != null) {
            LockSupport.unpark(t);
          }
        }
        return true;
      }
    }
    return false;
  }
}
