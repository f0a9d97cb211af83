package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.checkpoint.FileCheckpointStore;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobLeaseTest {

  private static final Duration TTL = Duration.ofSeconds(30);

  @TempDir Path dir;

  private static Checkpoint cp(String shard, String cursor) {
    return new Checkpoint("leased", shard, Cursor.of(cursor), Checkpoint.State.IN_PROGRESS, 1, 1, 0, 0, Instant.EPOCH);
  }

  private static ReprocessJob.Builder job(CheckpointStore store, EventHandler handler) {
    return ReprocessJob.builder("leased").selector(InMemorySelector.ofIds(ids(20), 2)).handler(handler)
        .pageSize(5).checkpointStore(store);
  }

  @Test
  void aLiveLeaseIsRefusedNamingItsHolderAndATakeOverFencesTheOldHolder() throws Exception {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    JobLease first = store.acquireLease("leased", "host-a/1/aa", Duration.ofSeconds(1), false);
    assertThat(first.fencingToken()).isEqualTo(1);
    assertThatThrownBy(() -> store.acquireLease("leased", "host-b/2/bb", TTL, true))
        .isInstanceOf(LeaseHeldException.class).hasMessageContaining("'host-a/1/aa'")
        .hasMessageContaining("fencing token 1").hasMessageContaining("last renewed");

    Waits.await().until(() -> !Instant.now().isBefore(first.expiresAt()));
    assertThatThrownBy(() -> store.acquireLease("leased", "host-b/2/bb", TTL, false))
        .isInstanceOf(LeaseHeldException.class).hasMessageContaining("expired")
        .hasMessageContaining("TAKE_OVER_EXPIRED");
    JobLease second = store.acquireLease("leased", "host-b/2/bb", TTL, true);
    assertThat(second.fencingToken()).isEqualTo(2);
    second.save(cp("mem-0", "3"));

    assertThatThrownBy(() -> first.save(cp("mem-0", "1"))).isInstanceOf(LeaseLostException.class)
        .hasMessageContaining("taken over by 'host-b/2/bb'");
    assertThatThrownBy(first::renew).isInstanceOf(LeaseLostException.class);
    first.close(); // does not release the new holder's lease
    assertThat(store.load("leased").get("mem-0").cursor()).isEqualTo(Cursor.of("3"));
    assertThatThrownBy(() -> store.acquireLease("leased", "host-c/3/cc", TTL, true))
        .isInstanceOf(LeaseHeldException.class);

    second.close();
    store.delete("leased");
    assertThat(store.acquireLease("leased", "host-c/3/cc", TTL, false).fencingToken()).isEqualTo(3);
  }

  @Test
  void aJobRunningElsewhereFailsBeforeReadingAnythingByDefault() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    store.acquireLease("leased", "host-a/1/aa", TTL, false);
    RecordingHandler handler = new RecordingHandler();
    JobReport report = job(store, handler).build().run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause()).isInstanceOf(LeaseHeldException.class)
        .hasMessageContaining("running elsewhere").hasMessageContaining("'host-a/1/aa'");
    assertThat(handler.count()).isZero();
    assertThat(store.load("leased")).isEmpty();
  }

  @Test
  void waitRunsOnceTheHolderReleasesAndTheRunReleasesItsLeaseAtTheEnd() throws Exception {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    JobLease other = store.acquireLease("leased", "host-a/1/aa", Duration.ofSeconds(1), false);
    RecordingHandler handler = new RecordingHandler();
    JobExecution execution = job(store, handler).onRunningElsewhere(RunningElsewhere.WAIT)
        .leaseTimeToLive(Duration.ofSeconds(1)).build().start();
    assertThat(handler.count()).isZero();
    other.close();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.distinctHandledAssetIds()).hasSize(20);
    assertThat(store.acquireLease("leased", "host-c/3/cc", TTL, false).fencingToken()).isEqualTo(3);
  }

  @Test
  void aRunThatLosesItsLeaseFailsAndWritesNoMoreCheckpoints() throws Exception {
    InMemoryCheckpointStore inner = new InMemoryCheckpointStore();
    AtomicBoolean lost = new AtomicBoolean();
    CheckpointStore store = new LosingStore(inner, lost);
    CountDownLatch release = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      if (e.assetId().equals("a-10")) {
        lost.set(true);
        release.await();
      }
      return null;
    });
    JobExecution execution = job(store, handler).leaseTimeToLive(Duration.ofSeconds(1))
        .checkpointInterval(Duration.ZERO) // mem-0's last checkpoint written before mem-1 starts
        .shardsInParallel(1).build().start();
    // The renewal sees the lease lost and fails the run while a-10 (first of mem-1) is in flight.
    Waits.await().until(() -> execution.progress().status() == JobStatus.STOPPING);
    release.countDown();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause()).hasMessageContaining("lease");
    Map<String, Checkpoint> saved = inner.load("leased");
    assertThat(saved.get("mem-0").completed()).isTrue();
    assertThat(saved).doesNotContainKey("mem-1");
  }

  @Test
  void aFileLeaseIsAnOsLockRefusedToASecondHolderAndTakenOverOnceReleased() {
    FileCheckpointStore a = new FileCheckpointStore(dir);
    FileCheckpointStore b = new FileCheckpointStore(dir);
    JobLease held = a.acquireLease("leased", "host-a/1/aa", TTL, false);
    assertThatThrownBy(() -> b.acquireLease("leased", "host-b/2/bb", TTL, true))
        .isInstanceOf(LeaseHeldException.class).hasMessageContaining("'host-a/1/aa'")
        .hasMessageContaining("OS lock");
    held.save(cp("mem-0", "5"));
    held.renew();
    held.close();
    assertThatThrownBy(() -> held.save(cp("mem-0", "9"))).isInstanceOf(LeaseLostException.class);
    JobLease next = b.acquireLease("leased", "host-b/2/bb", TTL, false);
    assertThat(next.fencingToken()).isEqualTo(2);
    assertThat(b.load("leased").get("mem-0").cursor()).isEqualTo(Cursor.of("5"));
    next.close();
  }

  /** A store whose lease is taken over (renewals and saves refused) once {@code lost} is set. */
  private static final class LosingStore extends DelegatingCheckpointStore {
    private final AtomicBoolean lost;

    LosingStore(InMemoryCheckpointStore inner, AtomicBoolean lost) {
      super(inner);
      this.lost = lost;
    }

    @Override
    public JobLease acquireLease(String jobName, String owner, Duration ttl, boolean takeOver) {
      return new Lease(memory.acquireLease(jobName, owner, ttl, takeOver)) {
        @Override
        public void renew() {
          check();
          real.renew();
        }

        @Override
        public void save(Checkpoint c) {
          check();
          real.save(c);
        }

        @Override
        public void saveAll(List<Checkpoint> checkpoints) {
          check();
          real.saveAll(checkpoints);
        }

        private void check() {
          if (lost.get()) {
            throw new LeaseLostException("job 'leased': the lease was taken over by 'host-z/9/zz'");
          }
        }
      };
    }
  }
}
