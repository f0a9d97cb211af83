package dev.reprocess.examples;

import dev.reprocess.Checkpoint;
import java.time.Instant;
import java.util.Map;

/**
 * A job's counts summed over its checkpoints (all runs), for status, reset and the "already
 * completed" line.
 *
 * @param shards shards with a checkpoint
 * @param completed of those, the completed ones
 * @param selected assets read, all shards
 * @param succeeded events that succeeded
 * @param skipped events the handler skipped
 * @param deadLettered events dead-lettered
 * @param lastWritten when the newest checkpoint was written; null without checkpoints
 */
record CheckpointTotals(int shards, long completed, long selected, long succeeded, long skipped, long deadLettered,
    Instant lastWritten) {

  static CheckpointTotals of(Map<String, Checkpoint> checkpoints) {
    return new CheckpointTotals(checkpoints.size(),
        checkpoints.values().stream().filter(Checkpoint::completed).count(),
        checkpoints.values().stream().mapToLong(Checkpoint::selected).sum(),
        checkpoints.values().stream().mapToLong(Checkpoint::succeeded).sum(),
        checkpoints.values().stream().mapToLong(Checkpoint::skipped).sum(),
        checkpoints.values().stream().mapToLong(Checkpoint::deadLettered).sum(),
        checkpoints.values().stream().map(Checkpoint::updatedAt).max(Instant::compareTo).orElse(null));
  }
}
