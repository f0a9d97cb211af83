package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.Checkpoint;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlreadyCompletedTest {

  private static Checkpoint done(String shard, long succeeded, long skipped, Instant at) {
    return new Checkpoint("backfill-sha256", shard, null, Checkpoint.State.COMPLETED, succeeded + skipped, succeeded,
        skipped, 0, at);
  }

  @Test
  void saysWhenItCompletedWhatItDidAndHowToStartOver() {
    Map<String, Checkpoint> checkpoints = Map.of(
        "image/png:2024-01-01", done("image/png:2024-01-01", 5_000, 6, Instant.parse("2026-12-05T10:12:31Z")),
        "image/gif:2024-01-01", done("image/gif:2024-01-01", 600, 0, Instant.parse("2026-12-05T10:10:02Z")));

    assertThat(AlreadyCompleted.message("backfill-sha256", checkpoints, "./run-example demo --fresh",
        "./run-example reset backfill-sha256"))
        .isEqualTo("backfill-sha256 already completed on 2026-12-05 10:12 UTC: 5,606 assets (5,600 succeeded,"
            + " 6 skipped, 0 dead-lettered) in 2 shards; run `./run-example demo --fresh` (or `./run-example reset"
            + " backfill-sha256`) to start over");
  }

  @Test
  void aJobWithoutCheckpointsHasNotCompleted() {
    assertThatThrownBy(() -> AlreadyCompleted.message("j", Map.of(), "x", "y"))
        .hasMessage("job 'j' has no checkpoints: it cannot have completed");
  }
}
