package dev.reprocess.kafka.internal;

import dev.reprocess.Checkpoint;
import java.util.List;
import java.util.Map;

/**
 * Which partition job each shard of a host job belongs to: the job of the shard-topic partition
 * that holds the shard's record. Immutable.
 *
 * @param partitionJobs the partition jobs, in the order their leases are acquired
 * @param partitionJobOfShard partition job name by shard id
 */
record PartitionRouting(List<String> partitionJobs, Map<String, String> partitionJobOfShard) {
  PartitionRouting {
    partitionJobs = List.copyOf(partitionJobs);
    partitionJobOfShard = Map.copyOf(partitionJobOfShard);
  }

  /**
   * The partition job of a shard.
   *
   * @throws IllegalArgumentException if the shard is not one of the host job's
   */
  String partitionJob(String shardId) {
    String job = partitionJobOfShard.get(shardId);
    if (job == null) {
      throw new IllegalArgumentException("shard '" + shardId + "' is not one of this host job's shards");
    }
    return job;
  }

  /** The checkpoint under another job's name. */
  static Checkpoint renamed(Checkpoint c, String jobName) {
    return c.jobName().equals(jobName) ? c : new Checkpoint(jobName, c.shardId(), c.cursor(), c.state(),
        c.selected(), c.succeeded(), c.skipped(), c.deadLettered(), c.updatedAt());
  }
}
