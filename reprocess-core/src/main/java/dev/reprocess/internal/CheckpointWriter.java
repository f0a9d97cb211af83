package dev.reprocess.internal;

import dev.reprocess.Checkpoint;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Writes one shard's checkpoints in the background, so that its reader never waits for a write (a
 * fenced save under a lease is a lightweight transaction, a Paxos round), at most one write per
 * {@code checkpointInterval}.
 *
 * <p>Coalescing, in order: at most one write is in flight; checkpoints handed in meanwhile, or
 * before the interval since the previous write began (or since the shard started) is over,
 * replace each other, and only the newest is written next: a shard read within one interval writes
 * only its last checkpoint. A cursor is therefore never written after a newer one, and a crash loses
 * at most the pages after the last written checkpoint (read again by the next run: at-least-once).
 * A COMPLETED checkpoint and {@link #drain()} write at once. With an interval of 0, {@link #submit}
 * waits once {@value #MAX_PAGES_UNWRITTEN} final pages are not yet written, so that those pages
 * stay bounded when writes are slower than reads. {@link #drain()} waits for every handed-in
 * checkpoint to be written and rethrows the first write failure.
 *
 * <p>Thread safety: {@link #submit} and {@link #drain} are called by the shard's reader; writes run
 * on the executor; the state between them is guarded by this object's monitor.
 */
final class CheckpointWriter {

  /** With an interval of 0: final pages whose checkpoint may be unwritten before submit waits. */
  static final int MAX_PAGES_UNWRITTEN = 4;

  /** Told of each write, on the writer's thread. */
  interface Listener {

    /** A checkpoint was written; it covers {@code pages} pages since the previous write. */
    void written(Checkpoint checkpoint, int pages);

    /** A write failed; no later checkpoint of the shard is written. */
    void failed(Throwable failure);
  }

  private final RunContext run;
  private final Executor executor;
  private final Listener listener;
  private final long intervalNanos;
  private final int maxUnwritten;
  private Checkpoint pending;
  private int pendingPages;
  private int writingPages;
  private boolean writing;
  private boolean writeNow;
  /** When the last write began, or the writer was made: a shard's first write waits for the interval too. */
  private long lastWriteStart = System.nanoTime();
  private Throwable failure;

  CheckpointWriter(RunContext run, Executor executor, Duration interval, Listener listener) {
    this.run = run;
    this.executor = executor;
    this.listener = listener;
    this.intervalNanos = interval.toNanos();
    this.maxUnwritten = interval.isZero() ? MAX_PAGES_UNWRITTEN : Integer.MAX_VALUE;
  }

  /**
   * Hands in the checkpoint after one more final page; returns at once (with an interval of 0,
   * waits while {@value #MAX_PAGES_UNWRITTEN} final pages are unwritten).
   *
   * @throws RuntimeException the failure of an earlier write (the shard must not go on)
   */
  synchronized void submit(Checkpoint checkpoint) throws InterruptedException {
    while (pendingPages + writingPages >= maxUnwritten && failure == null) {
      wait();
    }
    rethrowFailure();
    pending = checkpoint;
    pendingPages++;
    if (checkpoint.state() == Checkpoint.State.COMPLETED) {
      writeNow = true;
    }
    if (!writing) {
      writing = true;
      executor.execute(this::writeAll);
    } else {
      notifyAll(); // a writer waiting for the interval: maybe now
    }
  }

  /**
   * Writes what is pending at once and waits until every handed-in checkpoint is written.
   *
   * @throws RuntimeException the first write failure ({@link OutageWait.WaitAbandoned} when a stop
   *     ended a write's wait through an outage)
   */
  synchronized void drain() throws InterruptedException {
    writeNow = true;
    notifyAll();
    while (writing) {
      wait();
    }
    rethrowFailure();
  }

  private void rethrowFailure() {
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
  }

  /** On the executor: writes the newest pending checkpoint, one per interval, until none is left. */
  private void writeAll() {
    while (true) {
      Checkpoint next;
      int pages;
      synchronized (this) {
        writingPages = 0;
        notifyAll();
        try {
          awaitDue();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the run is ending: write what is pending now
        }
        if (pending == null) {
          writing = false;
          notifyAll();
          return;
        }
        next = pending;
        pages = pendingPages;
        writingPages = pages;
        pending = null;
        pendingPages = 0;
        lastWriteStart = System.nanoTime();
      }
      try {
        run.outage.call(() -> run.lease.lease().save(next), run::isStopping);
        listener.written(next, pages);
      } catch (Throwable t) {
        synchronized (this) {
          failure = t;
          pending = null;
          writing = false;
          writingPages = 0;
          notifyAll();
        }
        listener.failed(t);
        return;
      }
    }
  }

  /** Under the monitor: waits until a pending checkpoint is due (the interval over, or now). */
  private void awaitDue() throws InterruptedException {
    while (pending != null && !writeNow) {
      long left = lastWriteStart + intervalNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
