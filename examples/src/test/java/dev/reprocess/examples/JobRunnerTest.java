package dev.reprocess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a run starts and whether it found everything done already, on an in-memory job run again. */
class JobRunnerTest {
  private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();

  private record Run(JobReport report, boolean foundAllCompleted, String out) {}

  private Run run(boolean restart) {
    StringWriter out = new StringWriter();
    JobRunner.ResumeListener listener = new JobRunner.ResumeListener();
    ReprocessJob job = ReprocessJob.builder("backfill-sha256")
        .selector(InMemorySelector.ofIds(List.of("a-1", "a-2", "a-3", "a-4", "a-5"), 3))
        .handler(event -> Outcome.SUCCEEDED)
        .checkpointStore(store)
        .restart(restart)
        .listener(listener)
        .build();
    try (Lifecycle lifecycle = new Lifecycle()) {
      JobReport report = JobRunner.run(job, listener, lifecycle, Progress.Mode.OFF, new PrintWriter(out, true),
          p -> "");
      return new Run(report, listener.foundAllCompleted(report), out.toString());
    }
  }

  @Test
  void aSecondRunFindsEveryShardCompletedAndSaysSo() {
    Run first = run(false);
    assertThat(first.report().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(first.report().selected()).isEqualTo(5);
    assertThat(first.foundAllCompleted()).isFalse();
    assertThat(first.out()).isEqualTo("job 'backfill-sha256': 3 shards\n");

    Run second = run(false);
    assertThat(second.report().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(second.report().selected()).isZero();
    assertThat(second.foundAllCompleted()).isTrue();
    assertThat(second.out()).isEqualTo("job 'backfill-sha256': all 3 shards were completed by an earlier run\n");
  }

  @Test
  void aRestartedRunReadsEverythingAgain() {
    run(false);
    Run restarted = run(true);
    assertThat(restarted.report().selected()).isEqualTo(5);
    assertThat(restarted.foundAllCompleted()).isFalse();
    assertThat(restarted.out()).isEqualTo("job 'backfill-sha256': 3 shards, starting over (its checkpoints were"
        + " deleted)\n");
  }
}
