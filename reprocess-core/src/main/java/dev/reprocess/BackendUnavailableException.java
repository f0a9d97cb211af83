package dev.reprocess;

/**
 * A backend the job needs cannot be reached or is not ready yet (brokers unreachable, a node
 * restarting, metadata not available in time): not the fault of the event, page or checkpoint at
 * hand. A sink completes a delivery with it (or throws it); a checkpoint store, dead-letter sink or
 * selector throws it.
 *
 * <p>The engine never counts it as an attempt of the event, never dead-letters the event for it and
 * never advances a checkpoint past it: it holds the work, logs and reports the job as waiting for
 * {@link #backend()} (see {@link JobProgress}), and tries again with a backoff until the backend is
 * back or the job's {@code outageBudget} is spent, when the job fails with this exception as the
 * cause. A failure of the event itself (a rejected record, a bad value) must not be signalled with
 * it: the job would wait for nothing and then fail.
 */
public class BackendUnavailableException extends RetriableException {
  private static final long serialVersionUID = 1L;

  private final String backend;

  /**
   * @param backend what is unavailable, for logs and progress, e.g. {@code kafka
   *     localhost:9092 topic 'events'}; not null
   * @param message why, e.g. the client's error
   * @param cause the client's error, or null
   */
  public BackendUnavailableException(String backend, String message, Throwable cause) {
    super(backend + " is unavailable: " + message, cause);
    this.backend = java.util.Objects.requireNonNull(backend, "backend");
  }

  /** What is unavailable, as given to the constructor. */
  public String backend() {
    return backend;
  }
}
