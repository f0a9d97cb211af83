package dev.reprocess.internal;

import dev.reprocess.BackendUnavailableException;
import dev.reprocess.DeadLetter;
import dev.reprocess.DeadLetterSink;
import dev.reprocess.DeadLetters;
import dev.reprocess.HandlerTimeoutException;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;

/**
 * One event through its attempts, from dispatch to a final state (succeeded, skipped,
 * dead-lettered) or abandoned (the job stopped or failed first). Each attempt waits for the rate
 * limit on the timer, goes to the sink, and its failure is decided by {@link RetryVerdict#decide}:
 * retry after a backoff on the timer, dead-letter, or stop the job. Settles exactly once: releases
 * its concurrency permit and tells its page. A sink of the job's own ({@link SliceSink}) gets its
 * first attempt through a {@link PageSlice} and reports each attempt's outcome here, on its thread.
 */
final class EventAttempt implements SliceSink.Delivery {

  private static final Logger LOG = RunContext.LOG;
  private static final VarHandle SETTLED;

  static {
    try {
      SETTLED = MethodHandles.lookup().findVarHandle(EventAttempt.class, "settled", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final RunContext run;
  private final ShardState shard;
  private final PageWork page;
  /** 0 until settled, then 1. */
  @SuppressWarnings("unused") // through SETTLED
  private volatile int settled;
  private ReprocessEvent event;
  private long attemptStart;

  EventAttempt(RunContext run, ReprocessEvent event, ShardState shard, PageWork page) {
    this.run = run;
    this.event = event;
    this.shard = shard;
    this.page = page;
  }

  /** Starts the current attempt, once the rate limit allows. */
  void attempt() {
    if (mayGoNow()) {
      deliver();
    }
  }

  /** True if the rate limit lets the current attempt go now; otherwise it is scheduled for when it does. */
  boolean mayGoNow() {
    long deadline = run.throttle.reserveDeadlineNanos();
    if (deadline == Long.MIN_VALUE) {
      return true;
    }
    run.timer.scheduleAt(deadline, this::deliver, this::abandon);
    return false;
  }

  /** The current attempt is being delivered now (its latency is measured from here). */
  void starting(long startNanos) {
    if (page.traceEvents) {
      LOG.trace("{}delivering asset {} (shard {}, attempt {})", run.prefix, event.assetId(),
          event.shardId(), event.attempt());
    }
    attemptStart = startNanos;
  }

  private void deliver() {
    SliceSink sliceSink = run.sliceSink();
    starting(run.ticker.nanoTime());
    if (sliceSink != null) {
      sliceSink.deliverStarted(this);
      return;
    }
    CompletionStage<Outcome> stage;
    try {
      stage = run.sink().deliver(event);
    } catch (Throwable t) {
      stage = CompletableFuture.failedFuture(t);
    }
    // handleAsync, not whenCompleteAsync: whenComplete wraps a failure in a CompletionException for
    // its own stage, whose constructor calls the failure's toString(), and that may throw.
    stage.handleAsync(this::onResult, run.outcomeExecutor());
  }

  @Override
  public ReprocessEvent event() {
    return event;
  }

  @Override
  public long startNanos() {
    return attemptStart;
  }

  /** From a {@link SliceSink}, on its thread: the current attempt's result. */
  @Override
  public void completed(Outcome outcome, Throwable failure) {
    onResult(outcome, failure);
  }

  @Override
  public boolean completedKeepingPermit(Outcome outcome, Throwable failure, long endNanos) {
    if (failure != null || run.outage.anyOutage()) {
      onResult(outcome, failure, endNanos);
      return false;
    }
    measured(endNanos, null);
    run.tally.runOutcome(outcome); // the shard's and page's counts at the run's Slice#settleRun
    traceOutcome(outcome);
    SETTLED.setRelease(this, 1); // settled by the run (Slice#settleRun); the call returned, no one else may
    return true;
  }

  private Void onResult(Outcome outcome, Throwable error) {
    return onResult(outcome, error, run.ticker.nanoTime());
  }

  private Void onResult(Outcome outcome, Throwable error, long endNanos) {
    measured(endNanos, error);
    try {
      if (error == null) {
        if (run.outage.anyOutage()) {
          run.outage.onAvailable(run.sink().describe());
        }
        counted(outcome);
        settle(true);
        return null;
      }
      onFailure(error);
    } catch (Throwable t) {
      run.fail(t);
      settle(false);
    }
    return null;
  }

  /** The attempt's latency, to the meters and the pressure signal. */
  private void measured(long endNanos, Throwable error) {
    long latency = endNanos - attemptStart;
    run.tally.attemptLatency(latency);
    run.pressure.onAttempt(attemptStart, latency, error);
  }

  /** A final outcome of the handler: counted for the job, the shard and the page. */
  private void counted(Outcome outcome) {
    run.tally.outcome(outcome, shard, page);
    traceOutcome(outcome);
  }

  private void traceOutcome(Outcome outcome) {
    if (page.traceEvents) {
      LOG.trace("{}asset {} {} (attempt {})", run.prefix, event.assetId(),
          outcome == Outcome.SKIPPED ? "skipped" : "succeeded", event.attempt());
    }
  }

  private void onFailure(Throwable error) {
    if (RetryVerdict.unwrap(error) instanceof BackendUnavailableException unavailable) {
      waitForBackend(unavailable);
      return;
    }
    RetryVerdict verdict = RetryVerdict.decide(run.spec.retry(), event.attempt(), error,
        ThreadLocalRandom.current());
    Throwable t = verdict.failure();
    run.tally.attemptFailed(t);
    if (t instanceof HandlerTimeoutException) {
      // Not a per-event TRACE: a hung handler holds a thread the sink had to replace.
      LOG.warn("{}{}", run.prefix, t.getMessage());
    }
    switch (verdict.action()) {
      case STOP -> {
        run.fail(new ReprocessException(run.prefix + "the handler threw " + DeadLetters.describe(t)
            + " on asset " + event.assetId() + " (shard " + event.shardId() + ", attempt "
            + event.attempt() + "); stopping", t));
        settle(false);
      }
      case RETRY -> retryLater(verdict);
      case DEAD_LETTER -> deadLetter(t);
    }
  }

  private void retryLater(RetryVerdict verdict) {
    if (run.isStopping()) {
      settle(false);
      return;
    }
    run.tally.retryScheduled();
    ReprocessEvent failedAttempt = event;
    if (LOG.isTraceEnabled()) {
      LOG.trace("{}asset {} attempt {} failed, retrying in {}: {}", run.prefix, event.assetId(),
          event.attempt(), verdict.backoff(), DeadLetters.describe(verdict.failure()));
    }
    run.fire(l -> l.onRetry(failedAttempt, verdict.failure(), verdict.backoff()));
    event = event.nextAttempt();
    run.timer.schedule(verdict.backoff().toNanos(), this::attempt, this::abandon);
  }

  /**
   * The sink's backend is unavailable: not this event's failure. The same attempt is delivered
   * again after the outage backoff (no attempt counted, nothing dead-lettered, the page stays
   * unsettled so it is not checkpointed), until the outage budget is spent.
   */
  private void waitForBackend(BackendUnavailableException unavailable) {
    Duration wait = run.outage.onUnavailable(unavailable);
    if (wait == null) {
      run.fail(new ReprocessException(run.outage.exhausted(unavailable), unavailable));
      settle(false);
    } else if (run.isStopping()) {
      settle(false);
    } else {
      run.timer.schedule(wait.toNanos(), this::attempt, this::abandon);
    }
  }

  private void deadLetter(Throwable t) {
    DeadLetterSink deadLetters = run.spec.deadLetterSink();
    DeadLetter deadLetter = DeadLetters.of(event, t, event.attempt(), run.clock.instant());
    try {
      deadLetters.accept(deadLetter);
    } catch (BackendUnavailableException x) {
      Duration wait = run.outage.onUnavailable(x);
      if (wait != null && !run.isStopping()) {
        run.timer.schedule(wait.toNanos(), () -> deadLetter(t), this::abandon);
        return;
      }
      run.fail(new ReprocessException(run.outage.exhausted(x), x));
      settle(false);
      return;
    } catch (Throwable x) {
      run.fail(new ReprocessException(run.prefix + "dead-letter sink " + deadLetters.describe()
          + " could not store the dead letter of asset " + event.assetId() + ": "
          + DeadLetters.describe(x), x));
      settle(false);
      return;
    }
    run.tally.deadLettered(shard, page);
    if (LOG.isTraceEnabled()) {
      LOG.trace("{}asset {} dead-lettered after {} attempt(s): {}", run.prefix, event.assetId(),
          event.attempt(), DeadLetters.describe(t));
    }
    run.fire(l -> l.onDeadLetter(deadLetter));
    String overBudget = run.spec.errorBudget().exceeded(run.tally.deadLetteredTotal(),
        run.tally.passedTotal(), run.tally.failureStreakAfter(t));
    if (overBudget != null) {
      run.fail(new ReprocessException(run.prefix + overBudget + "; the last: asset "
          + event.assetId() + ": " + Quote.abbreviate(DeadLetters.describe(t)), t));
    } else if (run.spec.failFast()) {
      run.fail(new ReprocessException(run.prefix + "asset " + event.assetId() + " (shard "
          + event.shardId() + ") failed after " + event.attempt()
          + " attempt(s) and failFast is set: " + DeadLetters.describe(t), t));
    }
    settle(true);
  }

  private void abandon() {
    if (LOG.isTraceEnabled()) {
      LOG.trace("{}asset {} abandoned while waiting (attempt {})", run.prefix, event.assetId(),
          event.attempt());
    }
    settle(false);
  }

  /** Ends this event once: final (its page may be checkpointed) or not (its page may not). */
  private void settle(boolean isFinal) {
    if (!SETTLED.compareAndSet(this, 0, 1)) {
      return;
    }
    if (!isFinal) {
      page.abandoned.set(true);
    }
    run.gate.release();
    page.settleOne();
  }
}
