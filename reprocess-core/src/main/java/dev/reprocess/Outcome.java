package dev.reprocess;

/**
 * How an event ended, when it did not fail.
 *
 * <p>A failure is an exception, not an outcome: it is retried, then dead-lettered.
 */
public enum Outcome {
  /** The handler did its work (or, for an asynchronous sink, the broker acknowledged the event). */
  SUCCEEDED,
  /** The handler decided there was nothing to do (already migrated, filtered out). */
  SKIPPED
}
