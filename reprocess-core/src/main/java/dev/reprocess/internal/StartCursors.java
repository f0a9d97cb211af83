package dev.reprocess.internal;

import dev.reprocess.AssetSelector;
import dev.reprocess.Checkpoint;
import dev.reprocess.Cursor;
import dev.reprocess.ShardProgress;
import java.util.List;

/**
 * Pins the start of every shard that has no checkpoint yet and whose selector gives it a {@link
 * AssetSelector#startCursor start cursor}: saved as the shard's checkpoint after the preflight and
 * before the first event, so a resumed run starts such a shard from the state the first run
 * listed, not from one listed again.
 */
final class StartCursors {

  private StartCursors() {}

  static void pin(RunContext run, List<ShardState> states) {
    AssetSelector selector = run.spec.selector();
    int pinned = 0;
    for (ShardState s : states) {
      if (s.state != ShardProgress.State.PENDING || s.base != null) {
        continue;
      }
      Cursor start = selector.startCursor(s.shard);
      if (start == null) {
        continue;
      }
      s.cursor = start;
      Checkpoint pin = new Checkpoint(run.name, s.shard.id(), start, Checkpoint.State.IN_PROGRESS,
          0, 0, 0, 0, run.clock.instant());
      run.outage.call(() -> run.lease.lease().save(pin), run::isStopping);
      pinned++;
    }
    if (pinned > 0) {
      RunContext.LOG.info("{}pinned the start of {} new shard(s) in their checkpoints", run.prefix, pinned);
    }
  }
}
