package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static dev.reprocess.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The error budget (maxErrors), waiting for an unavailable backend (outageBudget), the preflight. */
class OutageAndErrorBudgetTest {

  @Test
  void maxErrorsFailsTheJobOnceMoreEventsThanThatWereDeadLettered() {
    Set<String> failing = new HashSet<>(ids(20).subList(0, 10));
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    JobReport report = ReprocessJob.builder("max-errors")
        .selector(InMemorySelector.ofIds(ids(2000), 1))
        .handler(new RecordingHandler().failFor(failing))
        .pageSize(10).concurrency(1)
        .retry(RetryOptions.noRetry())
        .deadLetterSink(dls)
        .maxErrors(5)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure()).get().asString().contains("more than maxErrors (5)");
    assertThat(dls.deadLetters()).hasSize(6);
    assertThat(report.selected()).isLessThan(2000);
  }

  @Test
  void withinMaxErrorsTheJobCompletes() {
    Set<String> failing = new HashSet<>(ids(20).subList(0, 10));
    JobReport report = ReprocessJob.builder("max-errors-ok")
        .selector(InMemorySelector.ofIds(ids(500), 2))
        .handler(new RecordingHandler().failFor(failing))
        .retry(RetryOptions.noRetry())
        .deadLetterSink(new InMemoryDeadLetterSink())
        .maxErrors(10)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.deadLettered()).isEqualTo(10);
  }

  @Test
  void maxErrorsMustNotBeNegative() {
    assertThatThrownBy(() -> ReprocessJob.builder("bad").selector(InMemorySelector.ofIds(ids(1), 1))
        .handler(e -> Outcome.SUCCEEDED).maxErrors(-2).build())
        .hasMessageContaining("maxErrors").hasMessageContaining("-2").hasMessageContaining("0 or more");
  }

  @Test
  void anUnavailableBackendHoldsEventsWithoutCountingAttemptsUntilItIsBack() {
    AtomicBoolean up = new AtomicBoolean();
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (!up.get()) {
        throw new BackendUnavailableException("test backend", "down", null);
      }
      return null;
    });
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    JobExecution execution = ReprocessJob.builder("outage-ride")
        .selector(InMemorySelector.ofIds(ids(300), 2))
        .handler(handler)
        .retry(RetryOptions.noRetry())
        .deadLetterSink(dls)
        .checkpointStore(store)
        .build()
        .start();
    await().until(() -> handler.events().size() >= 20);
    assertThat(store.load("outage-ride")).isEmpty();
    assertThat(execution.progress().deadLettered()).isZero();
    up.set(true);
    JobReport report = execution.await(Duration.ofSeconds(60));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(300);
    assertThat(report.deadLettered()).isZero();
    assertThat(dls.deadLetters()).isEmpty();
    assertThat(handler.events()).allSatisfy(e -> assertThat(e.attempt()).isEqualTo(1));
  }

  @Test
  void anOutageLongerThanTheBudgetFailsTheJobWithNothingDeadLetteredOrCheckpointed() {
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    JobReport report = ReprocessJob.builder("outage-too-long")
        .selector(InMemorySelector.ofIds(ids(2000), 2))
        .handler(e -> {
          throw new BackendUnavailableException("test backend", "down", null);
        })
        .deadLetterSink(dls)
        .checkpointStore(store)
        .outageBudget(Duration.ofMillis(500))
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure()).get().asString().contains("test backend", "outage budget");
    assertThat(dls.deadLetters()).isEmpty();
    assertThat(store.load("outage-too-long")).isEmpty();
  }

  @Test
  void aStoreThatFailsItsPreflightFailsTheJobBeforeTheFirstEvent() {
    RecordingHandler handler = new RecordingHandler();
    InMemoryCheckpointStore inner = new InMemoryCheckpointStore();
    CheckpointStore store = new DelegatingCheckpointStore(inner) {
      @Override
      public void preflight(String jobName) {
        throw new IllegalStateException("directory /nope is read-only");
      }
    };
    InMemoryDeadLetterSink dls = new InMemoryDeadLetterSink();
    JobReport report = ReprocessJob.builder("preflight-fails")
        .selector(InMemorySelector.ofIds(ids(100), 2))
        .handler(handler)
        .deadLetterSink(dls)
        .checkpointStore(store)
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failure()).get().asString().contains("the checkpoint store", "cannot be used, so no event was delivered", "read-only");
    assertThat(handler.events()).isEmpty();
    assertThat(inner.load("preflight-fails")).isEmpty();
    assertThat(dls.deadLetters()).isEmpty();
  }

  @Test
  void aFileCheckpointStoreThatCannotCreateItsDirectoryFailsTheJobBeforeTheFirstEvent(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // A regular file where a parent directory should be (works whatever the user's rights).
    java.nio.file.Path readOnly = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
    RecordingHandler handler = new RecordingHandler();
    JobReport report = ReprocessJob.builder("read-only-store")
        .selector(InMemorySelector.ofIds(ids(50), 1))
        .handler(handler)
        .checkpointStore(new dev.reprocess.checkpoint.FileCheckpointStore(readOnly.resolve("checkpoints")))
        .build()
        .run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    // Loading the checkpoints (before the preflight) already names the path; the preflight checks a
    // directory that loads but cannot be written (a read-only mount, a directory without rights).
    assertThat(report.failure()).get().asString().contains(readOnly.toString());
    assertThat(handler.events()).isEmpty();
  }
}
