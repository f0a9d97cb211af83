package dev.reprocess.spring.boot.actuate;

import dev.reprocess.JobExecution;
import dev.reprocess.JobProgress;
import dev.reprocess.JobReport;
import dev.reprocess.ShardProgress;
import java.util.Optional;

/**
 * A job as the {@code reprocess} endpoint shows it: its latest execution's status and progress
 * (counts of events since that execution started), or {@code NOT_STARTED}.
 *
 * @param name the job's name
 * @param status {@code NOT_STARTED} or a {@link dev.reprocess.JobStatus} name
 * @param runOnStartup whether the job starts with the application
 * @param selected events selected by the latest execution
 * @param succeeded events handled successfully
 * @param skipped events the handler skipped
 * @param failed failed attempts
 * @param retried attempts retried
 * @param deadLettered events dead-lettered
 * @param inFlight events in flight now
 * @param elapsedSeconds seconds since the execution started
 * @param ratePerSecond events per second, final ones
 * @param estimatedTotal events the selection is estimated to hold, or null if unknown
 * @param shardsCompleted shards finished, in this execution or an earlier one
 * @param shardsAlreadyCompleted shards an earlier execution completed, which this one skips (once
 *     known, after the selector listed the shards): when it equals {@code shardsTotal} the job had
 *     nothing left to do, and the {@code restart} operation runs it again from the start
 * @param shardsTotal shards of the selection (0 until the selector listed them)
 * @param failure why the execution failed, or null
 */
public record JobView(
    String name,
    String status,
    boolean runOnStartup,
    long selected,
    long succeeded,
    long skipped,
    long failed,
    long retried,
    long deadLettered,
    long inFlight,
    double elapsedSeconds,
    double ratePerSecond,
    Long estimatedTotal,
    long shardsCompleted,
    long shardsAlreadyCompleted,
    int shardsTotal,
    String failure) {

  /** The status of a job never started here. */
  public static final String NOT_STARTED = "NOT_STARTED";

  /** The view of a job and its latest execution, if any. */
  static JobView of(String name, boolean runOnStartup, Optional<JobExecution> execution) {
    if (execution.isEmpty()) {
      return new JobView(name, NOT_STARTED, runOnStartup, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, 0, 0, 0, null);
    }
    JobProgress p = execution.get().progress();
    String failure = null;
    if (execution.get().isDone()) {
      JobReport report = execution.get().completion().toCompletableFuture().getNow(null);
      failure = report == null ? null : report.failure().map(String::valueOf).orElse(null);
    }
    return new JobView(name, p.status().name(), runOnStartup, p.selected(), p.succeeded(), p.skipped(),
        p.failed(), p.retried(), p.deadLettered(), p.inFlight(), p.elapsed().toMillis() / 1000.0,
        p.ratePerSecond(), p.estimatedTotal().isPresent() ? p.estimatedTotal().getAsLong() : null,
        p.shardsCompleted(), alreadyCompleted(p), p.shards().size(), failure);
  }

  private static long alreadyCompleted(JobProgress p) {
    return p.shards().stream().filter(s -> s.state() == ShardProgress.State.ALREADY_COMPLETED).count();
  }
}
