package dev.reprocess.internal;

import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;

/**
 * A sink of the job's own that takes a whole page in one hand-off and whose threads pull its
 * events, one or a run at a time: the engine makes each event, takes its concurrency permit and
 * its rate-limit slot on the thread that then calls the handler ({@link Slice#start}), so a page
 * costs one queue operation and a few thread wake-ups instead of one hand-off per event, with
 * per-event permits, retries, dead letters and outcomes unchanged. The engine uses it instead of {@link
 * dev.reprocess.EventSink#deliver} when the job created the sink (a host's sink never runs the
 * engine's code on its threads).
 */
interface SliceSink {

  /**
   * Queues a slice; never blocks. Each index is claimed once (in order by one thread; a thread may
   * hand the unstarted ones of its claim back, to the head of the queue) and either started (and
   * the delivery it returns completed) or abandoned, also when the sink closes first.
   */
  void deliverSlice(Slice slice);

  /**
   * Delivers one event whose permit and rate-limit slot are taken already (a retry, an event the
   * rate limit held back); never blocks, never waits for a permit. Completed exactly once.
   */
  void deliverStarted(Delivery delivery);

  /**
   * Events the engine hands over together, made and started on the sink's threads. A thread takes
   * a permit ({@link #acquirePermit}), then claims the oldest events not claimed yet (of any slice
   * queued before), tells the slice how many ({@link #claimed}) and {@link #start}s them one after
   * another with that permit while it {@link #mayKeepPermit may keep it} (a <i>run</i>), settling
   * their final outcomes together ({@link #settleRun}); a thread that got no permit (the job stops)
   * still claims the next events and {@link #abandon}s them; a thread that claims nothing gives
   * its permit back ({@link #releasePermit}). Permits are the job's, shared by its slices.
   */
  interface Slice {
    /** The number of events. */
    int size();

    /**
     * Takes a permit of the job's limit on events in flight, waiting while it is reached.
     *
     * @return true with a permit taken; false when the job is stopping
     */
    boolean acquirePermit() throws InterruptedException;

    /** Gives back a permit taken with {@link #acquirePermit} that no event used. */
    void releasePermit();

    /**
     * Takes up to {@code most} more permits without waiting (for a batch of events); 0 when none
     * is free, the job is paused or {@code most} is below 1. Each unused one goes back with {@link
     * #releasePermit}.
     */
    int tryAcquirePermits(int most);

    /**
     * Runs {@code completions} (events of this job settling on the calling thread) and gives back
     * the permits they free together at its end, not one by one: a thread gathering a batch
     * meanwhile would otherwise find one or two free.
     */
    void settleTogether(Runnable completions);

    /**
     * {@code events} more events were claimed by a sink thread, which starts or abandons each of
     * them next; once a slice's events are all claimed, the engine reads ahead again. An event
     * claimed once counts once, also when a thread hands it back for others to claim.
     */
    void claimed(int events);

    /**
     * On the sink's thread, with a permit taken, before its handler call: makes the event at
     * {@code index} and takes its rate-limit slot. Returns the delivery to make now, or {@code null}
     * when the rate limit scheduled it for later (the engine then delivers it, with its permit,
     * through {@link SliceSink#deliverStarted}).
     *
     * @param nowNanos the attempt's start: the job's {@link Ticker} reading taken on this thread just
     *     before (in a run, the end of the previous call)
     */
    Delivery start(int index, long nowNanos);

    /**
     * Whether a thread whose event is final may start its run's next event with the same permit:
     * false when the job stops, the gate is paused or its limit was lowered below the permits in
     * use (the thread then gives the permit back and takes one again, waiting as any other).
     */
    boolean mayKeepPermit();

    /**
     * Settles events of this slice that {@link Delivery#completedKeepingPermit} made final ({@code
     * succeeded} and {@code skipped} of them): they go to their shard's and page's counts, and their
     * page may be checkpointed once its other events are final too.
     */
    void settleRun(int succeeded, int skipped);

    /** The event at {@code index} will not be started (no permit held): the job stops or the sink closed. */
    void abandon(int index);
  }

  /** One delivery, and where its outcome goes. */
  interface Delivery {
    ReprocessEvent event();

    /** When the attempt started: the job's {@link Ticker} reading, in nanoseconds. */
    long startNanos();

    /**
     * The attempt's result: the outcome ({@link Outcome#SUCCEEDED} for a handler's {@code null}),
     * or the failure (the handler's exception, unwrapped, or a {@link
     * dev.reprocess.HandlerTimeoutException}); exactly one is non-null.
     */
    void completed(Outcome outcome, Throwable failure);

    /**
     * The attempt's result, in a run: when it makes the event final as succeeded or skipped, the
     * event is counted for the job, its permit stays with the calling thread for the run's next
     * event, and its shard's and page's counts and its page learn of it at the caller's {@link
     * Slice#settleRun}, to which the caller gives the outcome; returns true. Any other result goes the way of {@link
     * #completed} (the permit stays with the event, through its retries or until its dead letter is
     * stored) and returns false.
     *
     * @param endNanos when the call ended: the job's {@link Ticker} reading, taken by the caller
     */
    boolean completedKeepingPermit(Outcome outcome, Throwable failure, long endNanos);
  }
}
