package dev.reprocess;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a finished job did, from {@link ReprocessJob#run()} or {@link JobExecution#await}.
 * Immutable. Counts cover this execution only; a resumed job does not count what earlier runs did.
 *
 * @param jobName the job
 * @param status {@link JobStatus#COMPLETED}, {@link JobStatus#CANCELLED} or {@link
 *     JobStatus#FAILED}
 * @param selected assets read from the selection
 * @param succeeded events that succeeded
 * @param skipped events the handler skipped
 * @param failed failed attempts, retried or not (an event that failed 3 times counts 3)
 * @param retried attempts scheduled again after a failure
 * @param deadLettered events handed to the dead-letter sink after their retries
 * @param duration from start to finish, by the job's clock
 * @param ratePerSecond processed (succeeded + skipped + dead-lettered) events per second of
 *     {@code duration}; 0 when no time passed
 * @param failuresByType failed attempts by the fully qualified class name of what they threw;
 *     the values add up to {@code failed}
 * @param deadLetterDestination where the dead letters went ({@link DeadLetterSink#describe()})
 * @param shardsCompleted shards finished, in this run or an earlier one
 * @param shardsTotal shards in the selection
 * @param failureCause why the job failed, or {@code null} unless the status is {@code FAILED}; see
 *     {@link #failure()}
 * @param warnings what the job found suspicious without failing, one sentence each, e.g. that it
 *     selected 0 assets; copied, never null, empty when nothing was
 */
public record JobReport(
    String jobName,
    JobStatus status,
    long selected,
    long succeeded,
    long skipped,
    long failed,
    long retried,
    long deadLettered,
    Duration duration,
    double ratePerSecond,
    Map<String, Long> failuresByType,
    String deadLetterDestination,
    int shardsCompleted,
    int shardsTotal,
    Throwable failureCause,
    List<String> warnings) {

  public JobReport {
    failuresByType = Map.copyOf(failuresByType);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /** A report with no warnings. */
  public JobReport(String jobName, JobStatus status, long selected, long succeeded, long skipped, long failed,
      long retried, long deadLettered, Duration duration, double ratePerSecond, Map<String, Long> failuresByType,
      String deadLetterDestination, int shardsCompleted, int shardsTotal, Throwable failureCause) {
    this(jobName, status, selected, succeeded, skipped, failed, retried, deadLettered, duration, ratePerSecond,
        failuresByType, deadLetterDestination, shardsCompleted, shardsTotal, failureCause, List.of());
  }

  /** This report with {@code warnings} in place of its own. */
  public JobReport withWarnings(List<String> warnings) {
    return new JobReport(jobName, status, selected, succeeded, skipped, failed, retried, deadLettered, duration,
        ratePerSecond, failuresByType, deadLetterDestination, shardsCompleted, shardsTotal, failureCause, warnings);
  }

  /** Why the job failed; empty unless the status is {@link JobStatus#FAILED}. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failureCause);
  }

  /** Events that are final: succeeded, skipped or dead-lettered. */
  public long processed() {
    return succeeded + skipped + deadLettered;
  }

  /**
   * Returns this report if the job did not fail; otherwise throws. Handy as {@code
   * job.run().throwIfFailed()}.
   *
   * @throws IllegalArgumentException the selector's own, when it rejected its configuration
   * @throws ReprocessException the failure itself when it is one, otherwise a {@code
   *     ReprocessException} naming the job with the failure as its cause
   */
  public JobReport throwIfFailed() {
    if (status != JobStatus.FAILED) {
      return this;
    }
    if (failureCause instanceof IllegalArgumentException iae) {
      throw iae;
    }
    if (failureCause instanceof ReprocessException re) {
      throw re;
    }
    throw new ReprocessException("job '" + jobName + "' failed: " + failureCause, failureCause);
  }

  @Override
  public String toString() {
    return "JobReport[job=" + jobName + ", status=" + status + ", selected=" + selected
        + ", succeeded=" + succeeded + ", skipped=" + skipped + ", failed=" + failed
        + ", retried=" + retried + ", deadLettered=" + deadLettered + ", duration=" + duration
        + ", ratePerSecond=" + String.format(java.util.Locale.ROOT, "%.1f", ratePerSecond)
        + ", failuresByType=" + failuresByType + ", deadLetters=" + deadLetterDestination
        + ", shards=" + shardsCompleted + "/" + shardsTotal
        + (failureCause != null ? ", failure=" + failureCause : "")
        + (warnings.isEmpty() ? "" : ", warnings=" + warnings) + "]";
  }
}
