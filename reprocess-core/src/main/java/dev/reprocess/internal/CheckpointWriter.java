package dev.reprocess.internal;

import dev.reprocess.Checkpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Writes a run's checkpoints in the background, so that no shard reader waits for a write (a
 * fenced save under a lease is a lightweight transaction, a Paxos round): one round of writes per
 * {@code checkpointInterval}, each round one {@link dev.reprocess.JobLease#saveAll} of the newest
 * checkpoint of every shard that has one pending (a store writes them together: with Cassandra,
 * one conditional batch on the job's partition instead of a transaction per shard).
 *
 * <p>Coalescing, in order: at most one round is in flight; a shard's checkpoints handed in
 * meanwhile, or before the interval since the previous round began (or since the run started) is
 * over, replace each other, and only the newest is written next: a shard read within one interval
 * writes only its last checkpoint, a COMPLETED one included. A cursor is therefore never written
 * after a newer one, and a crash loses at most the pages after the last written checkpoint (read
 * again by the next run: at-least-once). {@link #drain()} writes what is pending at once. With an
 * interval of 0, rounds follow each other without a pause, and {@link Shard#submit} waits once
 * {@value #MAX_PAGES_UNWRITTEN} final pages of its shard are not yet written, so that those pages
 * stay bounded when writes are slower than reads.
 *
 * <p>After a failed round nothing more is written: every shard of that round is told {@link
 * Listener#failed}, and later checkpoints are dropped (the run is failing).
 *
 * <p>Thread safety: {@link Shard#submit} and {@link Shard#awaitWritten} are called by the shard's
 * reader, {@link #drain} by the run's coordinator; rounds run on the executor; the state between
 * them is guarded by this object's monitor.
 */
final class CheckpointWriter {

  /** With an interval of 0: final pages of a shard whose checkpoint may be unwritten before submit waits. */
  static final int MAX_PAGES_UNWRITTEN = 4;

  /** Told of each write of one shard's checkpoint, on the writer's thread. */
  interface Listener {

    /** A checkpoint was written; it covers {@code pages} pages since the shard's previous write. */
    void written(Checkpoint checkpoint, int pages);

    /** The round that held the shard's checkpoint failed; nothing more of the run is written. */
    void failed(Throwable failure);
  }

  private final RunContext run;
  private final Executor executor;
  private final long intervalNanos;
  private final int maxUnwritten;
  /** Shards with a pending checkpoint, in the order they handed one in. */
  private final Set<Shard> dirty = new LinkedHashSet<>();
  private boolean writing;
  private boolean writeNow;
  /** When the last round began, or the writer was made: a run's first round waits for the interval too. */
  private long lastRoundStart = System.nanoTime();
  private Throwable failure;

  CheckpointWriter(RunContext run, Executor executor, Duration interval) {
    this.run = run;
    this.executor = executor;
    this.intervalNanos = interval.toNanos();
    this.maxUnwritten = interval.isZero() ? MAX_PAGES_UNWRITTEN : Integer.MAX_VALUE;
  }

  /** The writer's view of one shard, for its reader. */
  Shard shard(Listener listener) {
    return new Shard(listener);
  }

  /**
   * Writes what is pending at once and waits until every handed-in checkpoint is written or the
   * writer failed (the failure went to the shards' listeners).
   */
  synchronized void drain() throws InterruptedException {
    writeNow = true;
    notifyAll();
    while (writing) {
      wait();
    }
  }

  /** On the executor: rounds, one per interval, until nothing is pending. */
  private void writeRounds() {
    List<Shard> round = List.of();
    while (true) {
      List<Checkpoint> checkpoints;
      synchronized (this) {
        for (Shard s : round) {
          s.writingPages = 0;
        }
        notifyAll();
        try {
          awaitDue();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the run is ending: write what is pending now
        }
        if (dirty.isEmpty()) {
          writing = false;
          notifyAll();
          return;
        }
        round = new ArrayList<>(dirty);
        dirty.clear();
        checkpoints = new ArrayList<>(round.size());
        for (Shard s : round) {
          checkpoints.add(s.pending);
          s.writing = s.pending;
          s.writingPages = s.pendingPages;
          s.pending = null;
          s.pendingPages = 0;
        }
        lastRoundStart = System.nanoTime();
      }
      if (!write(round, checkpoints)) {
        return;
      }
    }
  }

  /** Writes one round and tells its shards; false (and the writer stopped) if it failed. */
  private boolean write(List<Shard> round, List<Checkpoint> checkpoints) {
    try {
      run.outage.call(() -> run.lease.lease().saveAll(checkpoints), run::isStopping);
    } catch (Throwable t) {
      for (Shard s : round) {
        s.listener.failed(t);
      }
      synchronized (this) {
        failure = t;
        for (Shard s : dirty) {
          s.pending = null;
          s.pendingPages = 0;
        }
        dirty.clear();
        writing = false;
        notifyAll();
      }
      return false;
    }
    for (Shard s : round) {
      s.listener.written(s.writing, s.writingPages);
    }
    return true;
  }

  /** Under the monitor: waits until a round is due (the interval over, or now). */
  private void awaitDue() throws InterruptedException {
    while (!dirty.isEmpty() && !writeNow) {
      long left = lastRoundStart + intervalNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** One shard's checkpoints: what is pending and what is being written. Guarded by the writer. */
  final class Shard {
    private final Listener listener;
    private Checkpoint pending;
    private int pendingPages;
    private Checkpoint writing;
    private int writingPages;

    private Shard(Listener listener) {
      this.listener = listener;
    }

    /**
     * Hands in the checkpoint after one more final page; returns at once (with an interval of 0,
     * waits while {@value #MAX_PAGES_UNWRITTEN} final pages of the shard are unwritten). Dropped
     * once a round failed: the run is failing, and nothing is written after a failure.
     */
    void submit(Checkpoint checkpoint) throws InterruptedException {
      synchronized (CheckpointWriter.this) {
        while (pendingPages + writingPages >= maxUnwritten && failure == null) {
          CheckpointWriter.this.wait();
        }
        if (failure != null) {
          return;
        }
        pending = checkpoint;
        pendingPages++;
        dirty.add(this);
        if (!CheckpointWriter.this.writing) {
          CheckpointWriter.this.writing = true;
          executor.execute(CheckpointWriter.this::writeRounds);
        } else if (intervalNanos == 0) {
          CheckpointWriter.this.notifyAll(); // a round waiting: now
        }
      }
    }

    /** Waits until every checkpoint handed in for the shard is written, or a round failed. */
    void awaitWritten() throws InterruptedException {
      synchronized (CheckpointWriter.this) {
        while ((pendingPages + writingPages) > 0 && failure == null) {
          CheckpointWriter.this.wait();
        }
      }
    }
  }
}
