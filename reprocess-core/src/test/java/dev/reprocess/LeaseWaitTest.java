package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The lease is taken after the configuration checks, the steps before the first event wait through
 * an outage, {@code WAIT} is bounded and cancellable, progress says what the job waits for.
 */
class LeaseWaitTest {

  private static final Duration TTL = Duration.ofSeconds(30);
  private static final String STORE = "test store";
  private static final String SELECTOR = "test selector";

  private static ReprocessJob.Builder job(CheckpointStore store, EventHandler handler) {
    return ReprocessJob.builder("leased").selector(InMemorySelector.ofIds(ids(20), 2)).handler(handler)
        .pageSize(5).checkpointStore(store);
  }

  @Test
  void aJobRefusedForTooManyShardsWritesNoLeaseRow() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    RecordingHandler handler = new RecordingHandler();
    JobReport report = ReprocessJob.builder("leased").selector(InMemorySelector.ofIds(ids(20), 4))
        .handler(handler).checkpointStore(store).maxShards(2).build().run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause()).hasMessageContaining("maxShards is 2");
    assertThat(handler.count()).isZero();
    assertThat(store.load("leased")).isEmpty();
    // A store that never held this job's lease hands out the first fencing token.
    assertThat(store.acquireLease("leased", "probe/1/00", TTL, false).fencingToken()).isEqualTo(1);
  }

  @Test
  void theShardListTheLeaseAndTheCheckpointsWaitThroughOutagesAndProgressSaysForWhat() {
    FlakyStore store = new FlakyStore(new InMemoryCheckpointStore());
    AtomicBoolean selectorDown = new AtomicBoolean(true);
    RecordingHandler handler = new RecordingHandler();
    store.leaseDown.set(true);
    store.loadDown.set(true);
    JobExecution execution = job(store, handler).selector(new FlakySelector(InMemorySelector.ofIds(ids(20), 2),
        selectorDown)).build().start();

    Waits.await().until(() -> waitingFor(execution).equals(SELECTOR));
    JobProgress waiting = execution.progress();
    assertThat(waiting.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(waiting.waitingFor().orElseThrow().since()).isNotNull();
    selectorDown.set(false);
    Waits.await().until(() -> waitingFor(execution).equals(STORE) && store.leaseCalls.get() > 0);
    store.leaseDown.set(false);
    Waits.await().until(() -> store.loadCalls.get() > 0 && waitingFor(execution).equals(STORE));
    assertThat(handler.count()).isZero();
    store.loadDown.set(false);

    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.distinctHandledAssetIds()).hasSize(20);
    assertThat(execution.progress().waitingFor()).isEmpty();
  }

  @Test
  void waitGivesUpAfterTheOutageBudgetNamingTheHolder() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    store.acquireLease("leased", "host-a/1/aa", TTL, false);
    RecordingHandler handler = new RecordingHandler();
    JobReport report = job(store, handler).onRunningElsewhere(RunningElsewhere.WAIT)
        .leaseTimeToLive(Duration.ofSeconds(1)).outageBudget(Duration.ofMillis(500)).build().run();
    assertThat(report.status()).isEqualTo(JobStatus.FAILED);
    assertThat(report.failureCause()).isInstanceOf(LeaseHeldException.class)
        .hasMessageContaining("after waiting the outage budget (PT0.5S").hasMessageContaining("'host-a/1/aa'");
    assertThat(handler.count()).isZero();
    assertThat(store.load("leased")).isEmpty();
  }

  @Test
  void cancelEndsAWaitForTheLeaseAtOnceHavingWrittenNothing() {
    FlakyStore store = new FlakyStore(new InMemoryCheckpointStore());
    store.inner.acquireLease("leased", "host-a/1/aa", TTL, false);
    RecordingHandler handler = new RecordingHandler();
    // Its lease checks come every third of 10 minutes: only the cancel can end the wait in time.
    JobExecution execution = job(store, handler).onRunningElsewhere(RunningElsewhere.WAIT)
        .leaseTimeToLive(Duration.ofMinutes(10)).build().start();
    Waits.await().until(() -> store.leaseCalls.get() == 1);
    execution.cancel();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(report.failureCause()).isNull();
    assertThat(handler.count()).isZero();
    assertThat(store.inner.load("leased")).isEmpty();
    assertThat(store.leaseCalls.get()).isEqualTo(1);
    assertThatThrownBy(() -> store.inner.acquireLease("leased", "probe/1/00", TTL, true))
        .isInstanceOf(LeaseHeldException.class).hasMessageContaining("'host-a/1/aa'");
  }

  @Test
  void cancelEndsAWaitForTheCheckpointStore() {
    FlakyStore store = new FlakyStore(new InMemoryCheckpointStore());
    store.loadDown.set(true);
    RecordingHandler handler = new RecordingHandler();
    JobExecution execution = job(store, handler).build().start();
    Waits.await().until(() -> waitingFor(execution).equals(STORE));
    execution.cancel();
    JobReport report = execution.await(Duration.ofSeconds(30));
    assertThat(report.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(handler.count()).isZero();
  }

  @Test
  void aRenewalOutageIsLoggedOnceAndItsEndOnce() throws Exception {
    FlakyStore store = new FlakyStore(new InMemoryCheckpointStore());
    CountDownLatch release = new CountDownLatch(1);
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      release.await();
      return null;
    });
    List<ILoggingEvent> logs = EngineLogs.capture(() -> {
      JobExecution execution = job(store, handler).leaseTimeToLive(Duration.ofSeconds(1)).build().start();
      Waits.await().until(() -> execution.progress().inFlight() > 0);
      int before = store.renewCalls.get();
      store.renewDown.set(true);
      Waits.await().until(() -> store.renewCalls.get() >= before + 4);
      store.renewDown.set(false);
      int after = store.renewCalls.get();
      Waits.await().until(() -> store.renewCalls.get() >= after + 2);
      assertThat(execution.progress().waitingFor()).isEmpty();
      release.countDown();
      assertThat(execution.await(Duration.ofSeconds(30)).status()).isEqualTo(JobStatus.COMPLETED);
    });
    assertThat(logs.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(STORE)))
        .satisfiesExactly(
            m -> assertThat(m).contains("WAITING for " + STORE),
            m -> assertThat(m).contains(STORE + " is back"));
  }

  private static String waitingFor(JobExecution execution) {
    return execution.progress().waitingFor().map(JobProgress.Waiting::backend).orElse("");
  }

  private static BackendUnavailableException unavailable(String backend) {
    return new BackendUnavailableException(backend, "down", null);
  }

  /** A selector whose shard list cannot be read while {@code down} is set. */
  private record FlakySelector(AssetSelector inner, AtomicBoolean down) implements AssetSelector {
    @Override
    public List<Shard> shards() {
      if (down.get()) {
        throw unavailable(SELECTOR);
      }
      return inner.shards();
    }

    @Override
    public Paginator open(Shard shard, Cursor from, int pageSize) {
      return inner.open(shard, from, pageSize);
    }
  }

  /** A store whose lease acquisition, load or lease renewal fail as unavailable while flagged. */
  private static final class FlakyStore extends DelegatingCheckpointStore {
    final InMemoryCheckpointStore inner;
    final AtomicBoolean leaseDown = new AtomicBoolean();
    final AtomicBoolean loadDown = new AtomicBoolean();
    final AtomicBoolean renewDown = new AtomicBoolean();
    final AtomicInteger leaseCalls = new AtomicInteger();
    final AtomicInteger loadCalls = new AtomicInteger();
    final AtomicInteger renewCalls = new AtomicInteger();

    FlakyStore(InMemoryCheckpointStore inner) {
      super(inner);
      this.inner = inner;
    }

    @Override
    public Map<String, Checkpoint> load(String jobName) {
      loadCalls.incrementAndGet();
      if (loadDown.get()) {
        throw unavailable(STORE);
      }
      return inner.load(jobName);
    }

    @Override
    public JobLease acquireLease(String jobName, String owner, Duration ttl, boolean takeOver) {
      leaseCalls.incrementAndGet();
      if (leaseDown.get()) {
        throw unavailable(STORE);
      }
      return new Lease(inner.acquireLease(jobName, owner, ttl, takeOver)) {
        @Override
        public void renew() {
          renewCalls.incrementAndGet();
          if (renewDown.get()) {
            throw unavailable(STORE);
          }
          real.renew();
        }
      };
    }
  }
}
