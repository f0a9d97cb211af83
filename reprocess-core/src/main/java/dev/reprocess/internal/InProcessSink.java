package dev.reprocess.internal;

import dev.reprocess.EventHandler;
import dev.reprocess.EventSink;
import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The direct, in-process {@link EventSink}: runs an {@link EventHandler} on a bounded pool of its
 * own threads and completes each delivery with the handler's outcome. A job built with {@link
 * ReprocessJob.Builder#handler(EventHandler)} creates one per execution, sized to the job's
 * concurrency, with the job's {@code handlerTimeout} and clock, and closes it at the end.
 *
 * <p>{@link #deliver} never blocks: it queues the event for the pool. The queue is unbounded; the
 * job keeps it short by never having more than its concurrency in flight. Threads start on demand,
 * one per delivery until the pool has {@code threads} of them, live until {@link #close()}, and
 * are daemon threads. A handler
 * returning {@code null} counts as {@link Outcome#SUCCEEDED}; whatever it throws completes the stage
 * exceptionally with that exception, unwrapped.
 *
 * <p><b>Time limit.</b> With a {@code handlerTimeout}, a watchdog (one more thread, {@code
 * <threadNamePrefix>-watchdog}) looks at the running calls every {@code handlerTimeout / 4}
 * (at least 10 ms, at most 1 s, measured on the given clock). A call running past the limit has
 * its stage completed exceptionally with a {@link HandlerTimeoutException}; its thread is
 * interrupted and leaves the pool, and a new thread takes its place, so the pool keeps {@code
 * threads} working threads even if the handler ignores the interrupt. The abandoned thread ends
 * when the handler returns, its result ignored; if it never returns, it stays blocked (a daemon
 * thread that does not keep the JVM alive): Java cannot stop a thread by force. Same behaviour as
 * the Kafka worker's {@code handlerTimeout}.
 *
 * <p>Thread-safe. {@link #close()} lets queued and running handlers finish, waiting up to 30 s
 * (abandoned threads are not waited for), then interrupts them; closing twice is harmless; after
 * close, {@code deliver} returns a stage failed with {@link IllegalStateException}.
 */
public final class InProcessSink implements EventSink {

  private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final Call STOP = new Call(null);

  private final EventHandler handler;
  private final int threads;
  private final String name;
  private final Duration handlerTimeout;
  private final Ticker ticker;
  private final ClockTimer watchdog;
  private final long timeoutNanos;
  private final long tickNanos;
  private final BlockingQueue<Call> queue = new LinkedBlockingQueue<>();
  /** Threads of the pool, abandoned ones excluded. */
  private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger threadNo = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object exitLock = new Object();

  /**
   * A direct sink without a time limit on handler calls.
   *
   * @param handler the host's handler
   * @param threads the pool size, at least 1: the most handler calls running at once
   * @param threadNamePrefix prefix of the pool's thread names, e.g. {@code reprocess-backfill-handler}
   * @throws IllegalArgumentException if {@code threads} is below 1
   */
  public InProcessSink(EventHandler handler, int threads, String threadNamePrefix) {
    this(handler, threads, threadNamePrefix, null, Clock.systemUTC());
  }

  /**
   * A direct sink with a time limit on each handler call (see the class comment).
   *
   * @param handler the host's handler
   * @param threads the pool size, at least 1: the most handler calls running at once
   * @param threadNamePrefix prefix of the pool's thread names, e.g. {@code reprocess-backfill-handler}
   * @param handlerTimeout the time limit of one handler call, positive; {@code null} for none
   * @param clock the clock measuring the limit (a test's fake clock makes calls time out when it
   *     advances, not in real time)
   * @throws IllegalArgumentException if {@code threads} is below 1 or {@code handlerTimeout} is zero
   *     or negative
   */
  public InProcessSink(EventHandler handler, int threads, String threadNamePrefix,
      Duration handlerTimeout, Clock clock) {
    this.handler = Objects.requireNonNull(handler, "handler");
    if (threads < 1) {
      throw new IllegalArgumentException("threads is " + threads + ": it must be at least 1");
    }
    if (handlerTimeout != null && (handlerTimeout.isZero() || handlerTimeout.isNegative())) {
      throw new IllegalArgumentException(
          "handlerTimeout is " + handlerTimeout + ": it must be positive, or null for no limit");
    }
    this.threads = threads;
    this.name = Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
    this.handlerTimeout = handlerTimeout;
    this.ticker = Ticker.of(Objects.requireNonNull(clock, "clock"));
    if (handlerTimeout != null) {
      this.timeoutNanos = saturatedNanos(handlerTimeout);
      this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
          Math.min(TimeUnit.SECONDS.toNanos(1), timeoutNanos / 4));
      this.watchdog = new ClockTimer(ticker, name + "-watchdog", name + ": ");
      watchdog.schedule(tickNanos, this::scan, () -> {});
    } else {
      this.timeoutNanos = Long.MAX_VALUE;
      this.tickNanos = 0;
      this.watchdog = null;
    }
  }

  @Override
  public CompletionStage<Outcome> deliver(ReprocessEvent event) {
    Call call = new Call(event);
    if (closed.get()) {
      call.result.completeExceptionally(new IllegalStateException("direct sink " + name + " is closed"));
      return call.result;
    }
    queue.add(call);
    if (closed.get() && queue.remove(call)) {
      // Closed meanwhile: no thread may be left to take it.
      call.result.completeExceptionally(new IllegalStateException("direct sink " + name + " is closed"));
      return call.result;
    }
    if (started.get() < threads && started.incrementAndGet() <= threads) {
      startWorker();
    }
    return call.result;
  }

  /** The number of pool threads, the most handler calls running at once. */
  public int threads() {
    return threads;
  }

  /** The time limit of one handler call, or {@code null} for none. */
  public Duration handlerTimeout() {
    return handlerTimeout;
  }

  @Override
  public String describe() {
    return "direct handler (" + threads + " threads"
        + (handlerTimeout != null ? ", handlerTimeout " + handlerTimeout : "") + ")";
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (int i = 0; i < threads; i++) {
      queue.add(STOP);
    }
    long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
    boolean interrupted = false;
    synchronized (exitLock) {
      while (!workers.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(exitLock, left);
        } catch (InterruptedException e) {
          interrupted = true;
          break;
        }
      }
    }
    for (Worker w : workers) {
      w.thread.interrupt();
    }
    if (watchdog != null) {
      watchdog.close();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void startWorker() {
    Worker w = new Worker();
    workers.add(w);
    w.thread.start();
  }

  private void exited(Worker w) {
    synchronized (exitLock) {
      workers.remove(w);
      exitLock.notifyAll();
    }
  }

  /** The watchdog's periodic task: times out the calls running past the limit. */
  private void scan() {
    long now = ticker.nanoTime();
    for (Worker w : workers) {
      Call call = w.current;
      if (call != null && now - call.startNanos > timeoutNanos && call.claim()) {
        String thread = w.thread.getName();
        call.result.completeExceptionally(new HandlerTimeoutException("handler ran past its time "
            + "limit of " + handlerTimeout + " on asset " + call.event.assetId() + " (shard "
            + call.event.shardId() + ", attempt " + call.event.attempt() + "); its thread " + thread
            + " was interrupted and replaced"));
        exited(w);
        w.thread.interrupt();
        if (!closed.get() || !queue.isEmpty()) {
          startWorker();
        }
      }
    }
    // Also while closing: close() waits for running calls, and a hung one must still time out.
    // Once the watchdog is closed, this schedule is a no-op.
    watchdog.schedule(tickNanos, this::scan, () -> {});
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** One delivery: completed once, by its worker or by the watchdog, whichever claims it. */
  private static final class Call {
    final ReprocessEvent event;
    final CompletableFuture<Outcome> result = new CompletableFuture<>();
    final AtomicBoolean claimed = new AtomicBoolean();
    volatile long startNanos;

    Call(ReprocessEvent event) {
      this.event = event;
    }

    boolean claim() {
      return claimed.compareAndSet(false, true);
    }
  }

  private final class Worker implements Runnable {
    final Thread thread;
    volatile Call current;

    Worker() {
      thread = new Thread(this, name + "-" + threadNo.incrementAndGet());
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      try {
        while (true) {
          Call call;
          try {
            call = queue.take();
          } catch (InterruptedException e) {
            if (closed.get()) {
              return;
            }
            continue;
          }
          if (call == STOP) {
            return;
          }
          call.startNanos = ticker.nanoTime();
          current = call;
          Outcome outcome = null;
          Throwable failure = null;
          try {
            outcome = handler.handle(call.event);
          } catch (Throwable t) {
            failure = t;
          }
          current = null;
          if (!call.claim()) {
            return; // The watchdog timed this call out and replaced this thread.
          }
          Thread.interrupted(); // An interrupt meant for this call must not reach the next one.
          if (failure != null) {
            call.result.completeExceptionally(failure);
          } else {
            call.result.complete(outcome == null ? Outcome.SUCCEEDED : outcome);
          }
        }
      } finally {
        exited(this);
      }
    }
  }
}
