package dev.reprocess.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks after a delay measured by a {@link Ticker}, on one thread of its own: the engine's
 * scheduler for retry backoff and rate-limited deliveries, so no handler thread sleeps.
 *
 * <p>With the system ticker it waits exactly until the next deadline. With any other ticker (a
 * test's fake clock) it re-reads the ticker at least every {@link #FAKE_CLOCK_POLL_NANOS}, so tasks
 * run soon after the test advances its clock, never because real time passed. Tasks run on the
 * timer thread and must be short (they hand work to a sink); an exception from a task is logged.
 *
 * <p>Thread-safe. {@link #abandonAll()} runs the abandon action of every pending task instead of
 * its task and makes later {@link #schedule} calls abandon at once (the engine uses it when a job
 * stops). {@link #close()} abandons what is pending and stops the thread; closing twice is harmless.
 */
public final class ClockTimer implements AutoCloseable {

  /** How often a non-system ticker is re-read while tasks are pending: 2 ms. */
  public static final long FAKE_CLOCK_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private static final Logger LOG = LoggerFactory.getLogger(ClockTimer.class);

  private final Ticker ticker;
  private final String logPrefix;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long sequence;
  private boolean abandoning;
  private boolean closed;

  public ClockTimer(Ticker ticker, String threadName, String logPrefix) {
    this(ticker, threadName, logPrefix, null);
  }

  /**
   * A timer whose thread is borrowed from {@code host} (named {@code threadName} while the timer
   * runs, given back once it is closed), or a thread of its own when {@code host} is null.
   */
  public ClockTimer(Ticker ticker, String threadName, String logPrefix, JobHost host) {
    this.ticker = ticker;
    this.logPrefix = logPrefix;
    if (host != null) {
      host.start(threadName, this::loop);
      return;
    }
    Thread thread = new Thread(this::loop, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Runs {@code task} once {@code delayNanos} have passed on the ticker, or {@code onAbandon}
   * instead if the timer is abandoned or closed first. A delay of 0 or less runs at the next tick.
   */
  public void schedule(long delayNanos, Runnable task, Runnable onAbandon) {
    scheduleAt(ticker.nanoTime() + Math.max(0, delayNanos), task, onAbandon);
  }

  /**
   * Runs {@code task} once the ticker reads {@code deadlineNanos} or later, or {@code onAbandon}
   * instead if the timer is abandoned or closed first. An absolute deadline does not drift when
   * the caller is descheduled between computing it and calling this method.
   */
  public void scheduleAt(long deadlineNanos, Runnable task, Runnable onAbandon) {
    lock.lock();
    try {
      if (!abandoning && !closed) {
        queue.add(new Task(deadlineNanos, sequence++, task, onAbandon));
        changed.signal();
        return;
      }
    } finally {
      lock.unlock();
    }
    runQuietly(onAbandon);
  }

  /**
   * Blocks the calling thread for {@code delayNanos} of ticker time.
   *
   * @return true if the time passed, false if the timer was abandoned or closed first
   */
  public boolean sleep(long delayNanos) throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(1);
    boolean[] passed = new boolean[1];
    schedule(delayNanos, () -> {
      passed[0] = true;
      latch.countDown();
    }, latch::countDown);
    latch.await();
    return passed[0];
  }

  /** Abandons every pending task, and every task scheduled from now on. */
  public void abandonAll() {
    List<Task> pending;
    lock.lock();
    try {
      abandoning = true;
      pending = new ArrayList<>(queue);
      queue.clear();
    } finally {
      lock.unlock();
    }
    for (Task t : pending) {
      runQuietly(t.onAbandon);
    }
  }

  /** The number of tasks waiting. */
  public int pending() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    abandonAll();
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    lock.lock();
    try {
      while (!closed) {
        Task head = queue.peek();
        if (head == null) {
          changed.await();
          continue;
        }
        long wait = head.deadline - ticker.nanoTime();
        if (wait <= 0) {
          queue.poll();
          lock.unlock();
          try {
            runQuietly(head.task);
          } finally {
            lock.lock();
          }
          continue;
        }
        changed.awaitNanos(ticker.isSystem() ? wait : Math.min(wait, FAKE_CLOCK_POLL_NANOS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  private void runQuietly(Runnable r) {
    try {
      r.run();
    } catch (Throwable t) {
      LOG.error("{}timer task failed: {}", logPrefix, t.toString(), t);
    }
  }

  private static final class Task implements Comparable<Task> {
    final long deadline;
    final long seq;
    final Runnable task;
    final Runnable onAbandon;

    Task(long deadline, long seq, Runnable task, Runnable onAbandon) {
      this.deadline = deadline;
      this.seq = seq;
      this.task = task;
      this.onAbandon = onAbandon;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(deadline - o.deadline, 0);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
