package dev.reprocess.internal;

import dev.reprocess.AssetRef;
import dev.reprocess.BackendUnavailableException;
import dev.reprocess.Checkpoint;
import dev.reprocess.DeadLetters;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import dev.reprocess.RetryOptions;
import dev.reprocess.Shard;
import dev.reprocess.ShardProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;

/**
 * Reads one shard: page by page, each asset turned into an event and dispatched (one concurrency
 * permit per event), then the page checkpointed. To a host's sink the reader dispatches the events
 * itself, waiting for permits (the job's back-pressure); to the job's own handler pool ({@link
 * SliceSink}) it hands the whole page, whose events the pool's threads make and start; it reads
 * one page ahead of them (it waits until every event of the page before the one it handed over
 * was started, across the shards a thread reads one after another: {@link ReadAhead}), and the
 * window of pages in flight bounds the pages held by slow events. At a shard's end it does not wait
 * for the last pages' events to be final: they are checkpointed as they settle ({@link #read}).
 *
 * <p><b>The at-least-once rule</b> ({@link #checkpoint}): at most {@value #MAX_PAGES_IN_FLIGHT}
 * pages are in flight (their events bounded by the job's concurrency); the reader dispatches the
 * next page while earlier ones finish, so a page held by a slow event does not hold the shard.
 * Pages are checkpointed strictly in order as the oldest becomes settled: the sink is flushed and
 * the checkpoint after page N handed to the run's {@link CheckpointWriter} only if every event of
 * page N was dispatched and is final. Pages are checkpointed in order: once a page cannot be (an
 * event abandoned by a stop or a failure), no later page of the shard is, so a re-run reads again
 * from the last final page. The writer writes in the background, the newest checkpoint of every
 * shard together, at most one round per {@code checkpointInterval}; the reader never waits for it
 * (with an interval of 0 it does, when {@value CheckpointWriter#MAX_PAGES_UNWRITTEN} final pages are
 * unwritten and at the shard's end), and goes on to the next shard while its last checkpoint is
 * unwritten: the shard is COMPLETED once that is written, and the run drains the writer before its
 * report, so the shard's state and the run's report still mean "every checkpoint written". A crash
 * re-delivers at most the pages in flight and those unwritten (about one interval of work).
 */
final class ShardReader {

  private static final Logger LOG = RunContext.LOG;
  /**
   * Pages of a shard dispatched and not yet checkpointed, at most: a page held by a slow or hung
   * event does not stop the reader from delivering the next ones (within the job's concurrency).
   */
  static final int MAX_PAGES_IN_FLIGHT = 16;
  /** The most permits a reader takes at once for a sink that is not a {@link SliceSink}. */
  static final int MAX_SLICE = 64;
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final RunContext run;
  private final ShardState state;
  private final Shard shard;
  private final CheckpointWriter.Shard writer;
  private final boolean waitForWrites;

  /**
   * A reader of one shard.
   *
   * @param checkpoints the run's checkpoint writer
   */
  ShardReader(RunContext run, ShardState state, CheckpointWriter checkpoints) {
    this.run = run;
    this.state = state;
    this.shard = state.shard;
    this.waitForWrites = run.spec.checkpointInterval().isZero();
    this.writer = checkpoints.shard(new CheckpointWriter.Listener() {
      @Override
      public void written(Checkpoint checkpoint, int pages) {
        ShardReader.this.written(checkpoint, pages);
      }

      @Override
      public void failed(Throwable failure) {
        if (!(failure instanceof OutageWait.WaitAbandoned)) {
          ShardReader.this.failed(failure); // at once: the other shards stop now, not at this one's next page
        }
      }
    });
  }

  /**
   * Reads the shard to its end, a stop or a failure; never throws. Returns once the shard's pages
   * are all handed over; the future completes once they are checkpointed (or given up). With the
   * job's own handler and a checkpoint interval above 0 the pages still in flight at the shard's
   * end are checkpointed as they settle, on the thread that settles them, so the calling thread
   * reads the next shard meanwhile; otherwise the future is complete on return.
   *
   * @param ahead the calling thread's read-ahead, carried from the shard it read before: the first
   *     page of this shard is read while that shard's last one is handled, not more
   */
  CompletableFuture<Void> read(ReadAhead ahead) {
    if (run.isStopping()) {
      state.state = ShardProgress.State.STOPPED;
      return DONE;
    }
    state.state = ShardProgress.State.RUNNING;
    LOG.debug("{}shard {} starting{}", run.prefix, shard.id(),
        state.base != null ? " from cursor " + state.base.cursor() : "");
    run.fire(l -> l.onShardStarted(run.name, shard, state.base));
    ArrayDeque<PageWork> window = new ArrayDeque<>();
    try (Paginator paginator = run.spec.selector().open(shard, state.cursor, run.spec.pageSize())) {
      long pageNo = 0;
      while (run.gate.awaitUnpaused(run::isStopping)) {
        Page page = readPage(paginator, ++pageNo);
        if (page == null) {
          break;
        }
        run.tally.pageRead(state, page.size());
        PageWork work = new PageWork(page, pageNo);
        work.done.thenRun(() -> run.tally.pageSettled(work));
        dispatch(work);
        work.seal();
        window.addLast(work);
        ahead.handedOver(work); // read ahead by one page of unstarted events, not more
        checkpointSettled(window, MAX_PAGES_IN_FLIGHT - 1);
        if (page.last() || !work.fullyDispatched) {
          break;
        }
      }
      if (run.sliceSink() != null && !waitForWrites && !run.isStopping()) {
        return checkpointAsSettled(window);
      }
      checkpointSettled(window, 0);
      if (waitForWrites) {
        writer.awaitWritten();
      }
    } catch (Throwable t) {
      abandonAfter(window, t);
    }
    ended();
    return DONE;
  }

