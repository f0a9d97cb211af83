package dev.reprocess;

import java.util.Map;

/**
 * Persists {@link Checkpoint}s, so that re-running a job with the same name continues where it
 * stopped. Built in: in memory and file-backed (core), a Cassandra table ({@code
 * reprocess-cassandra}).
 *
 * <p>Threading: implementations must be thread-safe; {@link #save} is called concurrently for
 * different shards of a job, never concurrently for the same shard.
 */
public interface CheckpointStore extends AutoCloseable {

  /**
   * Every checkpoint of a job.
   *
   * @return checkpoints by shard id; empty when the job never ran
   * @throws ReprocessException if the store cannot be read
   */
  Map<String, Checkpoint> load(String jobName);

  /**
   * Stores a checkpoint durably before returning, replacing the shard's previous one.
   *
   * @throws ReprocessException if it cannot be stored
   */
  void save(Checkpoint checkpoint);

  /**
   * Forgets every checkpoint of a job (the job's {@code restart} option does this).
   *
   * @throws ReprocessException if the store cannot be written
   */
  void delete(String jobName);

  /**
   * Checks, before the job delivers its first event, that the store can write this job's
   * checkpoints (the directory is writable, the table accepts writes), so that a job never handles
   * events whose progress cannot be saved. Called once per run after {@link #load}; writes nothing
   * the job's {@link #load} would return. The default checks nothing.
   *
   * <p>A backend that is not reachable or not ready yet is signalled with {@link
   * BackendUnavailableException}: the engine waits and calls again within the job's outage budget.
   *
   * @throws ReprocessException with the reason if the job's checkpoints cannot be written
   */
  default void preflight(String jobName) {}

  /** Releases the store's resources; never closes a client the host passed in. Idempotent. */
  @Override
  default void close() {}
}
