package dev.reprocess.kafka.internal;

import dev.reprocess.JobStatusSnapshot;
import dev.reprocess.kafka.DistributedJobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/** Sums the status of a distributed job's shard jobs into the job's status. */
public final class StatusSummary {
  private StatusSummary() {}

  /**
   * The job's status from its published shard ids and each shard job's status: a shard is complete
   * with a COMPLETED checkpoint, running with an IN_PROGRESS one or a live lease (a shard job holds
   * it before its first checkpoint), waiting otherwise.
   *
   * @param shardIds the published shards, in the order the lists of the result keep
   * @param shardStatus the status of a shard's shard job (read with a total of 1 shard)
   */
  public static DistributedJobStatus of(String jobName, String shardTopic, Collection<String> shardIds,
      Function<String, JobStatusSnapshot> shardStatus, Instant readAt) {
    int completed = 0;
    long selected = 0;
    long succeeded = 0;
    long skipped = 0;
    long deadLettered = 0;
    List<DistributedJobStatus.RunningShard> running = new ArrayList<>();
    List<String> waiting = new ArrayList<>();
    for (String id : shardIds) {
      JobStatusSnapshot s = shardStatus.apply(id);
      if (s.complete()) {
        completed++;
      } else if (s.runningShards() > 0 || s.runningNow()) { // started: a checkpoint, or a live lease before the first
        running.add(new DistributedJobStatus.RunningShard(id, s.leaseHolder(), s.selected()));
      } else {
        waiting.add(id);
      }
      selected += s.selected();
      succeeded += s.succeeded();
      skipped += s.skipped();
      deadLettered += s.deadLettered();
    }
    return new DistributedJobStatus(jobName, shardTopic, shardIds.size(), completed, running, waiting, selected,
        succeeded, skipped, deadLettered, readAt);
  }
}
