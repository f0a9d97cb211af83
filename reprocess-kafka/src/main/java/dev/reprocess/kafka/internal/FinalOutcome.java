package dev.reprocess.kafka.internal;

/** How a record became final in a worker, which decides where {@link JobOutcomeCounts} counts it. */
enum FinalOutcome {
  /** The handler returned {@code SUCCEEDED} (or null). */
  SUCCEEDED,
  /** The handler returned {@code SKIPPED}. */
  SKIPPED,
  /** The dead-letter topic acknowledged its dead letter (poison records included). */
  DEAD_LETTERED,
  /** The retry topic acknowledged its next attempt: the event is not done, its copy is counted when final. */
  FORWARDED_TO_RETRY,
  /** Its dead letter (or retry) could not be published for a lasting reason: skipped, logged at ERROR. */
  DEAD_LETTER_FAILED
}
