package dev.reprocess.kafka;

import dev.reprocess.LeaseHolder;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A distributed job's status, read from any host by {@link DistributedStatusReader}: its shards as
 * published to the shard topic, each one complete, running or waiting by its checkpoint in the
 * checkpoint store (under the job of the partition holding its record), and the counters summed over those checkpoints (so they cover
 * the pages checkpointed so far, not the pages in flight). Immutable.
 *
 * @param jobName the distributed job
 * @param shardTopic the topic its shards were read from
 * @param totalShards shards published to the shard topic (in its committed records, one shard or a
 *     group each); 0 when the topic is missing or empty: see {@link #published()}
 * @param completedShards shards with a COMPLETED checkpoint
 * @param running shards with an IN_PROGRESS checkpoint, sorted by shard id, each with the holder of
 *     its partition's lease (the host where it runs while the lease is live); a shard whose first
 *     page is not checkpointed yet counts as waiting
 * @param waitingShardIds shards without a checkpoint yet and not running, sorted
 * @param selected assets read, summed over the shards' checkpoints
 * @param succeeded events that succeeded, summed
 * @param skipped events the handler skipped, summed
 * @param deadLettered events sent to the dead-letter sink, summed
 * @param readAt when the store was read (the reader's clock)
 */
public record DistributedJobStatus(
    String jobName,
    String shardTopic,
    int totalShards,
    int completedShards,
    List<RunningShard> running,
    List<String> waitingShardIds,
    long selected,
    long succeeded,
    long skipped,
    long deadLettered,
    Instant readAt) {

  public DistributedJobStatus {
    Objects.requireNonNull(jobName, "jobName");
    Objects.requireNonNull(shardTopic, "shardTopic");
    running = List.copyOf(running);
    waitingShardIds = List.copyOf(waitingShardIds);
    Objects.requireNonNull(readAt, "readAt");
  }

  /** Whether the job's shards were published: the shard topic holds at least one committed shard. */
  public boolean published() {
    return totalShards > 0;
  }

  /** Shards with an IN_PROGRESS checkpoint. */
  public int runningShards() {
    return running.size();
  }

  /** Shards without a checkpoint yet. */
  public int waitingShards() {
    return waitingShardIds.size();
  }

  /** Events whose outcome is final: succeeded + skipped + dead-lettered. */
  public long delivered() {
    return succeeded + skipped + deadLettered;
  }

  /** Whether the shards were published and every one of them is complete. */
  public boolean complete() {
    return totalShards > 0 && completedShards == totalShards;
  }

  /**
   * A shard with an IN_PROGRESS checkpoint.
   *
   * @param shardId the shard
   * @param holder the holder of its partition's lease (owner id with its host, fencing token, last
   *     renewal, expiry), possibly expired; empty when none is held or the store does not tell
   * @param selected assets of the shard read so far (checkpointed)
   */
  public record RunningShard(String shardId, Optional<LeaseHolder> holder, long selected) {
    public RunningShard {
      Objects.requireNonNull(shardId, "shardId");
      Objects.requireNonNull(holder, "holder");
    }

    /** Whether a holder is known and its lease had not expired at {@code at}: the shard runs now. */
    public boolean runningAt(Instant at) {
      return holder.map(h -> !h.expiredAt(at)).orElse(false);
    }
  }
}
