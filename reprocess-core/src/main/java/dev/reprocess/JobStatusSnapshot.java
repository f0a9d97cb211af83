package dev.reprocess;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A job's status as its checkpoint store holds it, read from any host by {@link JobStatusReader}.
 * Immutable. Counters are sums over the job's checkpoints, so they cover the pages checkpointed
 * so far (pages in flight are not counted yet).
 *
 * @param jobName the job
 * @param totalShards the number of shards of the job's selection, or {@code -1} when unknown (the
 *     reader was not told it); with an unknown total, {@code waitingShards} is {@code -1} and
 *     {@code complete} is false
 * @param completedShards shards with a {@link Checkpoint.State#COMPLETED COMPLETED} checkpoint
 * @param runningShardIds shards with an {@link Checkpoint.State#IN_PROGRESS IN_PROGRESS}
 *     checkpoint, sorted; they run where {@code leaseHolder} says while its lease is live, and
 *     resume from their cursor at the next run otherwise
 * @param waitingShards shards without a checkpoint (never started), or {@code -1} if the total is
 *     unknown
 * @param selected assets read, summed over the checkpoints
 * @param succeeded events that succeeded, summed
 * @param skipped events the handler skipped, summed
 * @param deadLettered events sent to the dead-letter sink, summed
 * @param leaseHolder who holds the job's lease (owner id with its host, fencing token, last
 *     renewal), possibly expired; empty when none is held or the store does not tell
 * @param complete whether every shard of the selection has a COMPLETED checkpoint
 * @param readAt when the snapshot was read (the reader's clock)
 */
public record JobStatusSnapshot(
    String jobName,
    int totalShards,
    int completedShards,
    List<String> runningShardIds,
    int waitingShards,
    long selected,
    long succeeded,
    long skipped,
    long deadLettered,
    Optional<LeaseHolder> leaseHolder,
    boolean complete,
    Instant readAt) {

  public JobStatusSnapshot {
    Objects.requireNonNull(jobName, "jobName");
    runningShardIds = List.copyOf(runningShardIds);
    Objects.requireNonNull(leaseHolder, "leaseHolder");
    Objects.requireNonNull(readAt, "readAt");
  }

  /** Shards with an IN_PROGRESS checkpoint. */
  public int runningShards() {
    return runningShardIds.size();
  }

  /** Events whose outcome is final: succeeded + skipped + dead-lettered. */
  public long delivered() {
    return succeeded + skipped + deadLettered;
  }

  /** Whether a lease holder is known and its lease had not expired when the snapshot was read. */
  public boolean runningNow() {
    return leaseHolder.map(h -> !h.expiredAt(readAt)).orElse(false);
  }
}
