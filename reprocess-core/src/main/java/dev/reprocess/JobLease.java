package dev.reprocess;

import java.time.Instant;
import java.util.List;

/**
 * The exclusive right to run one job, granted by a {@link CheckpointStore} ({@link
 * CheckpointStore#acquireLease}) to one owner at a time, for a time to live that the holder
 * renews. Each acquisition that takes the lease from another owner (or from nobody) gets a {@link
 * #fencingToken() fencing token} higher than any before it for the job; the store refuses a
 * checkpoint write of any lease but the current one, so an old holder that was paused or cut off
 * past its lease can never overwrite the progress of the one that took over.
 *
 * <p>What a store providing leases must guarantee:
 *
 * <ul>
 *   <li>at most one unexpired lease per job at any time; acquiring is an atomic compare-and-set
 *       on the stored holder (a lightweight transaction in Cassandra, an OS file lock for files);
 *   <li>fencing tokens of a job only grow, and survive {@link CheckpointStore#delete};
 *   <li>{@link #save} lands only while this lease is the current one (atomically with the check),
 *       else throws {@link LeaseLostException}; so does {@link #renew()}. The engine writes every
 *       checkpoint of a run through its lease ({@link CheckpointStore#save} stays unfenced, for
 *       tools); it deletes checkpoints ({@code restart}) and stores the selection definition
 *       through the store, right after acquiring the lease;
 *   <li>{@link #close()} releases the lease (the next owner need not wait for it to expire) only if
 *       it is still the current one; it is idempotent and never throws for a lost lease.
 * </ul>
 *
 * <p>A store without leases returns {@link #none(CheckpointStore)}: the engine then runs without exclusivity and
 * logs a warning. Expiry compares instants of the processes' clocks: keep them synchronized (NTP)
 * well within the time to live.
 *
 * <p>Thread-safe: the engine renews from its lease thread while shard readers save checkpoints.
 */
public interface JobLease extends AutoCloseable {

  /** The job. */
  String jobName();

  /** The lease as last acquired or renewed: owner id, fencing token, renewal and expiry. */
  LeaseHolder holder();

  /** The owner id this lease was granted to. */
  default String owner() {
    return holder().owner();
  }

  /** The lease's fencing token: higher than that of every earlier lease of the job. */
  default long fencingToken() {
    return holder().fencingToken();
  }

  /** When the lease expires unless renewed. */
  default Instant expiresAt() {
    return holder().expiresAt();
  }

  /**
   * Extends the lease by its time to live from now. Called by the engine every third of the time
   * to live, from its lease thread; may block on I/O.
   *
   * @throws LeaseLostException if another owner took the lease over
   * @throws ReprocessException if the store cannot be reached (the engine retries until the lease
   *     would expire, then fails the run)
   */
  void renew();

  /**
   * Stores a checkpoint of the job if, and only if, this lease is still the current one, atomically
   * with that check; durable before returning. May be called from several threads at once (the
   * engine itself writes through {@link #saveAll}, from one thread per run).
   *
   * @throws LeaseLostException if another owner took the lease over: nothing was written
   * @throws ReprocessException if it cannot be stored
   */
  void save(Checkpoint checkpoint);

  /**
   * Stores several checkpoints of the job, at most one per shard, each only while this lease is the
   * current one; durable before returning. The engine hands a run's pending checkpoints in together
   * (from one thread per run), so that a store can write them at a lower cost than one {@link #save}
   * each; this default saves them one by one, in order. {@code CassandraCheckpointStore} writes
   * them as conditional batches on the job's partition, one lightweight transaction per batch.
   *
   * @throws LeaseLostException if another owner took the lease over: the checkpoint it was refused
   *     for and those after it were not written (earlier ones may have been)
   * @throws ReprocessException if they cannot be stored (some may have been)
   */
  default void saveAll(List<Checkpoint> checkpoints) {
    for (Checkpoint c : checkpoints) {
      save(c);
    }
  }

  /** Whether this is a real lease; false only for a {@link #none} one. */
  default boolean exclusive() {
    return true;
  }

  /** Releases the lease if it is still the current one. Idempotent; never throws for a lost lease. */
  @Override
  void close();

  /**
   * The value of a store without leases: no exclusivity; {@link #save} writes straight to the
   * store, renewing and closing do nothing, the fencing token is 0.
   */
  static JobLease none(CheckpointStore store) {
    return new dev.reprocess.internal.NoLease(store);
  }
}
