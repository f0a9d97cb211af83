package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.reprocess.Waits.await;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.ManualClock;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PauseResumeCancelTest {

  @Test
  void pauseLetsInFlightEventsFinishAndDeliversNothingNewUntilResume() {
    CountDownLatch release = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      release.await();
      return null;
    });
    JobExecution execution = ReprocessJob.builder("pause")
        .selector(InMemorySelector.ofIds(ids(100), 1))
        .handler(handler)
        .pageSize(10)
        .concurrency(4)
        .build()
        .start();
    await().until(() -> handler.count() == 4);

    execution.pause();
    assertThat(execution.progress().status()).isEqualTo(JobStatus.PAUSED);
    release.countDown();
    // In-flight events finish; the reader, waiting for a permit, gets none while paused.
    await().until(() -> execution.progress().inFlight() == 0);
    assertThat(execution.progress().processed()).isEqualTo(4);
    assertThat(handler.count()).isEqualTo(4);
    assertThat(execution.isDone()).isFalse();

    execution.resume();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.succeeded()).isEqualTo(100);
    assertThat(handler.distinctHandledAssetIds()).hasSize(100);
  }

  @Test
  void cancelLetsInFlightEventsFinishWritesTheirCheckpointsAndARerunResumes() {
    CountDownLatch release = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      release.await();
      return null;
    });
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    ReprocessJob.Builder builder = ReprocessJob.builder("cancel")
        .selector(InMemorySelector.ofIds(ids(20), 1))
        .pageSize(2)
        .concurrency(4)
        .checkpointStore(store);
    JobExecution execution = builder.handler(handler).build().start();
    await().until(() -> handler.count() == 4);

    execution.cancel();
    release.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));

    assertThat(report.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(report.succeeded()).isEqualTo(4);
    assertThat(handler.handledAssetIds()).containsExactlyInAnyOrder("a-0", "a-1", "a-2", "a-3");
    Checkpoint cp = store.load("cancel").get("mem-0");
    assertThat(cp.cursor()).isEqualTo(Cursor.of("4"));
    assertThat(cp.state()).isEqualTo(Checkpoint.State.IN_PROGRESS);
    assertThat(cp.succeeded()).isEqualTo(4);

    RecordingHandler second = new RecordingHandler();
    JobReport rerun = builder.handler(second).build().run();
    assertThat(rerun.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(second.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(4, 20));
    assertThat(store.load("cancel").get("mem-0").succeeded()).isEqualTo(20);
  }

  @Test
  void cancelAbandonsEventsWaitingForARetrySoTheirPageIsDeliveredAgain() {
    ManualClock clock = new ManualClock();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    RecordingHandler handler = new RecordingHandler().failFor(Set.of("a-1"));
    ReprocessJob.Builder builder = ReprocessJob.builder("cancel-retry")
        .selector(InMemorySelector.ofIds(ids(10), 1))
        .pageSize(5)
        .clock(clock)
        .retry(RetryOptions.custom().initialBackoff(Duration.ofHours(1)).maxBackoff(Duration.ofHours(1)).build())
        .checkpointStore(store);
    JobExecution execution = builder.handler(handler).build().start();
    await().until(() -> execution.progress().retried() == 1 && execution.progress().processed() == 9);
    // Page 2 is done, but page 1 waits for a-1: no checkpoint may pass page 1.
    assertThat(store.load("cancel-retry")).isEmpty();

    execution.cancel();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(report.deadLettered()).isZero();
    assertThat(store.load("cancel-retry")).isEmpty();

    RecordingHandler second = new RecordingHandler();
    assertThat(builder.handler(second).build().run().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(second.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(10));
  }

  @Test
  void awaitTimesOutWhileTheJobRunsOnAndARunningJobCannotStartTwice() {
    CountDownLatch release = new CountDownLatch(1);
    ReprocessJob job = ReprocessJob.builder("await-timeout")
        .selector(InMemorySelector.ofIds(ids(3), 1))
        .handler(new RecordingHandler().beforeEach(e -> {
          release.await();
          return null;
        }))
        .build();
    JobExecution execution = job.start();
    assertThatThrownBy(() -> execution.await(Duration.ofMillis(1)))
        .isInstanceOf(JobTimeoutException.class)
        .hasMessageContaining("job 'await-timeout': not finished within PT0.001S");
    assertThatThrownBy(job::start).isInstanceOf(IllegalStateException.class)
        .hasMessage("job 'await-timeout' is already running");
    release.countDown();
    assertThat(execution.await(Duration.ofSeconds(30)).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(execution.isDone()).isTrue();
    assertThat(execution.progress().status()).isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void anotherJobObjectWithTheSameNameCannotRunAtTheSameTimeInOneJvm() {
    CountDownLatch release = new CountDownLatch(1);
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    RecordingHandler first = new RecordingHandler().beforeEach(e -> {
      release.await();
      return null;
    });
    RecordingHandler second = new RecordingHandler();
    ReprocessJob.Builder builder = ReprocessJob.builder("same-name")
        .selector(InMemorySelector.ofIds(ids(20), 2))
        .checkpointStore(store);
    JobExecution running = builder.handler(first).build().start();
    ReprocessJob twin = builder.handler(second).build();

    assertThatThrownBy(twin::start).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("job 'same-name' is already running in this JVM");
    release.countDown();
    assertThat(running.await(Duration.ofSeconds(30)).succeeded()).isEqualTo(20);

    // Once the first run is over the name is free again; its checkpoints say there is nothing left to do.
    JobReport again = twin.run();
    assertThat(again.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(second.count()).isZero();
    assertThat(first.count()).isEqualTo(20);
  }

  /**
   * A job's name is free as soon as its run returned, though the ended execution leaves the JVM's
   * register only once its completion's callbacks ran: a new run under the name starts at once,
   * every time (run many times, as a host re-running a job in a loop would).
   */
  @Test
  void aJobRunAgainUnderItsNameRightAfterItReturnedStarts() {
    for (int i = 0; i < 1000; i++) {
      JobReport report = ReprocessJob.builder("again-and-again")
          .selector(InMemorySelector.ofIds(ids(2), 1))
          .handler(new RecordingHandler())
          .build()
          .run();
      assertThat(report.status()).as("run %d", i).isEqualTo(JobStatus.COMPLETED);
    }
  }
}
