package dev.reprocess.kafka.internal;

import dev.reprocess.Checkpoint;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHolder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The lease of a host job: the leases of the partition jobs whose shards it runs, one per
 * shard-topic partition, each with its own fencing token. A checkpoint is saved through the lease of
 * its shard's partition, under that partition job's name, so each partition's checkpoints are fenced
 * by its own lease: a host that lost a partition (frozen past its lease) writes none of its
 * checkpoints, whatever other partitions it still holds.
 *
 * <p>{@link #holder()} is the partition lease that expires first (the engine's renewal deadline),
 * so its owner and fencing token are that partition's; {@link #renew()} renews every partition
 * lease and then fails with the first that was lost or could not be renewed. Thread-safe as its
 * partition leases are.
 */
final class PartitionLease implements JobLease {
  private final String jobName;
  private final PartitionRouting routing;
  /** By partition job name, in the order acquired. */
  private final Map<String, JobLease> leases;

  PartitionLease(String jobName, PartitionRouting routing, Map<String, JobLease> leases) {
    if (leases.isEmpty()) {
      throw new IllegalArgumentException("a host job's lease needs at least one partition lease");
    }
    this.jobName = jobName;
    this.routing = routing;
    this.leases = Collections.unmodifiableMap(new LinkedHashMap<>(leases));
  }

  @Override
  public String jobName() {
    return jobName;
  }

  @Override
  public LeaseHolder holder() {
    return leases.values().stream().map(JobLease::holder).min(Comparator.comparing(LeaseHolder::expiresAt))
        .orElseThrow();
  }

  /** Renews every partition lease, then throws the first failure, if any (the others still renewed). */
  @Override
  public void renew() {
    onEach(JobLease::renew);
  }

  @Override
  public void save(Checkpoint checkpoint) {
    String partitionJob = routing.partitionJob(checkpoint.shardId());
    leases.get(partitionJob).save(PartitionRouting.renamed(checkpoint, partitionJob));
  }

  /**
   * Saves the checkpoints of each partition through its lease, partition by partition in the order
   * their first checkpoint comes. So when a partition's lease refuses them ({@link
   * dev.reprocess.LeaseLostException}), the checkpoints of the partitions before it were written and
   * those of the partitions after it not, whatever their order in the list.
   */
  @Override
  public void saveAll(List<Checkpoint> checkpoints) {
    Map<String, List<Checkpoint>> byPartition = new LinkedHashMap<>();
    for (Checkpoint c : checkpoints) {
      String partitionJob = routing.partitionJob(c.shardId());
      byPartition.computeIfAbsent(partitionJob, p -> new ArrayList<>()).add(PartitionRouting.renamed(c, partitionJob));
    }
    byPartition.forEach((partitionJob, list) -> leases.get(partitionJob).saveAll(list));
  }

  @Override
  public boolean exclusive() {
    return leases.values().iterator().next().exclusive();
  }

  /** Releases every partition lease still held; a store that cannot be reached fails it after the others. */
  @Override
  public void close() {
    onEach(JobLease::close);
  }

  /** Calls {@code action} on every partition lease in order, then throws the first failure (the later ones suppressed). */
  private void onEach(Consumer<JobLease> action) {
    RuntimeException first = null;
    for (JobLease lease : leases.values()) {
      try {
        action.accept(lease);
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "PartitionLease[" + jobName + ": " + leases.keySet() + "]";
  }
}
