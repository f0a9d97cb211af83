package dev.reprocess;

import java.time.Duration;
import java.util.List;

/**
 * Callbacks on what a job does, for host code that watches it (a progress bar, an audit log, a
 * test). Every method is a default no-op; override the ones you need. Registered with {@link
 * ReprocessJob.Builder#listener(JobListener)}; several listeners are called in registration order.
 *
 * <p>Threading: called from the job's own threads (the coordinator, shard readers, handler or
 * completion threads), concurrently for different shards and events. Implementations must be
 * thread-safe and quick; they must not block. An exception thrown by a listener is logged at WARN
 * and otherwise ignored: a listener never changes what the job does. Per-event methods ({@link
 * #onRetry}, {@link #onDeadLetter}) are called on the hot path.
 *
 * <p>The idea follows resilience4j's event publishers and Spring Batch's {@code JobExecutionListener}
 * / {@code StepExecutionListener}.
 */
public interface JobListener {

  /**
   * The job read its shards and its checkpoints and is about to deliver events.
   *
   * @param jobName the job
   * @param shards every shard of the selection, finished ones included
   */
  default void onJobStarted(String jobName, List<Shard> shards) {}

  /**
   * A shard starts to be read.
   *
   * @param resumedFrom the checkpoint it resumes from, or {@code null} when it starts from the
   *     beginning
   */
  default void onShardStarted(String jobName, Shard shard, Checkpoint resumedFrom) {}

  /**
   * Every event of one or more pages is final and the shard's checkpoint covering them was written.
   * Checkpoints are written in the background, one at a time per shard: pages that became final
   * while a write was in flight are covered by the next write, and reported once, with it.
   *
   * @param checkpoint the checkpoint just written (cursor after the last page it covers, counters
   *     so far)
   */
  default void onPageCompleted(String jobName, Shard shard, Checkpoint checkpoint) {}

  /** A shard's last page is done and its {@link Checkpoint.State#COMPLETED} checkpoint written. */
  default void onShardCompleted(String jobName, Shard shard, Checkpoint checkpoint) {}

  /**
   * An attempt failed and another one is scheduled.
   *
   * @param failedAttempt the event as of the attempt that failed
   * @param failure what it threw
   * @param backoff the wait before the next attempt
   */
  default void onRetry(ReprocessEvent failedAttempt, Throwable failure, Duration backoff) {}

  /** An event failed after its retries and was handed to the dead-letter sink. */
  default void onDeadLetter(DeadLetter deadLetter) {}

  /**
   * A dry run ({@link ReprocessJob#count()}) counted one shard. Called from the shard's thread.
   *
   * @param count the assets the shard would select
   */
  default void onShardCounted(String jobName, Shard shard, long count) {}

  /** The job finished (completed, cancelled or failed); the report is final. */
  default void onJobFinished(JobReport report) {}
}
