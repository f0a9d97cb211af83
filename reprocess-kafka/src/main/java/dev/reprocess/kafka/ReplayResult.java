package dev.reprocess.kafka;

/**
 * What one {@link DeadLetterReplayer#replay()} did.
 *
 * @param read dead letters read (up to the end offsets captured when the replay started)
 * @param replayed events published again to the events topic, each acknowledged by the broker
 * @param filteredOut dead letters left alone because of the job or exception-class filter
 * @param undecodable dead letters that are not events (poison records), left alone
 */
public record ReplayResult(long read, long replayed, long filteredOut, long undecodable) {}
