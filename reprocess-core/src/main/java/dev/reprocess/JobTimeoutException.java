package dev.reprocess;

/**
 * Thrown by {@link JobExecution#await(java.time.Duration)} when the job did not finish within the
 * timeout. The job keeps running; call {@code await} again, or {@link JobExecution#cancel()}.
 */
public class JobTimeoutException extends ReprocessException {
  private static final long serialVersionUID = 1L;

  public JobTimeoutException(String message) {
    super(message);
  }
}
