package dev.reprocess;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

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
   * Forgets every checkpoint of a job, and its stored selection definition (the job's {@code
   * restart} option does this).
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

  /**
   * The selection definition stored with the job's checkpoints (see {@link
   * AssetSelector#selectionDefinition()}), for the engine to refuse resuming under another
   * selection. A store must return what {@link #saveSelection} stored last for the job, until
   * {@link #delete} forgets it. The default stores nothing and returns empty: a host's own store
   * that keeps definitions overrides this, {@link #saveSelection} and {@link #keepsSelection}; one
   * that does not opts out of the check, and the engine logs a warning once per run.
   *
   * @return the stored definition; empty when none was stored or the store does not keep one
   * @throws ReprocessException if the store cannot be read
   */
  default Optional<String> loadSelection(String jobName) {
    return Optional.empty();
  }

  /**
   * Stores the job's selection definition durably before returning, replacing the previous one;
   * {@link #delete} forgets it with the checkpoints. Called by the coordinator thread before the
   * run's first checkpoint. The default does nothing (see {@link #loadSelection}).
   *
   * @throws ReprocessException if it cannot be stored
   */
  default void saveSelection(String jobName, String definition) {}

  /**
   * Whether this store keeps selection definitions ({@link #loadSelection}, {@link
   * #saveSelection}); false by default, and then the engine skips the selection check with a
   * warning. The built-in stores return true.
   */
  default boolean keepsSelection() {
    return false;
  }

  /**
   * Acquires the job's {@link JobLease lease} for {@code owner}, so that one process at a time runs
   * the job and only its checkpoint writes land (see {@link JobLease} for what a store must
   * guarantee). Called by the engine's coordinator thread before the run reads or writes
   * anything; may block on I/O. The run then writes its checkpoints through the lease ({@link
   * JobLease#saveAll}, a round of shards at a time).
   *
   * <p>The default returns {@link JobLease#none(CheckpointStore) JobLease.none(this)}: the store opts out of leases (the engine runs
   * without exclusivity and logs a warning). A host's own store shared by several processes
   * should implement it.
   *
   * @param owner the owner id, unique per run (host, process id and a random part)
   * @param timeToLive how long the lease lasts unless renewed, positive
   * @param takeOverExpired whether an expired lease of another owner is taken over (with a higher
   *     fencing token); if false, it is reported like a live one
   * @return the lease, or {@link JobLease#none(CheckpointStore)} if the store has no leases
   * @throws LeaseHeldException if another owner holds a live lease, or an expired one and {@code
   *     takeOverExpired} is false; it names the holder
   * @throws ReprocessException if the store cannot be reached
   */
  default JobLease acquireLease(String jobName, String owner, Duration timeToLive,
      boolean takeOverExpired) {
    return JobLease.none(this);
  }

  /**
   * Who holds the job's lease now, read without acquiring or changing anything, for a status
   * reader on any host ({@link JobStatusReader}). The default returns empty: a store without leases,
   * or one that does not expose its holder, reports no holder.
   *
   * @return the current holder, possibly expired (see {@link LeaseHolder#expiredAt}); empty when
   *     no lease is held or the store does not tell
   * @throws ReprocessException if the store cannot be read
   */
  default Optional<LeaseHolder> leaseHolder(String jobName) {
    return Optional.empty();
  }

  /** Releases the store's resources; never closes a client the host passed in. Idempotent. */
  @Override
  default void close() {}
}
