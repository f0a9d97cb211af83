package dev.reprocess;

/**
 * Where a job execution stands. A {@link JobProgress} shows any value; a {@link JobReport} only
 * the three terminal ones, {@link #COMPLETED}, {@link #CANCELLED} and {@link #FAILED}.
 */
public enum JobStatus {
  /** Reading shards and delivering events. */
  RUNNING,
  /** {@link JobExecution#pause()} was called: no new event is delivered; in-flight ones finish. */
  PAUSED,
  /** Stopping after a cancel or a failure: in-flight events finish, checkpoints are written. */
  STOPPING,
  /** Every shard is finished; every selected event is final (succeeded, skipped, dead-lettered). */
  COMPLETED,
  /** {@link JobExecution#cancel()} stopped the job; re-running it resumes from its checkpoints. */
  CANCELLED,
  /**
   * Something the job cannot go past failed: a shard could not be read, a checkpoint or dead letter
   * could not be written, the handler threw an {@link Error}, or (with {@code failFast}) an event
   * failed after its retries. See {@link JobReport#failure()}.
   */
  FAILED;

  /** True for {@link #COMPLETED}, {@link #CANCELLED} and {@link #FAILED}. */
  public boolean isTerminal() {
    return this == COMPLETED || this == CANCELLED || this == FAILED;
  }
}
