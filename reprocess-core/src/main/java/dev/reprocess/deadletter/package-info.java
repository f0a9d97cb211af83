/**
 * Ready-made {@link dev.reprocess.DeadLetterSink}s: {@link
 * dev.reprocess.deadletter.LoggingDeadLetterSink} (the default; WARN log with the event as JSON),
 * {@link dev.reprocess.deadletter.InMemoryDeadLetterSink} (tests) and {@link
 * dev.reprocess.deadletter.FileDeadLetterSink} (JSON lines, forced to disk per dead letter). The
 * Kafka dead-letter topic lives in {@code reprocess-kafka}.
 */
package dev.reprocess.deadletter;
