package dev.reprocess;

/**
 * The run's lease was taken over (or could not be renewed before it expired): the run fails, and
 * the store refuses its checkpoint writes from then on. Thrown by {@link JobLease#renew()} and by
 * {@link CheckpointStore#save} of a fenced store. Not retriable: a later attempt could only be
 * refused again.
 */
public class LeaseLostException extends ReprocessException {
  private static final long serialVersionUID = 1L;

  public LeaseLostException(String message) {
    super(message);
  }

  public LeaseLostException(String message, Throwable cause) {
    super(message, cause);
  }
}
