package dev.reprocess.kafka;

/**
 * A snapshot of a {@link KafkaReprocessWorker}'s counters since it started. Immutable.
 *
 * @param received records read from the events and retry topics (a record read again after a
 *     rebalance counts again)
 * @param succeeded handler attempts that returned {@link dev.reprocess.Outcome#SUCCEEDED} (or null)
 * @param skipped handler attempts that returned {@link dev.reprocess.Outcome#SKIPPED}
 * @param failedAttempts handler attempts that threw or ran past the time limit
 * @param timedOut of those, attempts that ran past the time limit
 * @param retriedInPlace attempts scheduled again in this worker after a short backoff
 * @param sentToRetryTopic events published to the retry topic for a long backoff
 * @param deadLettered events published to the dead-letter topic (poison records included)
 * @param poison records that could not be decoded as events (not JSON, missing fields)
 * @param pending records read and not yet final (running, queued, waiting or being published)
 * @param commits offset commits that succeeded
 * @param deadLetterFailed records skipped because their dead letter (or retry) could not be published
 *     for a reason that does not pass with time (authorization, invalid topic...), each logged at
 *     ERROR with the reason; a value above zero needs a look
 */
public record WorkerStats(
    long received,
    long succeeded,
    long skipped,
    long failedAttempts,
    long timedOut,
    long retriedInPlace,
    long sentToRetryTopic,
    long deadLettered,
    long poison,
    long pending,
    long commits,
    long deadLetterFailed) {}
