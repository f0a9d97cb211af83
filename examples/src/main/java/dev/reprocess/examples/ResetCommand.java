package dev.reprocess.examples;

import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobLease;
import dev.reprocess.LeaseHeldException;
import dev.reprocess.ReprocessException;
import dev.reprocess.ReprocessJob;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code reset JOB}: deletes a job's checkpoints and stored selection ({@link
 * CheckpointStore#delete}), so that its next run starts over. Nothing else is touched: not the
 * assets, not the other jobs' checkpoints. It takes the job's lease first, so a job running
 * elsewhere is not reset under it.
 */
@Command(name = "reset", mixinStandardHelpOptions = true,
    description = "Delete the checkpoints of JOB (CassandraCheckpointStore), so that its next run starts over."
        + " Refused while the job runs elsewhere (its lease is held). Deletes nothing else.")
final class ResetCommand extends BaseCommand {
  /** How long the lease taken for the delete lasts if this process dies meanwhile. */
  static final Duration LEASE_TIME_TO_LIVE = Duration.ofSeconds(30);

  @Parameters(index = "0", paramLabel = "JOB", description = "Job name, e.g. backfill-sha256 (see `status`).")
  String job;

  @Override
  Set<Backends.Kind> backends() {
    return EnumSet.of(Backends.Kind.CASSANDRA);
  }

  @Override
  int call(Backends backends, Lifecycle lifecycle) {
    Catalog catalog = Catalog.open(backends.cassandra(), connection.keyspace);
    out().println(reset(catalog.checkpointStore(), job, "keyspace " + catalog.keyspace()));
    return EXIT_OK;
  }

  /**
   * Deletes {@code job}'s checkpoints from {@code store} under the job's lease.
   *
   * @param where where the store is, for the message, e.g. {@code keyspace asset_catalog}
   * @return what was deleted, one line
   * @throws IllegalArgumentException if {@code job} is not a job name
   * @throws ReprocessException if the job runs elsewhere (nothing is deleted) or the store fails
   */
  static String reset(CheckpointStore store, String job, String where) {
    if (job == null || !job.matches(ReprocessJob.NAME_PATTERN)) {
      throw new IllegalArgumentException("JOB is '" + job + "': it must be a job name, 1 to 200 of A-Z a-z 0-9"
          + " . _ - (see `status` for the jobs that have checkpoints)");
    }
    Map<String, Checkpoint> checkpoints = store.load(job);
    if (checkpoints.isEmpty()) {
      return "job '" + job + "' has no checkpoints in " + where + ": nothing to reset";
    }
    JobLease lease = lease(store, job);
    try (lease) {
      store.delete(job);
    }
    CheckpointTotals t = CheckpointTotals.of(checkpoints);
    return String.format(java.util.Locale.ROOT, "job '%s': deleted the checkpoints of %s shards (%s completed, %s"
        + " assets selected, the last written %s) and its stored selection from %s; its next run starts over", job,
        Report.number(t.shards()), Report.number(t.completed()), Report.number(t.selected()), t.lastWritten(), where);
  }

  /** The job's lease for this process, taken over if expired; refused, naming the holder, if live. */
  private static JobLease lease(CheckpointStore store, String job) {
    String owner = "asset-catalog-reset/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID();
    try {
      return store.acquireLease(job, owner, LEASE_TIME_TO_LIVE, true);
    } catch (LeaseHeldException e) {
      throw new ReprocessException("job '" + job + "' is running elsewhere (its lease is held by " + e.holder()
          + "): not reset; wait for that run to end or stop it, then reset again", e);
    }
  }
}
