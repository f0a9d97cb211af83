package dev.reprocess.kafka.internal;

import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHolder;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The checkpoint store a host job sees: one job over the shards of several shard-topic partitions,
 * whose checkpoints and leases are those of the partitions' own jobs ({@link ShardJobs#partitionJob})
 * in the host's store. {@link #load} merges the partition jobs' checkpoints of the host job's shards
 * under the host job's name; {@link #save} writes a checkpoint under its shard's partition job;
 * {@link #acquireLease} acquires every partition job's lease, in order, or none: if one is held
 * elsewhere, those acquired are released and its {@link dev.reprocess.LeaseHeldException} thrown.
 * Selection definitions go to the host's store unchanged. Thread-safe as the host's store is.
 */
final class PartitionCheckpoints implements CheckpointStore {
  private final CheckpointStore store;
  private final PartitionRouting routing;
  private final Consumer<String> completedOnLoad;
  /** The lease {@link #acquireLease} gave, or null. */
  private volatile PartitionLease lease;

  PartitionCheckpoints(CheckpointStore store, PartitionRouting routing) {
    this(store, routing, id -> {});
  }

  /**
   * @param completedOnLoad told the id of each shard that {@link #load} finds COMPLETED (on the
   *     thread that loads)
   */
  PartitionCheckpoints(CheckpointStore store, PartitionRouting routing, Consumer<String> completedOnLoad) {
    this.store = store;
    this.routing = routing;
    this.completedOnLoad = completedOnLoad;
  }

  /**
   * Releases the partition leases {@link #acquireLease} gave, if still held: their next owner need
   * not wait for them to expire, and the host job's later checkpoints and renewals are refused.
   * Idempotent; nothing when none was acquired.
   */
  void releaseLeases() {
    PartitionLease held = lease;
    if (held != null) {
      held.close();
    }
  }

  @Override
  public Map<String, Checkpoint> load(String jobName) {
    Map<String, Checkpoint> merged = new HashMap<>();
    for (String partitionJob : routing.partitionJobs()) {
      for (Checkpoint c : store.load(partitionJob).values()) {
        if (partitionJob.equals(routing.partitionJobOfShard().get(c.shardId()))) {
          merged.put(c.shardId(), PartitionRouting.renamed(c, jobName));
          if (c.completed()) {
            completedOnLoad.accept(c.shardId());
          }
        }
      }
    }
    return merged;
  }

  @Override
  public void save(Checkpoint checkpoint) {
    store.save(PartitionRouting.renamed(checkpoint, routing.partitionJob(checkpoint.shardId())));
  }

  /** Deletes the checkpoints of every partition job (a host job never restarts: not called by the host). */
  @Override
  public void delete(String jobName) {
    for (String partitionJob : routing.partitionJobs()) {
      store.delete(partitionJob);
    }
  }

  @Override
  public void preflight(String jobName) {
    store.preflight(routing.partitionJobs().get(0));
  }

  @Override
  public Optional<String> loadSelection(String jobName) {
    return store.loadSelection(jobName);
  }

  @Override
  public void saveSelection(String jobName, String definition) {
    store.saveSelection(jobName, definition);
  }

  @Override
  public boolean keepsSelection() {
    return store.keepsSelection();
  }

  @Override
  public JobLease acquireLease(String jobName, String owner, Duration timeToLive, boolean takeOverExpired) {
    Map<String, JobLease> leases = new LinkedHashMap<>();
    try {
      for (String partitionJob : routing.partitionJobs()) {
        leases.put(partitionJob, store.acquireLease(partitionJob, owner, timeToLive, takeOverExpired));
      }
    } catch (RuntimeException e) {
      for (JobLease lease : leases.values()) {
        try {
          lease.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    PartitionLease acquired = new PartitionLease(jobName, routing, leases);
    lease = acquired;
    return acquired;
  }

  /** Empty: a host job's lease is its partitions'; read each with the partition job's name. */
  @Override
  public Optional<LeaseHolder> leaseHolder(String jobName) {
    return Optional.empty();
  }

  /** Nothing: the host's store outlives its host jobs. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return store + " (partition jobs " + routing.partitionJobs() + ")";
  }
}
