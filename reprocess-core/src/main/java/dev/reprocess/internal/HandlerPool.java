package dev.reprocess.internal;

import dev.reprocess.EventHandler;
import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The one path by which handler code is invoked, shared by the in-process sink and the Kafka
 * worker: a pool of handler threads, each taking work from a {@link WorkSource}, with a time limit
 * on every {@link HandlerThread#invoke handler call}.
 *
 * <p><b>Threads.</b> {@link #addThread()} starts one more thread until the pool has {@code size};
 * a thread runs what its source hands out until the source returns {@code null} or the pool
 * closes. Threads are daemon threads named {@code <threadNamePrefix>-<n>}; a pool made with a
 * {@link JobHost} borrows them (and its watchdog's) from the host instead, named so while they run
 * for the pool, and gives each back when it ends.
 *
 * <p><b>Time limit.</b> With a limit, a watchdog (one more thread, {@code
 * <threadNamePrefix>-watchdog}) looks at the running calls every {@code limit / 4} (at least 10 ms,
 * at most 1 s) of {@link Ticker} time. A call running past the limit is claimed by the watchdog:
 * its thread is interrupted and leaves the pool, a new thread takes its place (so the pool keeps
 * {@code size} working threads even if the handler ignores the interrupt), and the call's timeout
 * action receives a {@link HandlerTimeoutException}. The abandoned thread ends when the handler
 * returns, its result ignored; if it never returns it stays blocked (Java cannot stop a thread by
 * force), a daemon thread that does not keep the JVM alive.
 *
 * <p>Thread-safe. {@link #close()} stops the watchdog, interrupts the threads and makes them end
 * after their current work; closing twice is harmless.
 */
public final class HandlerPool implements AutoCloseable {

  /**
   * {@link HandlerThread#current}, written by its thread with release stores: the watchdog only
   * needs to see a call eventually (it looks again each tick), and {@link Call#claim()} decides
   * between the two. Two full fences per call fewer than volatile writes.
   */
  private static final VarHandle CURRENT;

  static {
    try {
      CURRENT = MethodHandles.lookup().findVarHandle(HandlerThread.class, "current", Call.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Hands work to the pool's threads. */
  @FunctionalInterface
  public interface WorkSource {
    /**
     * Called on a pool thread; may block. An interrupt while blocked is retried unless the pool
     * closed meanwhile.
     *
     * @return the next work, or {@code null} to end the calling thread
     */
    Work next() throws InterruptedException;
  }

  /** A piece of work run on a pool thread, which it may use to {@link HandlerThread#invoke invoke} a handler. */
  @FunctionalInterface
  public interface Work {
    void run(HandlerThread thread);
  }

  /**
   * The result of one handler call.
   *
   * @param outcome the handler's outcome ({@link Outcome#SUCCEEDED} for {@code null}); null when it
   *     threw or timed out
   * @param failure what the handler threw; null when it returned or timed out
   * @param timedOut true when the watchdog claimed the call: its timeout action already ran and
   *     the calling thread has left the pool, so the caller must return from its work at once
   */
  public record Attempt(Outcome outcome, Throwable failure, boolean timedOut) {
    static final Attempt TIMED_OUT = new Attempt(null, null, true);
    private static final Attempt SUCCEEDED = new Attempt(Outcome.SUCCEEDED, null, false);
    private static final Attempt SKIPPED = new Attempt(Outcome.SKIPPED, null, false);

    /** A call that returned {@code outcome} ({@code null}: succeeded). */
    static Attempt returned(Outcome outcome) {
      return outcome == Outcome.SKIPPED ? SKIPPED : SUCCEEDED;
    }
  }

  private final String threadNamePrefix;
  private final int size;
  private final Duration limit;
  private final long limitNanos;
  private final long watchdogTickNanos;
  private final Ticker ticker;
  private final WorkSource source;
  private final ClockTimer watchdog;
  /** Where threads are borrowed from; null: the pool starts its own. */
  private final JobHost host;
  /** Live threads of the pool; abandoned ones excluded. */
  private final Set<HandlerThread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger added = new AtomicInteger();
  private final AtomicInteger threadNumber = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object exitLock = new Object();

  /**
   * A pool; no thread starts before {@link #addThread()}.
   *
   * @param threadNamePrefix prefix of the thread names
   * @param size the most threads working at once, at least 1
   * @param limit the time limit of one handler call, positive; {@code null} for none
   * @param ticker measures the limit (a fake ticker makes calls time out when it moves)
   * @param source what the threads run
   * @throws IllegalArgumentException if {@code size} is below 1 or {@code limit} is not positive
   */
  public HandlerPool(String threadNamePrefix, int size, Duration limit, Ticker ticker, WorkSource source) {
    this(threadNamePrefix, size, limit, ticker, source, null);
  }

  /**
   * A pool whose threads, and its watchdog's, are borrowed from {@code host}; no thread starts
   * before {@link #addThread()}.
   *
   * @param host the threads' host; {@code null}: the pool starts threads of its own
   * @throws IllegalArgumentException as {@link #HandlerPool(String, int, Duration, Ticker, WorkSource)}
   */
  public HandlerPool(String threadNamePrefix, int size, Duration limit, Ticker ticker, WorkSource source,
      JobHost host) {
    this.host = host;
    if (size < 1) {
      throw new IllegalArgumentException("threads is " + size + ": it must be at least 1");
    }
    if (limit != null && (limit.isZero() || limit.isNegative())) {
      throw new IllegalArgumentException(
          "handlerTimeout is " + limit + ": it must be positive, or null for no limit");
    }
    this.threadNamePrefix = Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
    this.size = size;
    this.limit = limit;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.source = Objects.requireNonNull(source, "source");
    if (limit != null) {
      this.limitNanos = saturatedNanos(limit);
      this.watchdogTickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
          Math.min(TimeUnit.SECONDS.toNanos(1), limitNanos / 4));
      this.watchdog = new ClockTimer(ticker, threadNamePrefix + "-watchdog", threadNamePrefix + ": ", host);
      watchdog.schedule(watchdogTickNanos, this::timeOutOverdueCalls, () -> {});
    } else {
      this.limitNanos = Long.MAX_VALUE;
      this.watchdogTickNanos = 0;
      this.watchdog = null;
    }
  }

  /** Starts one more thread unless {@code size} were added already; true if it did. */
  public boolean addThread() {
    if (added.get() < size && added.incrementAndGet() <= size) {
      startThread();
      return true;
    }
    return false;
  }

  /** The most threads working at once. */
  public int size() {
    return size;
  }

  /** The time limit of one call, or {@code null} for none. */
  public Duration limit() {
    return limit;
  }

  /**
   * Waits until every thread of the pool ended (abandoned threads are not waited for).
   *
   * @param timeoutNanos the longest wait, in real time
   * @return true if they all ended
   */
  public boolean awaitThreadsEnded(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (exitLock) {
      while (!threads.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(exitLock, left);
      }
    }
    return true;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (HandlerThread t : threads) {
      t.interrupt();
    }
    if (watchdog != null) {
      watchdog.close();
    }
  }

  private void startThread() {
    String name = threadNamePrefix + "-" + threadNumber.incrementAndGet();
    HandlerThread t = new HandlerThread();
    threads.add(t);
    if (host != null) {
      host.start(name, t);
    } else {
      Thread thread = new Thread(t, name);
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void left(HandlerThread t) {
    synchronized (exitLock) {
      threads.remove(t);
      exitLock.notifyAll();
    }
  }

  /** The watchdog's periodic task. */
  private void timeOutOverdueCalls() {
    long now = ticker.nanoTime();
    for (HandlerThread t : threads) {
      Call call = t.current;
      if (call != null && now - call.startNanos > limitNanos && call.claim()) {
        t.abandoned = true;
        left(t);
        t.interrupt();
        if (!closed.get()) {
          startThread();
        }
        ReprocessEvent e = call.event;
        call.onTimeout.accept(new HandlerTimeoutException("job '" + e.jobName() + "': handler ran past its time limit of "
            + limit + " on event " + e.eventId() + " (asset " + e.assetId() + ", shard " + e.shardId() + ", attempt "
            + e.attempt() + "); its thread " + t.name() + " was interrupted and replaced"));
      }
    }
    // Also while closing: a hung call must still time out. Once the watchdog is closed this is a no-op.
    watchdog.schedule(watchdogTickNanos, this::timeOutOverdueCalls, () -> {});
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** One handler call: finished once, by its thread or by the watchdog, whichever claims it. */
  private static final class Call {
    private static final VarHandle CLAIMED;

    static {
      try {
        CLAIMED = MethodHandles.lookup().findVarHandle(Call.class, "claimed", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final ReprocessEvent event;
    final Consumer<HandlerTimeoutException> onTimeout;
    final long startNanos;
    /** 0 until claimed, then 1. */
    @SuppressWarnings("unused") // through CLAIMED
    private volatile int claimed;

    Call(ReprocessEvent event, Consumer<HandlerTimeoutException> onTimeout, long startNanos) {
      this.event = event;
      this.onTimeout = onTimeout;
      this.startNanos = startNanos;
    }

    boolean claim() {
      return CLAIMED.compareAndSet(this, 0, 1);
    }
  }

  /** A thread of the pool, handed to the work it runs. */
  public final class HandlerThread implements Runnable {
    /**
     * The thread while it runs {@link #run()}, null before and after: a borrowed thread goes on to
     * other work, which an interrupt meant for this one must not reach. Guarded by this object.
     */
    private Thread thread;
    /** The thread's name while it runs for the pool, for messages. */
    private volatile String name = "(not started)";
    /** The call in progress, or null; read by the watchdog, written through {@link #CURRENT}. */
    private volatile Call current;
    private volatile boolean abandoned;

    private HandlerThread() {}

    /**
     * Interrupts the thread if it is within {@link #run()}; one that starts later sees the pool
     * closed or itself abandoned before it takes work.
     */
    private synchronized void interrupt() {
      if (thread != null) {
        thread.interrupt();
      }
    }

    private String name() {
      return name;
    }

    /**
     * Calls the handler on this thread under the pool's time limit, with the event's {@link
     * dev.reprocess.MdcKeys} in the thread's MDC for the call (the event key removed after it, the
     * job and shard keys kept until the next call: {@link HandlerMdc}). When
     * the watchdog times the call out first, {@code onTimeout} runs on the watchdog's thread and the result says {@link
     * Attempt#timedOut()}.
     */
    public Attempt invoke(EventHandler handler, ReprocessEvent event, Consumer<HandlerTimeoutException> onTimeout) {
      return invoke(handler, event, ticker.nanoTime(), onTimeout);
    }

    /**
     * {@link #invoke(EventHandler, ReprocessEvent, Consumer)} with the call's start given: a
     * reading of this pool's ticker taken on this thread just before (one clock read fewer per
     * call), from which the time limit counts.
     */
    public Attempt invoke(EventHandler handler, ReprocessEvent event, long startNanos,
        Consumer<HandlerTimeoutException> onTimeout) {
      Call call = new Call(event, onTimeout, startNanos);
      CURRENT.setRelease(this, call);
      Outcome outcome = null;
      Throwable failure = null;
      try (HandlerMdc mdc = HandlerMdc.open(event)) {
        outcome = handler.handle(event);
      } catch (Throwable t) {
        failure = t;
      }
      CURRENT.setRelease(this, (Call) null);
      if (!call.claim()) {
        return Attempt.TIMED_OUT;
      }
      Thread.interrupted(); // An interrupt meant for this call must not reach the next one.
      return failure != null ? new Attempt(null, failure, false) : Attempt.returned(outcome);
    }

    @Override
    public void run() {
      synchronized (this) {
        thread = Thread.currentThread();
      }
      name = Thread.currentThread().getName();
      try {
        while (!abandoned && !closed.get()) {
          Work work;
          try {
            work = source.next();
          } catch (InterruptedException e) {
            continue;
          }
          if (work == null) {
            return;
          }
          work.run(this);
        }
      } finally {
        synchronized (this) {
          thread = null;
        }
        left(this);
      }
    }
  }
}
