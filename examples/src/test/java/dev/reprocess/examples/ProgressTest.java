package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.JobProgress;
import dev.reprocess.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

  private static JobProgress progress(Optional<JobProgress.Waiting> waiting) {
    return new JobProgress("backfill-sha256", JobStatus.RUNNING, 10, 10, 0, 0, 0, 0, 0, 4, Duration.ofSeconds(3),
        3.3, OptionalLong.empty(), Optional.empty(), List.of(), waiting);
  }

  @Test
  void theNoteSaysWhichBackendTheJobWaitsForAndSinceWhenBeforeTheRest() {
    Instant since = Instant.parse("2026-01-02T03:04:05.678Z");
    String note = Progress.withWaiting(progress(Optional.of(new JobProgress.Waiting("the checkpoint store", since))),
        "2 of 4 shards");
    assertThat(note).startsWith("WAITING for the checkpoint store since 2026-01-02T03:04:05Z (")
        .endsWith(" s), 2 of 4 shards");
  }

  @Test
  void withoutAWaitTheNoteIsUnchanged() {
    assertThat(Progress.withWaiting(progress(Optional.empty()), "2 of 4 shards")).isEqualTo("2 of 4 shards");
  }
}