  /** The pages in flight at the shard's end, checkpointed in order as each settles. */
  private CompletableFuture<Void> checkpointAsSettled(ArrayDeque<PageWork> window) {
    CompletableFuture<Void> tail = DONE;
    for (PageWork w : window) {
      tail = tail.thenCompose(v -> w.done).thenRun(() -> checkpointSettledPage(w));
    }
    return tail.handle((v, t) -> {
      if (t != null) {
        abandonAfter(window, t instanceof CompletionException ? t.getCause() : t);
      }
      ended();
      return null;
    });
  }

  private void checkpointSettledPage(PageWork w) {
    try {
      checkpoint(w);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(e);
    }
  }

  /** A failure or a stop while pages were in flight: none of them is checkpointed. */
  private void abandonAfter(ArrayDeque<PageWork> window, Throwable t) {
    for (PageWork w : window) {
      w.abandoned.set(true);
    }
    if (!(t instanceof OutageWait.WaitAbandoned)) { // a stop ended a wait for a backend
      failed(t);
    }
  }

  /** The shard's reading ended: RUNNING without its last page handed to the writer is STOPPED. */
  private void ended() {
    if (state.state == ShardProgress.State.RUNNING && !state.lastPageSubmitted) {
      state.state = ShardProgress.State.STOPPED;
    }
  }

  /**
   * One shard reader thread's read-ahead across the shards it reads one after another: after
   * handing over a page it waits until every event of the page it handed over before (of this
   * shard or the one before) was started. Not thread-safe: one per reader thread.
   */
  static final class ReadAhead {
    private PageWork previous;

    void handedOver(PageWork work) {
      PageWork before = previous;
      previous = work;
      if (before != null) {
        before.started.join();
      }
    }
  }

  /** A read failure fails the shard, the others go on (unless failFast); others fail the job. */
  private void failed(Throwable t) {
    state.state = ShardProgress.State.FAILED;
    Throwable cause = RetryVerdict.unwrap(t);
    boolean readFailure = cause instanceof ShardReadException;
    Throwable reported = readFailure ? cause.getCause() : cause;
    ReprocessException e = new ReprocessException(run.prefix + "shard " + shard.id() + " failed: "
        + DeadLetters.describe(reported), reported);
    if (readFailure && !run.spec.failFast()) {
      // The shard cannot go on; the others can. The job ends FAILED; a re-run resumes this shard.
      run.failWithoutStopping(e);
      LOG.error("{}shard {} failed, other shards go on: {}", run.prefix, shard.id(),
          DeadLetters.describe(reported));
      return;
    }
    run.fail(e);
  }

  /**
   * Reads a page, retrying transient failures per the retry options, then waiting through an
   * outage of the selector's backend within the outage budget; null when stopping.
   */
  private Page readPage(Paginator paginator, long pageNo) {
    try {
      return run.outage.get(() -> readWithRetries(paginator, pageNo), run::isStopping);
    } catch (OutageWait.WaitAbandoned stopped) {
      return null;
    } catch (ShardReadException e) {
      throw e;
    } catch (ReprocessException e) {
      if (e.getCause() instanceof BackendUnavailableException) {
        throw new ShardReadException(e.getMessage(), e.getCause()); // the outage outlasted the budget
      }
      throw e;
    }
  }

  /**
   * One read with its retries; throws the {@link BackendUnavailableException} once they are spent
   * (or at once while that backend's outage goes on: one try per outage wait); null when stopping.
   */
  private Page readWithRetries(Paginator paginator, long pageNo) {
    RetryOptions retry = run.spec.retry();
    for (int attempt = 1; ; attempt++) {
      try {
        return paginator.nextPage();
      } catch (RuntimeException e) {
        if (e instanceof BackendUnavailableException unavailable
            && (attempt >= retry.maxAttempts() || run.outage.isWaitingFor(unavailable.backend()))) {
          throw unavailable;
        }
        if (e instanceof RetriableException && attempt < retry.maxAttempts() && !run.isStopping()) {
          Duration backoff = retry.backoff(attempt, ThreadLocalRandom.current());
          LOG.warn("{}shard {} page {} read failed (attempt {} of {}), retrying in {}: {}",
              run.prefix, shard.id(), pageNo, attempt, retry.maxAttempts(), backoff,
              DeadLetters.describe(e));
          if (!sleep(backoff)) {
            return null;
          }
          continue;
        }
        throw new ShardReadException(run.prefix + "shard " + shard.id() + " page " + pageNo
            + " could not be read after " + attempt + " attempt(s)", e);
      }
    }
  }

