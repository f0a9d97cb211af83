package dev.reprocess;

import java.time.Instant;
import java.util.Objects;

/**
 * A shard's persisted progress: the cursor to resume from and the counters so far. Written only
 * after every event of the pages before the cursor is final (succeeded, skipped or
 * dead-lettered), so resuming from it delivers at most the pages that were in flight again.
 *
 * @param jobName the job
 * @param shardId the shard
 * @param cursor where to resume; {@code null} to start the shard from its beginning
 * @param state whether the shard is finished
 * @param selected assets read from the shard so far
 * @param succeeded events that succeeded
 * @param skipped events the handler skipped
 * @param deadLettered events sent to the dead-letter sink
 * @param updatedAt when the checkpoint was written, from the job's clock
 */
public record Checkpoint(
    String jobName,
    String shardId,
    Cursor cursor,
    State state,
    long selected,
    long succeeded,
    long skipped,
    long deadLettered,
    Instant updatedAt) {

  /** A shard's state in a checkpoint. */
  public enum State {
    /** Some pages are done; resume from the cursor. */
    IN_PROGRESS,
    /** Every page is done; a re-run skips the shard. */
    COMPLETED
  }

  public Checkpoint {
    Objects.requireNonNull(jobName, "jobName");
    Objects.requireNonNull(shardId, "shardId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** True when the shard is finished. */
  public boolean completed() {
    return state == State.COMPLETED;
  }
}
