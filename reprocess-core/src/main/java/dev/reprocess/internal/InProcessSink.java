package dev.reprocess.internal;

import dev.reprocess.EventHandler;
import dev.reprocess.EventSink;
import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <p><b>Time limit.</b> With a {@code handlerTimeout}, the calls run on a {@link HandlerPool}
 * (the invocation path the Kafka worker shares, see there) measured on the given clock: a call
 * running past the limit has its stage completed exceptionally with a {@link
 * HandlerTimeoutException}, and its thread is interrupted and replaced.
 *
 * <p>Thread-safe. {@link #close()} lets queued and running handlers finish, waiting up to 30 s
 * (abandoned threads are not waited for), then interrupts them; closing twice is harmless; after
 * close, {@code deliver} returns a stage failed with {@link IllegalStateException}.
 */
public final class InProcessSink implements EventSink {

  private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final Call STOP = new Call(null);

  private final EventHandler handler;
  private final String name;
  private final HandlerPool pool;
  private final BlockingQueue<Call> queue = new LinkedBlockingQueue<>();
  private final AtomicBoolean closed = new AtomicBoolean();

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
    this.name = Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
    this.pool = new HandlerPool(name, threads, handlerTimeout, Ticker.of(Objects.requireNonNull(clock, "clock")),
        this::nextCall);
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
    pool.addThread();
    return call.result;
  }

  /** The number of pool threads, the most handler calls running at once. */
  public int threads() {
    return pool.size();
  }

  /** The time limit of one handler call, or {@code null} for none. */
  public Duration handlerTimeout() {
    return pool.limit();
  }

  @Override
  public String describe() {
    return "direct handler (" + threads() + " threads"
        + (handlerTimeout() != null ? ", handlerTimeout " + handlerTimeout() : "") + ")";
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (int i = 0; i < pool.size(); i++) {
      queue.add(STOP);
    }
    boolean interrupted = false;
    try {
      pool.awaitThreadsEnded(CLOSE_WAIT_NANOS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    pool.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** What a pool thread runs next: the next queued call, or the end of the thread at {@link #STOP}. */
  private HandlerPool.Work nextCall() throws InterruptedException {
    Call call = queue.take();
    return call == STOP ? null : thread -> run(thread, call);
  }

  private void run(HandlerPool.HandlerThread thread, Call call) {
    HandlerPool.Attempt attempt = thread.invoke(handler, call.event, call.result::completeExceptionally);
    if (attempt.timedOut()) {
      return;
    }
    if (attempt.failure() != null) {
      call.result.completeExceptionally(attempt.failure());
    } else {
      call.result.complete(attempt.outcome());
    }
  }

  /** One delivery. */
  private static final class Call {
    final ReprocessEvent event;
    final CompletableFuture<Outcome> result = new CompletableFuture<>();

    Call(ReprocessEvent event) {
      this.event = event;
    }
  }
}
