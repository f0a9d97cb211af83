package dev.reprocess.kafka.internal;

import dev.reprocess.EventHandler;
import dev.reprocess.RetryOptions;
import java.time.Clock;
import java.time.Duration;

/**
 * The checked options of a worker, as its public builder hands them over.
 *
 * @param retryTopic {@code null} when long backoffs also wait in place
 */
public record WorkerSettings(
    String name,
    String topic,
    String retryTopic,
    String deadLetterTopic,
    EventHandler handler,
    int concurrency,
    int maxPendingRecords,
    int maxPendingPerPartition,
    RetryOptions retry,
    Duration maxInPlaceBackoff,
    Duration handlerTimeout,
    Duration commitInterval,
    Duration pollTimeout,
    Duration closeTimeout,
    Duration publishRetryBackoff,
    Clock clock) {}
