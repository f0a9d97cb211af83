package dev.reprocess.checkpoint;

import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHolder;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps checkpoints in memory: a re-run resumes only within the same JVM and with the same store
 * object. The default store of a job; handy in tests. Thread-safe; {@link #save} is durable as soon
 * as it returns (for the life of the JVM). Holds one checkpoint per shard of every job saved.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {

  private final Map<String, Map<String, Checkpoint>> byJob = new ConcurrentHashMap<>();
  private final Map<String, String> selections = new ConcurrentHashMap<>();
  private final InMemoryLeases leases = new InMemoryLeases(Clock.systemUTC(), this::save);

  @Override
  public Map<String, Checkpoint> load(String jobName) {
    Objects.requireNonNull(jobName, "jobName");
    Map<String, Checkpoint> shards = byJob.get(jobName);
    return shards == null ? Map.of() : Map.copyOf(shards);
  }

  @Override
  public void save(Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    byJob.computeIfAbsent(checkpoint.jobName(), j -> new ConcurrentHashMap<>())
        .put(checkpoint.shardId(), checkpoint);
  }

  @Override
  public void delete(String jobName) {
    Objects.requireNonNull(jobName, "jobName");
    byJob.remove(jobName);
    selections.remove(jobName);
  }

  @Override
  public Optional<String> loadSelection(String jobName) {
    return Optional.ofNullable(selections.get(Objects.requireNonNull(jobName, "jobName")));
  }

  @Override
  public void saveSelection(String jobName, String definition) {
    selections.put(Objects.requireNonNull(jobName, "jobName"),
        Objects.requireNonNull(definition, "definition"));
  }

  /**
   * A lease within this store object (so within one JVM), with the semantics of {@link JobLease}:
   * expiry on the system clock, fencing tokens from 1 per job.
   */
  @Override
  public JobLease acquireLease(String jobName, String owner, Duration timeToLive,
      boolean takeOverExpired) {
    Objects.requireNonNull(jobName, "jobName");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(timeToLive, "timeToLive");
    return leases.acquire(jobName, owner, timeToLive, takeOverExpired);
  }

  /** The holder of this store object's lease for the job, if one is held. */
  @Override
  public Optional<LeaseHolder> leaseHolder(String jobName) {
    return leases.holder(Objects.requireNonNull(jobName, "jobName"));
  }

  @Override
  public boolean keepsSelection() {
    return true;
  }

  @Override
  public String toString() {
    return "InMemoryCheckpointStore[jobs=" + byJob.keySet() + "]";
  }
}
