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

  /** Releases the store's resources; never closes a client the host passed in. Idempotent. */
  @Override
  default void close() {}

  /**
   * The preflight: called by the engine once per execution, before it delivers anything, to say
   * whether this store is usable (its backend answers, its table or directory is writable). Returns normally when it is;
   * throws {@link BackendUnavailableException} when its backend is not reachable or not ready yet
   * (the engine waits and calls again within the job's outage budget); throws any other exception,
   * whose message names the reason, when it cannot be used (a configuration error), and the job
   * fails before its first event with nothing written. Must not write anything the job would see.
   * The default does nothing (always usable).
   */
  default void preflight() {}
}
