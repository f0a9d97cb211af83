package dev.reprocess.internal;

import dev.reprocess.AssetRef;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A page's events handed to a {@link SliceSink} at once. A sink thread takes an event's concurrency
 * permit (waiting while the job's limit is reached), then makes the event and takes its rate-limit
 * slot just before the handler call; an event the job's stop or the sink's close leaves unstarted
 * is abandoned, so its page is not checkpointed.
 */
final class PageSlice implements SliceSink.Slice {

  private final RunContext run;
  private final ShardState state;
  private final PageWork work;
  private final List<AssetRef> assets;
  /** Events no sink thread claimed yet. */
  private final AtomicInteger unstarted;

  /** The page's events, all counted as dispatched to it now. */
  PageSlice(RunContext run, ShardState state, PageWork work) {
    this.run = run;
    this.state = state;
    this.work = work;
    this.assets = work.page.assets();
    this.unstarted = new AtomicInteger(assets.size());
    work.eventsDispatched(assets.size());
    if (assets.isEmpty()) {
      work.started.complete(null);
    }
  }

  @Override
  public int size() {
    return assets.size();
  }

  @Override
  public boolean acquirePermit() throws InterruptedException {
    return run.gate.acquire(run::isStopping);
  }

  @Override
  public void releasePermit() {
    run.gate.release();
  }

  @Override
  public int tryAcquirePermits(int most) {
    return run.gate.tryAcquire(most);
  }

  @Override
  public void settleTogether(Runnable completions) {
    run.gate.holdReleases();
    try {
      completions.run();
    } finally {
      run.gate.releaseHeld();
    }
  }

  @Override
  public boolean mayKeepPermit() {
    return !run.isStopping() && run.gate.mayKeep();
  }

  @Override
  public void settleRun(int succeeded, int skipped) {
    if (succeeded + skipped > 0) {
      run.tally.runSettled(state, work, succeeded, skipped);
      work.settle(succeeded + skipped);
    }
  }

  @Override
  public void claimed(int events) {
    if (unstarted.addAndGet(-events) == 0) {
      work.started.complete(null);
    }
  }

  @Override
  public SliceSink.Delivery start(int index, long now) {
    EventAttempt attempt = new EventAttempt(run,
        ShardReader.newEvent(run, state.shard, assets.get(index), run.eventTimes.at(now)), state, work);
    if (!attempt.mayGoNow()) {
      return null; // on the timer with its permit, delivered when the rate limit allows
    }
    attempt.starting(now);
    return attempt;
  }

  @Override
  public void abandon(int index) {
    work.abandoned.set(true);
    work.settleOne();
  }
}
