package dev.reprocess.kafka.internal;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One worker's cumulative outcome counts per job, since it started: each record counted once, when
 * it leaves its partition's window as part of the final prefix to commit (so a record handled and
 * then dropped by a rebalance is not counted here; its next owner counts it). Records forwarded to
 * the retry topic are not counted: their copy is, when final. Records without a job (poison without
 * a {@code reprocess.job} header) are not counted.
 *
 * <p>Poll thread only.
 */
final class JobOutcomeCounts {
  static final int SUCCEEDED = 0;
  static final int SKIPPED = 1;
  static final int DEAD_LETTERED = 2;
  static final int DEAD_LETTER_FAILED = 3;

  private final Map<String, long[]> byJob = new LinkedHashMap<>();
  private final Set<String> changed = new LinkedHashSet<>();

  /** Counts a record that left its window final. */
  void count(WorkItem item) {
    String job = item.event != null ? item.event.jobName() : Records.header(item.record.headers(),
        dev.reprocess.kafka.KafkaHeaders.JOB);
    FinalOutcome outcome = item.outcome;
    if (job == null || outcome == null || outcome == FinalOutcome.FORWARDED_TO_RETRY) {
      return;
    }
    count(job, outcome);
  }

  void count(String job, FinalOutcome outcome) {
    long[] counts = byJob.computeIfAbsent(job, j -> new long[4]);
    switch (outcome) {
      case SUCCEEDED -> counts[SUCCEEDED]++;
      case SKIPPED -> counts[SKIPPED]++;
      case DEAD_LETTERED -> counts[DEAD_LETTERED]++;
      case DEAD_LETTER_FAILED -> counts[DEAD_LETTER_FAILED]++;
      default -> {
        return;
      }
    }
    changed.add(job);
  }

  /** The jobs whose counts changed since {@link #reported}, with a copy of their counts. */
  Map<String, long[]> changed() {
    Map<String, long[]> out = new LinkedHashMap<>();
    changed.forEach(job -> out.put(job, byJob.get(job).clone()));
    return out;
  }

  /** The counts of these jobs were published as they are now. */
  void reported(Set<String> jobs) {
    changed.removeAll(jobs);
  }
}
