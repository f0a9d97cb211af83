package dev.reprocess.examples;

import dev.reprocess.Checkpoint;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * What a job says when it finds every shard completed by an earlier run: a run that reads nothing
 * must not look like an empty one. Stateless.
 */
final class AlreadyCompleted {
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
      .withZone(ZoneOffset.UTC);

  private AlreadyCompleted() {}

  /**
   * {@code backfill-sha256 already completed on 2026-12-05 10:12 UTC: 5,606 assets (5,606
   * succeeded, 0 skipped, 0 dead-lettered) in 26 shards; run `./run-example demo --fresh` (or
   * `./run-example reset backfill-sha256`) to start over}.
   *
   * @param checkpoints the job's checkpoints, not empty; the date is the last one written
   * @param startOver the command line that starts the job over
   * @param reset the command line that deletes the job's checkpoints
   */
  static String message(String job, Map<String, Checkpoint> checkpoints, String startOver, String reset) {
    if (checkpoints.isEmpty()) {
      throw new IllegalArgumentException("job '" + job + "' has no checkpoints: it cannot have completed");
    }
    CheckpointTotals t = CheckpointTotals.of(checkpoints);
    return String.format(java.util.Locale.ROOT, "%s already completed on %s: %s assets (%s succeeded, %s skipped,"
        + " %s dead-lettered) in %s shards; run `%s` (or `%s`) to start over", job,
        WHEN.format(t.lastWritten()), Report.number(t.selected()), Report.number(t.succeeded()),
        Report.number(t.skipped()), Report.number(t.deadLettered()), Report.number(t.shards()), startOver, reset);
  }
}