  /** A retry backoff on the job's timer; false when the job stops first (or on an interrupt). */
  private boolean sleep(Duration backoff) {
    try {
      return run.timer.sleep(backoff.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Turns the page's assets into events and starts them, a concurrency permit each. A sink of the
   * job's own ({@link RunContext#sliceSink()}) takes the whole page at once and its threads make
   * and start the events ({@link PageSlice}); otherwise the reader takes as many permits as are
   * free at once (up to {@value #MAX_SLICE}), waiting while none is, and starts their events.
   */
  private void dispatch(PageWork work) throws InterruptedException {
    SliceSink sliceSink = run.sliceSink();
    if (sliceSink != null) {
      sliceSink.deliverSlice(new PageSlice(run, state, work));
      return;
    }
    List<AssetRef> assets = work.page.assets();
    int n = assets.size();
    for (int i = 0; i < n; ) {
      int permits = run.gate.acquireUpTo(Math.min(n - i, MAX_SLICE), run::isStopping);
      if (permits == 0) {
        work.fullyDispatched = false;
        work.started.complete(null);
        return;
      }
      Instant now = run.clock.instant();
      work.eventsDispatched(permits);
      for (int end = i + permits; i < end; i++) {
        new EventAttempt(run, newEvent(run, shard, assets.get(i), now), state, work).attempt();
      }
    }
    work.started.complete(null);
  }

  /** The first attempt's event for an asset of {@code shard}, with a random event id. */
  static ReprocessEvent newEvent(RunContext run, Shard shard, AssetRef asset, Instant createdAt) {
    return new ReprocessEvent(randomUuid(), run.name, asset.assetId(),
        asset.assetType() != null ? asset.assetType() : shard.assetType(), shard.id(), 1,
        createdAt, asset.attributes());
  }

  /**
   * Checkpoints the settled pages at the head of the window, in order; then, while more than
   * {@code keep} pages are in flight, waits for the head to settle and checkpoints it.
   */
  private void checkpointSettled(ArrayDeque<PageWork> window, int keep) throws InterruptedException {
    while (!window.isEmpty() && (window.peekFirst().done.isDone() || window.size() > keep)) {
      checkpoint(window.peekFirst());
      window.pollFirst();
    }
  }

  /** Waits for a page to settle, then checkpoints it if it and every page before it are final. */
  private void checkpoint(PageWork work) throws InterruptedException {
    work.done.join();
    if (!work.isFinal() || state.chainBroken) {
      state.chainBroken = true;
      return;
    }
    run.flushSink();
    Page page = work.page;
    state.cpSelected += page.size();
    state.cpSucceeded += work.succeeded.get();
    state.cpSkipped += work.skipped.get();
    state.cpDeadLettered += work.deadLettered.get();
    if (page.cursor() != null) {
      state.cursor = page.cursor();
    }
    Checkpoint cp = new Checkpoint(run.name, shard.id(), state.cursor,
        page.last() ? Checkpoint.State.COMPLETED : Checkpoint.State.IN_PROGRESS, state.cpSelected,
        state.cpSucceeded, state.cpSkipped, state.cpDeadLettered, run.clock.instant());
    LOG.debug("{}shard {} page {} done ({} assets), checkpoint at {}", run.prefix, shard.id(),
        work.pageNo, page.size(), state.cursor);
    if (page.last()) {
      state.lastPageSubmitted = true; // COMPLETED once written (or STOPPED by the run if it never is)
    }
    writer.submit(cp);
  }

  /** On the checkpoint writer's thread: a checkpoint covering {@code pages} more pages was written. */
  private void written(Checkpoint cp, int pages) {
    run.tally.pagesCheckpointed(state, pages);
    run.fire(l -> l.onPageCompleted(run.name, shard, cp));
    if (cp.state() == Checkpoint.State.COMPLETED) {
      state.state = ShardProgress.State.COMPLETED;
      LOG.debug("{}shard {} completed: {} assets in total", run.prefix, shard.id(), cp.selected());
      run.fire(l -> l.onShardCompleted(run.name, shard, cp));
    }
  }

  /** A random (version 4) UUID from a thread-local source, without SecureRandom's contention. */
  private static String randomUuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /** A shard's page could not be read: fails the shard, not the whole job (unless failFast). */
  private static final class ShardReadException extends ReprocessException {
    private static final long serialVersionUID = 1L;

    ShardReadException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
