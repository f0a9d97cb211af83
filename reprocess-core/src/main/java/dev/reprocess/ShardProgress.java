package dev.reprocess;

import java.util.OptionalLong;

/**
 * One shard's progress within a {@link JobProgress}. Counts cover the current execution only
 * (not earlier runs resumed from a checkpoint). Immutable.
 *
 * @param shardId the shard
 * @param state where the shard stands
 * @param selected assets read from the shard
 * @param succeeded events that succeeded
 * @param skipped events the handler skipped
 * @param deadLettered events sent to the dead-letter sink
 * @param pagesCompleted pages whose checkpoint was written
 * @param estimatedCount the selector's {@link AssetSelector#estimateCount} for the shard, if known
 */
public record ShardProgress(
    String shardId,
    State state,
    long selected,
    long succeeded,
    long skipped,
    long deadLettered,
    long pagesCompleted,
    OptionalLong estimatedCount) {

  /** A shard's state within one execution. */
  public enum State {
    /** Not started yet. */
    PENDING,
    /** Being read. */
    RUNNING,
    /** Finished in this execution. */
    COMPLETED,
    /** Finished in an earlier run (its checkpoint is {@link Checkpoint.State#COMPLETED}); not read. */
    ALREADY_COMPLETED,
    /** Stopped before its end (cancel, failure); resumes from its checkpoint on the next run. */
    STOPPED,
    /** Its pages could not be read, or its checkpoint could not be written. */
    FAILED
  }

  /** Succeeded, skipped and dead-lettered events. */
  public long processed() {
    return succeeded + skipped + deadLettered;
  }
}
