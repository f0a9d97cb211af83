package dev.reprocess.kafka.internal;

import dev.reprocess.EventHandler;
import dev.reprocess.RetryOptions;
import dev.reprocess.internal.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * The checked options of a worker, as its public builder hands them over.
 *
 * @param retryTopic {@code null} when long backoffs also wait in place
 * @param clock wall-clock time for retry not-before headers and failure times
 * @param ticker measures the handler time limit, in-place backoffs, publish retries and the commit
 *     interval ({@link Ticker#SYSTEM} unless a test injects a manual one)
 * @param groupId the consumer group, a tag of the meters
 * @param meterRegistry where the worker's meters go (see {@link WorkerMeters})
 * @param outcomesTopic where the worker publishes its per-job outcome counts ({@link
 *     OutcomeRecord}), or {@code null} for nowhere
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
    Clock clock,
    Ticker ticker,
    String groupId,
    MeterRegistry meterRegistry,
    String outcomesTopic) {}
