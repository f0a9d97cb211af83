package dev.reprocess;

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

  /** Releases the store's resources; never closes a client the host passed in. Idempotent. */
  @Override
  default void close() {}
}
