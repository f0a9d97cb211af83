package dev.reprocess.kafka.internal;

import dev.reprocess.Checkpoint;
import dev.reprocess.LeaseHolder;
import dev.reprocess.kafka.DistributedJobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/** Sums the status of a distributed job's partition jobs into the job's status. */
public final class StatusSummary {
  private StatusSummary() {}

  /**
   * What the store holds of one shard-topic partition's job.
   *
   * @param checkpoints the partition's shards' checkpoints, by shard id
   * @param holder the holder of its lease, possibly expired; empty when none
   */
  public record PartitionState(Map<String, Checkpoint> checkpoints, Optional<LeaseHolder> holder) {
    public PartitionState {
      checkpoints = Map.copyOf(checkpoints);
      Objects.requireNonNull(holder, "holder");
    }
  }

  /**
   * The job's status from its published records and their partition jobs' state: a shard is
   * complete with a COMPLETED checkpoint, running with an IN_PROGRESS one (on the host holding its
   * partition's lease), waiting without one. The counts sum the checkpoints of the records' shards.
   *
   * @param records the published records' shard ids by record id (the running and waiting lists
   *     of the result are sorted by shard id)
   * @param stateOf the state of the partition job of a record's partition, by record id
   */
  public static DistributedJobStatus of(String jobName, String shardTopic, Map<String, List<String>> records,
      Function<String, PartitionState> stateOf, Instant readAt) {
    int total = 0;
    int completed = 0;
    long selected = 0;
    long succeeded = 0;
    long skipped = 0;
    long deadLettered = 0;
    List<DistributedJobStatus.RunningShard> running = new ArrayList<>();
    List<String> waiting = new ArrayList<>();
    for (Map.Entry<String, List<String>> record : records.entrySet()) {
      PartitionState state = stateOf.apply(record.getKey());
      for (String id : record.getValue()) {
        total++;
        Checkpoint c = state.checkpoints().get(id);
        if (c == null) {
          waiting.add(id);
          continue;
        }
        if (c.completed()) {
          completed++;
        } else {
          running.add(new DistributedJobStatus.RunningShard(id, state.holder(), c.selected()));
        }
        selected += c.selected();
        succeeded += c.succeeded();
        skipped += c.skipped();
        deadLettered += c.deadLettered();
      }
    }
    running.sort(Comparator.comparing(DistributedJobStatus.RunningShard::shardId));
    waiting.sort(Comparator.naturalOrder());
    return new DistributedJobStatus(jobName, shardTopic, total, completed, running, waiting, selected,
        succeeded, skipped, deadLettered, readAt);
  }
}
