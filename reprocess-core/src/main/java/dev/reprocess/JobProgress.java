package dev.reprocess;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A snapshot of a running (or finished) job, from {@link JobExecution#progress()}. Counts cover
 * the current execution. Immutable; each call to {@code progress()} builds a new one.
 *
 * @param jobName the job
 * @param status where the job stands
 * @param selected assets read from the selection so far
 * @param succeeded events that succeeded
 * @param skipped events the handler skipped
 * @param failed failed attempts (an event retried twice then dead-lettered counts 3)
 * @param retried attempts scheduled again after a failure
 * @param deadLettered events handed to the dead-letter sink
 * @param inFlight events delivered or waiting for a retry and not final yet
 * @param concurrencyLimit the current limit on events in flight (lower than the configured
 *     concurrency when adaptive concurrency backed off)
 * @param elapsed time since the job started, by the job's clock
 * @param ratePerSecond processed events per second since the start, by the job's clock; 0 before
 *     any time has passed
 * @param estimatedTotal the number of assets in the selection, when the selector can count every
 *     unfinished shard ({@link AssetSelector#estimateCount})
 * @param eta the estimated remaining time, when the total is known and the rate is positive
 * @param shards every shard's progress, in selection order
 * @param waitingFor the backend the job is waiting for, and since when, while one is unavailable
 *     ({@link BackendUnavailableException}: the job waits within its {@code outageBudget} rather
 *     than failing); the one waited for longest when several are; empty when the job waits for no
 *     backend. The status stays {@link JobStatus#RUNNING} meanwhile
 */
public record JobProgress(
    String jobName,
    JobStatus status,
    long selected,
    long succeeded,
    long skipped,
    long failed,
    long retried,
    long deadLettered,
    long inFlight,
    int concurrencyLimit,
    Duration elapsed,
    double ratePerSecond,
    OptionalLong estimatedTotal,
    Optional<Duration> eta,
    List<ShardProgress> shards,
    Optional<Waiting> waitingFor) {

  public JobProgress {
    shards = List.copyOf(shards);
    waitingFor = waitingFor == null ? Optional.empty() : waitingFor;
  }

  /** A snapshot of a job that is not waiting for a backend. */
  public JobProgress(String jobName, JobStatus status, long selected, long succeeded, long skipped, long failed,
      long retried, long deadLettered, long inFlight, int concurrencyLimit, Duration elapsed, double ratePerSecond,
      OptionalLong estimatedTotal, Optional<Duration> eta, List<ShardProgress> shards) {
    this(jobName, status, selected, succeeded, skipped, failed, retried, deadLettered, inFlight, concurrencyLimit,
        elapsed, ratePerSecond, estimatedTotal, eta, shards, Optional.empty());
  }

  /**
   * A backend the job is waiting for.
   *
   * @param backend the backend, as its {@link BackendUnavailableException#backend()} names it (e.g.
   *     {@code the checkpoint store cassandra ks.checkpoints})
   * @param since when the outage began (its first failure), by the wall clock
   */
  public record Waiting(String backend, Instant since) {
    public Waiting {
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(since, "since");
    }
  }

  /** Events that are final: succeeded, skipped or dead-lettered. */
  public long processed() {
    return succeeded + skipped + deadLettered;
  }

  /** Shards finished, in this execution or an earlier one. */
  public long shardsCompleted() {
    return shards.stream()
        .filter(s -> s.state() == ShardProgress.State.COMPLETED
            || s.state() == ShardProgress.State.ALREADY_COMPLETED)
        .count();
  }
}
