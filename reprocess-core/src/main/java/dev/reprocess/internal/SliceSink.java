package dev.reprocess.internal;

import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;

/**
 * A sink of the job's own that takes a whole page in one hand-off and whose threads pull its events
 * one at a time: the engine makes each event, takes its concurrency permit and its rate-limit slot
 * on the thread that then calls the handler ({@link Slice#start}), so a page costs one queue
 * operation and a few thread wake-ups instead of one hand-off per event, with per-event permits,
 * retries, dead letters and outcomes unchanged. The engine uses it instead of {@link
 * dev.reprocess.EventSink#deliver} when the job created the sink (a host's sink never runs the
 * engine's code on its threads).
 */
interface SliceSink {

  /**
   * Queues a slice; never blocks. Each index is claimed once, in order, and either started (and
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
   * a permit ({@link #acquirePermit}), then claims the oldest event not claimed yet (of any slice
   * queued before, in order) and {@link #start}s it; a thread that got no permit (the job stops)
   * still claims the next event and {@link #abandon}s it; a thread that claims nothing gives its
   * permit back ({@link #releasePermit}). Permits are the job's, shared by its slices.
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
     * On the sink's thread, with a permit taken, before its handler call: makes the event at
     * {@code index} and takes its rate-limit slot. Returns the delivery to make now, or {@code null}
     * when the rate limit scheduled it for later (the engine then delivers it, with its permit,
     * through {@link SliceSink#deliverStarted}).
     */
    Delivery start(int index);

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
  }
}
