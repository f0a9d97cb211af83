package dev.reprocess.internal;

import dev.reprocess.Checkpoint;
import dev.reprocess.Cursor;
import dev.reprocess.Shard;
import dev.reprocess.ShardProgress;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A shard's state in one execution. The live counters ({@link #selected} ...) are added to from
 * any thread and read by progress snapshots; the checkpoint fields ({@link #cursor}, {@code cp*},
 * {@link #chainBroken}, {@link #lastPageSubmitted}) are touched only by the shard's reader.
 */
final class ShardState {
  final Shard shard;
  /** The checkpoint this execution resumes from, or null. */
  final Checkpoint base;
  volatile ShardProgress.State state = ShardProgress.State.PENDING;
  volatile OptionalLong estimate = OptionalLong.empty();
  final LongAdder selected = new LongAdder();
  final LongAdder succeeded = new LongAdder();
  final LongAdder skipped = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  final AtomicLong pagesCompleted = new AtomicLong();
  Cursor cursor;
  long cpSelected;
  long cpSucceeded;
  long cpSkipped;
  long cpDeadLettered;
  /** Set once a page could not be checkpointed: no later page of the shard is. */
  boolean chainBroken;
  /** Set once the shard's last page was handed to the writer: it is COMPLETED when written. */
  boolean lastPageSubmitted;

  ShardState(Shard shard, Checkpoint base) {
    this.shard = shard;
    this.base = base;
    if (base != null) {
      cursor = base.cursor();
      cpSelected = base.selected();
      cpSucceeded = base.succeeded();
      cpSkipped = base.skipped();
      cpDeadLettered = base.deadLettered();
    }
  }

  boolean isFinished() {
    return state == ShardProgress.State.COMPLETED || state == ShardProgress.State.ALREADY_COMPLETED;
  }

  ShardProgress progress() {
    return new ShardProgress(shard.id(), state, selected.sum(), succeeded.sum(), skipped.sum(),
        deadLettered.sum(), pagesCompleted.get(), estimate);
  }
}
