package dev.reprocess.kafka.internal;

import dev.reprocess.kafka.WorkerStats;
import java.util.concurrent.atomic.LongAdder;

/** The worker's counters, incremented by any thread; {@link #snapshot} reads them for {@link WorkerStats}. */
final class WorkerCounters {
  final LongAdder received = new LongAdder();
  final LongAdder succeeded = new LongAdder();
  final LongAdder skipped = new LongAdder();
  final LongAdder failedAttempts = new LongAdder();
  final LongAdder timedOut = new LongAdder();
  final LongAdder retriedInPlace = new LongAdder();
  final LongAdder sentToRetryTopic = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  final LongAdder poison = new LongAdder();
  final LongAdder commits = new LongAdder();
  final LongAdder deadLetterFailed = new LongAdder();

  WorkerStats snapshot(long pending) {
    return new WorkerStats(received.sum(), succeeded.sum(), skipped.sum(), failedAttempts.sum(),
        timedOut.sum(), retriedInPlace.sum(), sentToRetryTopic.sum(), deadLettered.sum(), poison.sum(),
        pending, commits.sum(), deadLetterFailed.sum());
  }
}
