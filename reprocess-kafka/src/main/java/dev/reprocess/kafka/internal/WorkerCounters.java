package dev.reprocess.kafka.internal;

import dev.reprocess.kafka.WorkerStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The worker's counters, incremented by any thread: each one counts for {@link #snapshot} (since
 * this worker started) and, at the same time, on its Micrometer counter (cumulative per registry,
 * see {@link WorkerMeters} for the names). Thread-safe.
 */
final class WorkerCounters {
  final Count received;
  final Count succeeded;
  final Count skipped;
  final Count failedAttempts;
  final Count timedOut;
  final Count retriedInPlace;
  final Count sentToRetryTopic;
  final Count deadLettered;
  final Count poison;
  final Count commits;
  final Count deadLetterFailed;
  private final Timer latency;

  WorkerCounters(MeterRegistry registry, Tags tags) {
    received = new Count(registry, tags, WorkerMeters.RECEIVED, "records read from the events and retry topics");
    succeeded = new Count(registry, tags, WorkerMeters.SUCCEEDED, "handler attempts that succeeded");
    skipped = new Count(registry, tags, WorkerMeters.SKIPPED, "handler attempts that skipped their event");
    failedAttempts = new Count(registry, tags, WorkerMeters.FAILED, "handler attempts that threw or timed out");
    timedOut = new Count(registry, tags, WorkerMeters.TIMED_OUT, "handler attempts past the time limit");
    retriedInPlace = new Count(registry, tags.and("via", "in_place"), WorkerMeters.RETRIED,
        "attempts scheduled again in this worker after a short backoff");
    sentToRetryTopic = new Count(registry, tags.and("via", "retry_topic"), WorkerMeters.RETRIED,
        "events published to the retry topic for a long backoff");
    deadLettered = new Count(registry, tags, WorkerMeters.DEAD_LETTERED, "records published to the dead-letter topic");
    poison = new Count(registry, tags, WorkerMeters.POISON, "records that are not events");
    commits = new Count(registry, tags, WorkerMeters.COMMITS, "offset commits that succeeded");
    deadLetterFailed = new Count(registry, tags, WorkerMeters.DEAD_LETTER_FAILED,
        "records skipped because their dead letter or retry could not be published");
    latency = Timer.builder(WorkerMeters.LATENCY).tags(tags)
        .description("one handler attempt that returned or threw").register(registry);
  }

  /** Records the duration of one handler attempt that returned or threw. */
  void handlerLatency(long nanos) {
    latency.record(nanos, TimeUnit.NANOSECONDS);
  }

  WorkerStats snapshot(long pending) {
    return new WorkerStats(received.sum(), succeeded.sum(), skipped.sum(), failedAttempts.sum(),
        timedOut.sum(), retriedInPlace.sum(), sentToRetryTopic.sum(), deadLettered.sum(), poison.sum(),
        pending, commits.sum(), deadLetterFailed.sum());
  }

  /** One count: since this worker started, and on its registry's counter. */
  static final class Count {
    private final LongAdder sinceStart = new LongAdder();
    private final Counter meter;

    Count(MeterRegistry registry, Tags tags, String name, String description) {
      this.meter = Counter.builder(name).tags(tags).description(description).register(registry);
    }

    void increment() {
      sinceStart.increment();
      meter.increment();
    }

    long sum() {
      return sinceStart.sum();
    }
  }
}
