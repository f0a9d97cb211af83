package dev.reprocess;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A handle on a running job, from {@link ReprocessJob#start()}. Thread-safe: any thread may call
 * any method, any number of times.
 *
 * <p>Pause, resume and cancel are requests: they return at once and the job reacts within the
 * event it is delivering. Cancel is graceful, as in Spring Batch's {@code JobOperator.stop}: no new
 * event is delivered, events being handled finish, events waiting for a retry are abandoned (they
 * are delivered again on the next run), and the checkpoints of every fully handled page are
 * written before the job reports {@link JobStatus#CANCELLED}. With a handler, a call that does
 * not finish is timed out after the job's {@link ReprocessJob.Builder#handlerTimeout
 * handlerTimeout} (default 60 s) and its event abandoned likewise, so a cancelled job finishes
 * within about that limit even if a handler hangs.
 */
public interface JobExecution {

  /** The job's name. */
  String jobName();

  /** A snapshot of the job's progress; cheap enough to call every second. */
  JobProgress progress();

  /**
   * Stops delivering new events until {@link #resume()}; events in flight finish. No effect when
   * paused or finished.
   */
  void pause();

  /** Delivers events again after {@link #pause()}. No effect when not paused. */
  void resume();

  /** Stops the job gracefully (see the class comment). No effect when finished. */
  void cancel();

  /**
   * Changes the job's limit on attempts per second (retries included), as the builder's {@link
   * ReprocessJob.Builder#maxEventsPerSecond maxEventsPerSecond}: 0 removes the limit, otherwise
   * {@value ReprocessJob#MIN_EVENTS_PER_SECOND} to {@value ReprocessJob#MAX_EVENTS_PER_SECOND}.
   * Works on a job built without a rate. Events already waiting for their permit keep their
   * delivery time; every later attempt is spaced by the new rate. No effect when finished.
   *
   * @param maxEventsPerSecond attempts per second, 0 for no limit
   * @throws IllegalArgumentException naming the option, the value and the rule when out of range
   */
  void rethrottle(double maxEventsPerSecond);

  /**
   * Changes the limit on events in flight: 1 to the {@link ReprocessJob.Builder#concurrency
   * concurrency} the job was built with (with a handler, that is its thread count; with adaptive
   * concurrency, this sets the upper bound the limit moves under). Events in flight finish; after a
   * lowering no new event starts until fewer than {@code concurrency} are in flight. No effect when
   * finished.
   *
   * @param concurrency events in flight at most
   * @throws IllegalArgumentException naming the option, the value and the rule when out of range
   */
  void concurrency(int concurrency);

  /** True once the job finished and its report is available. */
  boolean isDone();

  /**
   * Waits for the job to finish.
   *
   * @param timeout how long to wait; not negative
   * @return the final report, whatever the status ({@link JobStatus#FAILED} included: see {@link
   *     JobReport#throwIfFailed()})
   * @throws JobTimeoutException if the job did not finish in time; the job keeps running
   * @throws ReprocessException if the waiting thread is interrupted (its interrupt flag is set)
   */
  JobReport await(Duration timeout);

  /** A stage completed with the final report when the job finishes; never completes exceptionally. */
  CompletionStage<JobReport> completion();
}
