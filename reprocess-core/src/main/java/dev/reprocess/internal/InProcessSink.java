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
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The direct, in-process {@link EventSink}: runs an {@link EventHandler} on a bounded pool of its
 * own threads and completes each delivery with the handler's outcome. A job built with {@link
 * ReprocessJob.Builder#handler(EventHandler)} creates one per execution, sized to the job's
 * concurrency, with the job's {@code handlerTimeout} and clock, and closes it at the end.
 *
 * <p><b>Two lanes.</b> The job hands it whole pages ({@link #deliverSlice}): one queue entry each,
 * taken by the <i>main</i> lane's threads ({@code <threadNamePrefix>-<n>}). A thread takes a
 * concurrency permit (waiting while the job's limit is reached) and claims the oldest unclaimed
 * events of a page: one event, or, while its handler calls return within {@link #FAST_CALL_NANOS},
 * a <i>run</i> of up to {@link #MAX_RUN} consecutive events, which it calls one after another with
 * that permit (given back between two events when the job pauses, stops or lowers its limit); each
 * outcome is counted for the job at once, and for its shard and page, which is told of the run's
 * final events, together at the run's end.
 * A call slower than that hands the run's unstarted events back to the head of the queue for any
 * thread, and so does a call that times out. While a
 * page has unclaimed events it stays in the queue for any thread that becomes free, so a slow or
 * hung event holds its own thread and at most the rest of its run (events of its own page, whose
 * checkpoint waits for it anyway); later pages go on. With one thread, events are called in the
 * order of their pages.
 *
 * <p><b>Waking threads.</b> A thread about to call the handler while events are unclaimed and no
 * other thread is claiming wakes one more, and so does a page arriving while no thread is claiming:
 * with a slow handler the threads join one by one, and a hung call leaves the events after it to
 * the others (a thread about to call wakes none while a wake is queued already). While calls are
 * fast, a thread gets through a page in far less time than another thread takes to wake up, so two
 * wakes are skipped: a thread starting a run wakes another only
 * when the oldest page with unclaimed events has waited {@link #BACKLOG_NANOS}, and a page arriving
 * wakes none while the latest run started within that time and has not ended (that thread comes
 * back for it; an older run may hang, so it does not count). A stall check,
 * {@link #STALL_CHECK_NANOS} of real time after a wake was skipped, wakes one thread when no thread
 * is claiming and a page has waited that long, so a call that hangs in a run holds up the events
 * after it for about that long. A delivery
 * that holds its permit already (a retry after its backoff, an event the rate limit held back, and
 * {@link #deliver}) runs on the <i>deferred</i> lane ({@code <threadNamePrefix>-deferred-<n>},
 * threads started on first use), so it never waits behind main threads that wait for the permits
 * it holds. Each lane has at most {@code threads} threads; handler calls at once are bounded by
 * the job's permits. Queues are unbounded; the job bounds them (pages in flight per shard, events
 * in flight). Threads start on demand (a task queued while fewer threads wait than tasks are queued
 * starts one, see {@link TaskQueue}),
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
  /** The most events a main-lane thread claims at once, while its calls return fast. */
  public static final int MAX_RUN = 32;
  /**
   * A call longer than this (ticker nanoseconds) ends its thread's run: the run's unstarted events
   * go back to the queue and the thread claims one event at a time until a call is fast again.
   */
  static final long FAST_CALL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
  /**
   * While calls are fast, how long (real time) the oldest page with unclaimed events may wait
   * before a thread starting a run wakes another, and how recently a run must have started for an
   * arriving page to wake no thread.
   */
  static final long BACKLOG_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** The stall check's delay and the page's wait (real time) after which it wakes a thread. */
  static final long STALL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** {@link #lastRunStart} when the latest run ended. */
  private static final long NO_RUN = Long.MIN_VALUE;

  private final EventHandler handler;
  /** The batch handler when {@link #handler} is one, else null. */
  private final BatchHandler batch;
  private final String name;
  /** Slices with events not claimed yet, oldest first: the main lane's threads claim from the head. */
  private final Deque<QueuedSlice> slices = new ConcurrentLinkedDeque<>();
  /** Wakes a main-lane thread to claim events: queued once per slice, and again while events are unclaimed. */
  private final Task pull = this::pull;
  /** Main-lane threads in {@link #pull} and not in a handler call: those that claim the next event. */
  private final AtomicInteger claimers = new AtomicInteger();
  private final Lane main;
  private final Lane deferred;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Ticker ticker;
  /**
   * Whether the handler's last calls returned within {@link #FAST_CALL_NANOS} (written when that
   * changes): a thread then starts claiming runs at once, and wakes fewer threads (see "Waking
   * threads" in the class comment). Either way a thread about to run its claim sees to it that
   * another thread comes for the events still unclaimed, as its first call may hang (without a
   * {@code handlerTimeout}, for good).
   */
  private volatile boolean fastCalls;
  /**
   * When the latest run of fast calls started, {@link System#nanoTime()}, or {@link #NO_RUN} once
   * that run ended: a run that ended comes back for no page.
   */
  private final AtomicLong lastRunStart = new AtomicLong(NO_RUN);
  /** The job's host when the sink was made during its start (threads are borrowed from it), else null. */
  private final JobHost host;
  /** The stall check's timer, made on first use; null before. Guarded by this object. */
  private ClockTimer stallTimer;
  /** Whether a stall check is scheduled. */
  private final AtomicBoolean stallCheckArmed = new AtomicBoolean();

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
    this.ticker = Ticker.of(Objects.requireNonNull(clock, "clock"));
    this.host = JobHost.current(); // a job started on a host: its handler threads are borrowed too
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
      if (runnerComesBack() && !closed.get()) { // closed: enqueue abandons the events
        watchForStall();
      } else {
        main.enqueue(pull, this::abandonUnclaimed);
      }
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
    closeStallTimer();
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

  /** A queue and the pool of threads that takes from it, started as the queue asks for them. */
  private final class Lane {
    final HandlerPool pool;
    final TaskQueue<Task> queue;

    Lane(String threadNamePrefix, int threads, Duration handlerTimeout, Ticker ticker, JobHost host) {
      this.pool = new HandlerPool(threadNamePrefix, threads, handlerTimeout, ticker, this::nextTask, host);
      this.queue = new TaskQueue<>(() -> {
        if (!closed.get()) {
          pool.addThread();
        }
      });
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
      }
    }

    /** What a pool thread runs next: the next queued task, or the end of the thread at {@link #STOP}. */
    private HandlerPool.Work nextTask() throws InterruptedException {
      Task task = queue.take();
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
   * permit, claim the oldest unclaimed event (or a run of them, see {@link #run}) and run it;
   * without a permit (the job stops) the claimed events are abandoned. A thread about to call the
   * handler wakes one more as "Waking threads" in the class comment says: with a fast handler one
   * or two threads keep up, with a slow or hung one the threads join one by one (a hung event holds
   * its own thread and the rest of its run).
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
    int runSize = fastCalls ? MAX_RUN : 1;
    QueuedSlice head;
    while ((head = slices.peek()) != null) {
      boolean permit;
      try {
        permit = head.slice.acquirePermit();
      } catch (InterruptedException e) {
        return; // the pool is closing: close() abandons what is unclaimed
      }
      Claim claimed = claim(batch != null ? 1 : runSize);
      if (claimed == null) {
        if (permit) {
          head.slice.releasePermit();
        }
        return;
      }
      if (!permit) {
        claimed.abandon();
        continue;
      }
      if (batch != null) {
        long now = ticker.nanoTime(); // the batch's events start together, in one call
        Delivery d = claimed.slice().start(claimed.from(), now);
        if (!callBatch(thread, gather(d, claimed.slice(), now), claimed.slice())) {
          return;
        }
      } else {
        runSize = run(thread, new Run(claimed));
        if (runSize == 0) {
          return;
        }
      }
    }
  }

  /**
   * Runs a claimed run of events one after another on a main-lane thread, with the permit it took
   * for the first: a final event's permit goes to the next while the slice lets the thread keep it,
   * its page is told of the run's final events together at its end, and the end of one call is the
   * start of the next. A call slower than {@link #FAST_CALL_NANOS} hands the run's unstarted events
   * back to the queue, for any thread. Returns the size of the thread's next claim: {@link
   * #MAX_RUN} after fast calls, 1 after a slow one; 0 when the thread must leave (a call timed
   * out, or the pool is closing).
   */
  private int run(HandlerPool.HandlerThread thread, Run r) {
    boolean held = true;
    boolean woke = false;
    long runStart = NO_RUN; // when this thread's run of fast calls started, if it is one
    int nextRun = MAX_RUN;
    long now = ticker.nanoTime();
    try {
      while (r.next < r.end) {
        if (!held) {
          boolean permit;
          try {
            permit = r.slice.acquirePermit();
          } catch (InterruptedException e) {
            r.abandonRest();
            nextRun = 0; // the pool is closing
            break;
          }
          if (!permit) {
            r.abandonRest(); // the job stops
            break;
          }
          held = true;
          now = ticker.nanoTime();
        }
        Delivery d = r.slice.start(r.next++, now);
        if (d == null) {
          held = false; // the rate limit deferred the event; it keeps the permit on the timer
          continue;
        }
        if (!woke) {
          // This call may hang, and then no thread would come back for the events still queued
          // (once per run, not per event).
          if (fastCalls) {
            runStart = startFastRun();
          } else {
            wakeAnotherClaimer();
          }
          woke = true;
        }
        r.current = d;
        HandlerPool.Attempt attempt = thread.invoke(handler, d.event(), now, r.onTimeout);
        if (attempt.timedOut()) {
          return 0; // r.timedOut settled the run on the watchdog's thread; the thread left the pool
        }
        long end = ticker.nanoTime();
        if (!d.completedKeepingPermit(attempt.outcome(), attempt.failure(), end)) {
          held = false; // the permit went with the event (a retry, a dead letter)
        } else {
          r.finalEvent(attempt.outcome());
          if (r.next < r.end && !r.slice.mayKeepPermit()) {
            r.slice.releasePermit(); // paused, stopping or a lowered limit: wait as any thread
            held = false;
          }
        }
        if (end - now > FAST_CALL_NANOS) {
          r.handBack();
          nextRun = 1;
          if (fastCalls) {
            fastCalls = false;
          }
        }
        now = end;
      }
      r.settle();
      if (held) {
        r.slice.releasePermit();
      }
      if (nextRun == MAX_RUN && !fastCalls && woke) {
        fastCalls = true;
      }
      return nextRun;
    } finally {
      if (woke) {
        claimers.incrementAndGet(); // the thread claims again (or, if it left, balances pull()'s decrement)
      }
      if (runStart != NO_RUN) {
        // After claiming again: a page arriving in between sees a claimer. Unless a later run
        // started meanwhile.
        lastRunStart.compareAndSet(runStart, NO_RUN);
      }
    }
  }

  /**
   * Before the first call of a run of fast calls: the thread stops counting as claiming, and wakes
   * another only if the oldest page with unclaimed events has waited {@link #BACKLOG_NANOS};
   * otherwise the stall check looks after those events. Returns the run's start, {@link
   * System#nanoTime()}.
   */
  private long startFastRun() {
    long now = System.nanoTime();
    lastRunStart.set(now);
    QueuedSlice oldest = slices.peek();
    if (oldest != null && now - oldest.queuedAt >= BACKLOG_NANOS) {
      wakeAnotherClaimer();
      return now;
    }
    claimers.decrementAndGet();
    if (oldest != null) {
      watchForStall();
    }
    return now;
  }

  /**
   * Whether the latest run of fast calls is still running and started within {@link
   * #BACKLOG_NANOS}: its thread comes back for a new page. An older run does not count, even if it
   * is still running: it may hang.
   */
  private boolean runnerComesBack() {
    long start = lastRunStart.get();
    return fastCalls && start != NO_RUN && System.nanoTime() - start < BACKLOG_NANOS;
  }

  /** Schedules a stall check ({@link #STALL_CHECK_NANOS} from now) unless one is scheduled. */
  private void watchForStall() {
    if (stallCheckArmed.get() || !stallCheckArmed.compareAndSet(false, true)) {
      return;
    }
    ClockTimer timer = stallTimer();
    if (timer != null) {
      timer.schedule(STALL_CHECK_NANOS, this::checkForStall, () -> {});
    }
  }

  /**
   * The stall check: with no thread claiming, wakes one if the oldest page with unclaimed events
   * has waited {@link #STALL_CHECK_NANOS}, or looks again later if it has not waited that long.
   * A thread starting a run of fast calls arms it again when it skips the wake.
   */
  private void checkForStall() {
    stallCheckArmed.set(false);
    QueuedSlice oldest = slices.peek();
    if (oldest == null || claimers.get() > 0) {
      return;
    }
    if (System.nanoTime() - oldest.queuedAt < STALL_CHECK_NANOS) {
      watchForStall();
    } else if (main.queue.isEmpty()) {
      main.enqueue(pull, this::abandonUnclaimed);
    }
  }

  /** The stall check's timer, on the system ticker, made on first use; null once the sink closed. */
  private synchronized ClockTimer stallTimer() {
    if (stallTimer == null && !closed.get()) {
      stallTimer = new ClockTimer(Ticker.SYSTEM, name + "-stall-check", name + ": ", host);
    }
    return stallTimer;
  }

  private synchronized void closeStallTimer() {
    if (stallTimer != null) {
      stallTimer.close();
    }
  }

  /**
   * A batch: {@code first} (null if the rate limit deferred it) and the next unclaimed events, one
   * more permit each, as many as are free at once, up to the batch handler's {@code maxBatchSize},
   * claimed a range of a slice at a time, all started at {@code now}.
   */
  private List<Delivery> gather(Delivery first, Slice permits, long now) {
    List<Delivery> batched = new ArrayList<>(Math.min(batch.maxBatchSize(), 64));
    if (first != null) {
      batched.add(first);
    }
    int more = permits.tryAcquirePermits(batch.maxBatchSize() - 1);
    while (more > 0) {
      Claim c = claim(more);
      if (c == null) {
        for (; more > 0; more--) {
          permits.releasePermit();
        }
        break;
      }
      for (int i = c.from(); i < c.to(); i++, more--) {
        Delivery d = c.slice().start(i, now);
        if (d != null) {
          batched.add(d);
        }
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

  /** Before a handler call: if no other main-lane thread is claiming and events are unclaimed, wakes one. */
  private void wakeAnotherClaimer() {
    if (claimers.decrementAndGet() == 0 && !slices.isEmpty() && main.queue.isEmpty()) {
      main.enqueue(pull, () -> {});
    }
  }

  /** After a batch call: the thread claims again; false if the call timed out (the thread left the pool). */
  private boolean returned(HandlerPool.Attempt attempt) {
    claimers.incrementAndGet(); // for a thread that left, balances pull()'s decrement
    return !attempt.timedOut();
  }

  /**
   * Claims up to {@code most} consecutive unclaimed events of the oldest slice that has some; null
   * when none is left.
   */
  private Claim claim(int most) {
    QueuedSlice head;
    while ((head = slices.peek()) != null) {
      int i = head.next.getAndAdd(most);
      if (i < head.end) {
        int to = Math.min(head.end, i + most);
        if (to == head.end) {
          slices.remove(head);
        }
        if (!head.handedBack) {
          head.slice.claimed(to - i);
        }
        return new Claim(head.slice, i, to);
      }
      slices.remove(head);
    }
    return null;
  }

  /** Abandons every event no thread claimed (the sink closed). */
  private void abandonUnclaimed() {
    for (Claim c = claim(MAX_RUN); c != null; c = claim(MAX_RUN)) {
      c.abandon();
    }
  }

  /** Events {@code from} (inclusive) to {@code to} (exclusive) of a slice, claimed by a thread. */
  private record Claim(Slice slice, int from, int to) {
    void abandon() {
      for (int i = from; i < to; i++) {
        slice.abandon(i);
      }
    }
  }

  /**
   * A main-lane thread's run: its claim, the next event to start, and the events made final whose
   * page was not told yet. Written by its thread; read by the watchdog's only once it timed the
   * current call out (the thread then no longer touches it).
   */
  private final class Run {
    final Slice slice;
    final int end;
    int next;
    /** Events of the run made final as succeeded, their shard and page not told yet. */
    int succeeded;
    /** The same for events made final as skipped. */
    int skipped;
    Delivery current;
    final Consumer<HandlerTimeoutException> onTimeout = this::timedOut;

    Run(Claim claim) {
      this.slice = claim.slice();
      this.next = claim.from();
      this.end = claim.to();
    }

    /** An event of the run made final with {@code outcome} (null: succeeded), told at {@link #settle}. */
    void finalEvent(Outcome outcome) {
      if (outcome == Outcome.SKIPPED) {
        skipped++;
      } else {
        succeeded++;
      }
    }

    /** Tells the shard and page of the run's events made final so far. */
    void settle() {
      slice.settleRun(succeeded, skipped);
      succeeded = 0;
      skipped = 0;
    }

    /** Abandons the unstarted events (the job stops or the pool closes). */
    void abandonRest() {
      for (; next < end; next++) {
        slice.abandon(next);
      }
    }

    /** Hands the unstarted events back to the head of the queue, for any thread to claim next. */
    void handBack() {
      if (next < end) {
        slices.addFirst(new QueuedSlice(slice, next, end));
        main.enqueue(pull, InProcessSink.this::abandonUnclaimed);
        next = end;
      }
    }

    /** On the watchdog's thread: the current call timed out (its thread left the pool). */
    void timedOut(HandlerTimeoutException timeout) {
      settle();
      current.completed(null, timeout);
      handBack();
      main.enqueue(pull, () -> {}); // the thread replacing the one timed out goes on
    }
  }

  /** A slice's events in {@link #slices}: the next index to claim, and the end. */
  private static final class QueuedSlice {
    final Slice slice;
    final int end;
    /** When it was queued, {@link System#nanoTime()}: how long its events have waited. */
    final long queuedAt = System.nanoTime();
    /** Events handed back by a thread that claimed them: counted as claimed once already. */
    final boolean handedBack;
    final AtomicInteger next;

    QueuedSlice(Slice slice) {
      this.slice = slice;
      this.end = slice.size();
      this.handedBack = false;
      this.next = new AtomicInteger();
    }

    QueuedSlice(Slice slice, int from, int end) {
      this.slice = slice;
      this.end = end;
      this.handedBack = true;
      this.next = new AtomicInteger(from);
    }
  }
}
