package dev.reprocess;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a job's status from its {@link CheckpointStore}, on any host that reaches the store: shards
 * completed, running (and where: the lease holder) or waiting, the summed counters, and whether
 * the job is complete. Reads only; never acquires the lease nor writes. Stateless and thread-safe.
 *
 * <p>The reader must be told the number of shards of the job's selection (e.g. {@code
 * selector.shards().size()}) to count waiting shards and to say that the job is complete; without
 * it, see {@link #read(CheckpointStore, String)}.
 */
public final class JobStatusReader {

  private final Clock clock;

  /** A reader on the system UTC clock. */
  public JobStatusReader() {
    this(Clock.systemUTC());
  }

  /** A reader whose {@link JobStatusSnapshot#readAt} comes from {@code clock}. */
  public JobStatusReader(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The job's status when the total number of shards is not known: waiting shards {@code -1},
   * complete false.
   *
   * @throws IllegalArgumentException if {@code jobName} is blank
   * @throws ReprocessException if the store cannot be read
   */
  public JobStatusSnapshot read(CheckpointStore store, String jobName) {
    return build(store, jobName, -1);
  }

  /**
   * The job's status.
   *
   * @param totalShards the number of shards of the job's selection, positive
   * @throws IllegalArgumentException if {@code jobName} is blank, {@code totalShards} is not
   *     positive, or the store holds more shard checkpoints than {@code totalShards}
   * @throws ReprocessException if the store cannot be read
   */
  public JobStatusSnapshot read(CheckpointStore store, String jobName, int totalShards) {
    if (totalShards < 1) {
      throw new IllegalArgumentException("totalShards is " + totalShards
          + ": it must be the selection's number of shards, at least 1");
    }
    return build(store, jobName, totalShards);
  }

  private JobStatusSnapshot build(CheckpointStore store, String jobName, int totalShards) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(jobName, "jobName");
    if (jobName.isBlank()) {
      throw new IllegalArgumentException("jobName is '" + jobName + "': it must not be blank");
    }
    Map<String, Checkpoint> checkpoints = store.load(jobName);
    Optional<LeaseHolder> holder = store.leaseHolder(jobName);
    if (totalShards > 0 && checkpoints.size() > totalShards) {
      throw new IllegalArgumentException("totalShards is " + totalShards + " but the store holds "
          + checkpoints.size() + " shard checkpoints of job '" + jobName
          + "': it must be the number of shards of the job's selection");
    }
    int completed = 0;
    long selected = 0;
    long succeeded = 0;
    long skipped = 0;
    long deadLettered = 0;
    var running = new ArrayList<String>();
    for (Checkpoint c : checkpoints.values()) {
      if (c.completed()) {
        completed++;
      } else {
        running.add(c.shardId());
      }
      selected += c.selected();
      succeeded += c.succeeded();
      skipped += c.skipped();
      deadLettered += c.deadLettered();
    }
    Collections.sort(running);
    int waiting = totalShards < 0 ? -1 : totalShards - checkpoints.size();
    boolean complete = totalShards > 0 && completed == totalShards;
    return new JobStatusSnapshot(jobName, totalShards, completed, running, waiting, selected,
        succeeded, skipped, deadLettered, holder, complete, clock.instant());
  }
}
