package dev.reprocess.internal;

import dev.reprocess.BatchResult;
import dev.reprocess.EventHandler;
import dev.reprocess.EventSink;
import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * <p><b>Two lanes.</b> The job hands it whole pages ({@link #deliverSlice}): one queue entry each,
 * taken by the <i>main</i> lane's threads ({@code <threadNamePrefix>-<n>}), which pull the page's
 * events one at a time, each taking its concurrency permit just before its handler call (waiting
 * while the job's limit is reached); while a page has events no thread took, it stays in the queue
 * for any thread that becomes free, so a slow or hung event holds only its own thread. A delivery
 * that holds its permit already (a retry after its backoff, an event the rate limit held back, and
 * {@link #deliver}) runs on the <i>deferred</i> lane ({@code <threadNamePrefix>-deferred-<n>},
 * threads started on first use), so it never waits behind main threads that wait for the permits
 * it holds. Each lane has at most {@code threads} threads; handler calls at once are bounded by
 * the job's permits. Queues are unbounded; the job bounds them (pages in flight per shard, events
 * in flight). Threads start on demand (a task queued while no thread waits for one starts one),
 * live until {@link #close()}, and are daemon threads; a sink made while a job starts on a {@link
 * JobHost} (see {@link JobHost#starting}) borrows them from the host. A handler returning {@code null} counts as
 * {@link Outcome#SUCCEEDED}; whatever it throws fails the delivery with that exception, unwrapped.
 *
 * <p><b>Time limit.</b> With a {@code handlerTimeout}, the calls run on {@link HandlerPool}s (the
 * invocation path the Kafka worker shares, see there) measured on the given clock: a call running
 * past the limit fails with a {@link HandlerTimeoutException}, and its thread is interrupted and
 * replaced.
 *
 * <p>Thread-safe. {@link #close()} lets queued and running handlers finish, waiting up to 30 s per
 * lane (abandoned threads are not waited for), then interrupts them; closing twice is harmless;
 * after close, {@code deliver} returns a stage failed with {@link IllegalStateException}, and a
 * slice's events are abandoned.
 */
public final class InProcessSink implements EventSink, SliceSink {

  private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final Task STOP = thread -> {};

  private final EventHandler handler;
  /** The batch handler when {@link #handler} is one, else null. */
  private final BatchHandler batch;
  private final String name;
  /** Slices with events not claimed yet, oldest first: the main lane's threads claim from the head. */
  private final Queue<QueuedSlice> slices = new ConcurrentLinkedQueue<>();
  /** Wakes a main-lane thread to claim events: queued once per slice, and again while events are unclaimed. */
  private final Task pull = this::pull;
  /** Main-lane threads in {@link #pull} and not in a handler call: those that claim the next event. */
  private final AtomicInteger claimers = new AtomicInteger();
  private final Lane main;
  private final Lane deferred;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * A direct sink without a time limit on handler calls.
   *
   * @param handler the host's handler
   * @param threads threads per lane, at least 1 (the job's concurrency)
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
   * @param threads threads per lane, at least 1 (the job's concurrency)
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
    this.batch = handler instanceof BatchHandler b && b.maxBatchSize() > 1 ? b : null;
    this.name = Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
    Ticker ticker = Ticker.of(Objects.requireNonNull(clock, "clock"));
    JobHost host = JobHost.current(); // a job started on a host: its handler threads are borrowed too
    this.main = new Lane(name, threads, handlerTimeout, ticker, host);
    this.deferred = new Lane(name + "-deferred", threads, handlerTimeout, ticker, host);
  }

  @Override
  public CompletionStage<Outcome> deliver(ReprocessEvent event) {
    Call call = new Call(event);
    deferred.enqueue(call, () -> call.result.completeExceptionally(closedFailure()));
    return call.result;
  }

  @Override
  public void deliverSlice(Slice slice) {
    if (slice.size() == 0) {
      return;
    }
    slices.add(new QueuedSlice(slice));
    if (claimers.get() == 0) { // a thread claiming takes this slice's events after the ones before
      main.enqueue(pull, this::abandonUnclaimed);
    }
  }

  @Override
  public void deliverStarted(Delivery delivery) {
    deferred.enqueue(thread -> runStarted(thread, delivery),
        () -> delivery.completed(null, closedFailure()));
  }

  private void runStarted(HandlerPool.HandlerThread thread, Delivery delivery) {
    HandlerPool.Attempt attempt = thread.invoke(handler, delivery.event(), timeout -> delivery.completed(null, timeout));
    if (!attempt.timedOut()) {
      delivery.completed(attempt.outcome(), attempt.failure());
    }
  }

  private IllegalStateException closedFailure() {
    return new IllegalStateException("direct sink " + name + " is closed");
  }

  /** Threads per lane, at least 1. */
  public int threads() {
    return main.pool.size();
  }

  /** The time limit of one handler call, or {@code null} for none. */
  public Duration handlerTimeout() {
    return main.pool.limit();
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
    boolean interrupted = main.close() | deferred.close();
    abandonUnclaimed();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A queued piece of work. */
  @FunctionalInterface
  private interface Task {
    void run(HandlerPool.HandlerThread thread);
  }

  /** A queue and the pool of threads that takes from it. */
  private final class Lane {
    final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    final HandlerPool pool;
    /** Threads waiting for a task: a task queued while one waits needs no new thread. */
    private final AtomicInteger idle = new AtomicInteger();

    Lane(String threadNamePrefix, int threads, Duration handlerTimeout, Ticker ticker, JobHost host) {
      this.pool = new HandlerPool(threadNamePrefix, threads, handlerTimeout, ticker, this::nextTask, host);
    }

    /** Queues a task, or runs {@code refuse} when the sink is (or meanwhile got) closed. */
    void enqueue(Task task, Runnable refuse) {
      if (closed.get()) {
        refuse.run();
        return;
      }
      queue.add(task);
      if (closed.get() && queue.remove(task)) {
        refuse.run(); // closed meanwhile: no thread may be left to take it
        return;
      }
      if (queue.size() > idle.get()) { // more tasks than threads waiting for one
        pool.addThread();
      }
    }

    /** What a pool thread runs next: the next queued task, or the end of the thread at {@link #STOP}. */
    private HandlerPool.Work nextTask() throws InterruptedException {
      idle.incrementAndGet();
      Task task;
      try {
        task = queue.take();
      } finally {
        idle.decrementAndGet();
      }
      return task == STOP ? null : task::run;
    }

    /** Lets the queued and running tasks finish (30 s at most), then closes the pool; true if interrupted. */
    boolean close() {
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
      return interrupted;
    }
  }

  /** One delivery through {@link #deliver}. */
  private final class Call implements Task {
    final ReprocessEvent event;
    final CompletableFuture<Outcome> result = new CompletableFuture<>();

    Call(ReprocessEvent event) {
      this.event = event;
    }

    @Override
    public void run(HandlerPool.HandlerThread thread) {
      HandlerPool.Attempt attempt = thread.invoke(handler, event, result::completeExceptionally);
      if (attempt.timedOut()) {
        return;
      }
      if (attempt.failure() != null) {
        result.completeExceptionally(attempt.failure());
      } else {
        result.complete(attempt.outcome());
      }
    }
  }

  /**
   * A main-lane thread's work after a pull token: while slices have unclaimed events, take a
   * permit, claim the oldest unclaimed event and run it; without a permit (the job stops) the event
   * is abandoned. A thread about to call the handler while events are unclaimed and no other thread
   * is claiming wakes one more: with a fast handler one or two threads keep up, with a slow or hung
   * one the threads join one by one (a hung event holds only its own thread).
   */
  private void pull(HandlerPool.HandlerThread thread) {
    claimers.incrementAndGet();
    try {
      pullWhileUnclaimed(thread);
    } finally {
      // The last claimer to leave while a slice came meanwhile (deliverSlice saw it claiming and
      // queued no pull) hands the events on.
      if (claimers.decrementAndGet() == 0 && !slices.isEmpty()) {
        main.enqueue(pull, this::abandonUnclaimed);
      }
    }
  }

  private void pullWhileUnclaimed(HandlerPool.HandlerThread thread) {
    QueuedSlice head;
    while ((head = slices.peek()) != null) {
      boolean permit;
      try {
        permit = head.slice.acquirePermit();
      } catch (InterruptedException e) {
        return; // the pool is closing: close() abandons what is unclaimed
      }
      Claim claimed = claim();
      if (claimed == null) {
        if (permit) {
          head.slice.releasePermit();
        }
        return;
      }
      if (!permit) {
        claimed.slice().abandon(claimed.index());
        continue;
      }
      Delivery d = claimed.slice().start(claimed.index());
      if (batch != null) {
        if (!callBatch(thread, gather(d, claimed.slice()), claimed.slice())) {
          return;
        }
      } else if (d != null && !call(thread, d)) {
        return;
      }
    }
  }

  /**
   * A batch: {@code first} (null if the rate limit deferred it) and the next unclaimed events, one
   * more permit each, as many as are free at once, up to the batch handler's {@code maxBatchSize}.
   */
  private List<Delivery> gather(Delivery first, Slice permits) {
    List<Delivery> batched = new ArrayList<>(Math.min(batch.maxBatchSize(), 64));
    if (first != null) {
      batched.add(first);
    }
    int more = permits.tryAcquirePermits(batch.maxBatchSize() - 1);
    for (int i = 0; i < more; i++) {
      Claim c = claim();
      if (c == null) {
        for (int j = i; j < more; j++) {
          permits.releasePermit();
        }
        break;
      }
      Delivery d = c.slice().start(c.index());
      if (d != null) {
        batched.add(d);
      }
    }
    return batched;
  }

  /**
   * Runs one batch on a main-lane thread and settles its events, their permits given back together
   * ({@code permits}: the job's); false when the call timed out (the thread left the pool).
   */
  private boolean callBatch(HandlerPool.HandlerThread thread, List<Delivery> batched, Slice permits) {
    if (batched.isEmpty()) {
      return true;
    }
    List<ReprocessEvent> events = BatchHandler.events(batched);
    BatchResult[] result = new BatchResult[1];
    EventHandler call = first -> {
      result[0] = batch.batch().handle(events);
      return Outcome.SUCCEEDED;
    };
    wakeAnotherClaimer();
    HandlerPool.Attempt attempt = thread.invoke(call, events.get(0), timeout -> {
      batched.forEach(d -> d.completed(null, timeout));
      main.enqueue(pull, () -> {}); // the thread replacing the one timed out goes on
    });
    if (!returned(attempt)) {
      return false;
    }
    permits.settleTogether(() -> BatchHandler.complete(batched, attempt, result[0]));
    return true;
  }

  /** Runs one started delivery on a main-lane thread; false when the call timed out (the thread left the pool). */
  private boolean call(HandlerPool.HandlerThread thread, Delivery d) {
    wakeAnotherClaimer();
    // d was started on this thread just before (Slice.start), so its start is the call's.
    HandlerPool.Attempt attempt = thread.invoke(handler, d.event(), d.startNanos(), timeout -> {
      d.completed(null, timeout);
      main.enqueue(pull, () -> {}); // the thread replacing the one timed out goes on
    });
    if (!returned(attempt)) {
      return false;
    }
    d.completed(attempt.outcome(), attempt.failure());
    return true;
  }

  /** Before a handler call: if no other main-lane thread is claiming and events are unclaimed, wakes one. */
  private void wakeAnotherClaimer() {
    if (claimers.decrementAndGet() == 0 && !slices.isEmpty() && main.queue.isEmpty()) {
      main.enqueue(pull, () -> {});
    }
  }

  /** After a handler call: the thread claims again; false if the call timed out (the thread left the pool). */
  private boolean returned(HandlerPool.Attempt attempt) {
    claimers.incrementAndGet(); // for a thread that left, balances pull()'s decrement
    return !attempt.timedOut();
  }

  /** Claims the oldest unclaimed event; null when none is left. */
  private Claim claim() {
    QueuedSlice head;
    while ((head = slices.peek()) != null) {
      int i = head.next.getAndIncrement();
      if (i < head.size) {
        return new Claim(head.slice, i);
      }
      slices.remove(head);
    }
    return null;
  }

  /** Abandons every event no thread claimed (the sink closed). */
  private void abandonUnclaimed() {
    for (Claim c = claim(); c != null; c = claim()) {
      c.slice().abandon(c.index());
    }
  }

  /** An event claimed by a thread. */
  private record Claim(Slice slice, int index) {}

  /** A slice in {@link #slices}, with the next index to claim. */
  private static final class QueuedSlice {
    final Slice slice;
    final int size;
    final AtomicInteger next = new AtomicInteger();

    QueuedSlice(Slice slice) {
      this.slice = slice;
      this.size = slice.size();
    }
  }
}
