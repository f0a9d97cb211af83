package dev.reprocess;

import static dev.reprocess.Ids.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.internal.JobHost;
import dev.reprocess.testing.InMemorySelector;
import dev.reprocess.testing.RecordingHandler;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Jobs started on a {@link JobHost} (as a distributed host starts its shard jobs) borrow its threads. */
class JobHostTest {

  private static final ConditionFactory AWAIT = Awaitility.await().atMost(Duration.ofSeconds(20));
  private static final String IDLE = "test-host";

  private final JobHost host = new JobHost(IDLE);
  private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();

  @AfterEach
  void close() {
    host.close();
  }

  /** 20 ids in 2 shards, read 5 at a time by 2 shard readers; the listener keeps the coordinator thread. */
  private ReprocessJob job(String name, EventHandler handler, AtomicReference<Thread> coordinator) {
    return ReprocessJob.builder(name).selector(InMemorySelector.ofIds(ids(20), 2)).handler(handler).pageSize(5)
        .shardsInParallel(2).checkpointStore(store).leaseTimeToLive(Duration.ofSeconds(1))
        .listener(new JobListener() {
          @Override
          public void onJobStarted(String jobName, List<Shard> shards) {
            coordinator.set(Thread.currentThread());
          }
        }).build();
  }

  private static JobReport await(JobExecution execution) throws Exception {
    return execution.completion().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * The host's threads alive now, each parked waiting for work under its idle name: a thread that
   * has just finished a task but is not waiting yet cannot take one, and the host would start a
   * new thread for a task handed over at that moment.
   */
  private Set<Thread> idleThreads() {
    AWAIT.until(() -> host.busyThreads() == 0 && liveHostThreads().stream()
        .allMatch(t -> t.getName().startsWith(IDLE + "-") && t.getState() == Thread.State.TIMED_WAITING));
    return liveHostThreads();
  }

  private Set<Thread> liveHostThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(IDLE + "-") || t.getName().startsWith("reprocess-hosted-"))
        .collect(Collectors.toSet());
  }

  @Test
  void aJobOnTheHostRunsItsCoordinatorOnAHostThreadUnderItsNameAndTheNextJobReusesTheThreads() throws Exception {
    AtomicReference<Thread> first = new AtomicReference<>();
    Set<Thread> handlerThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Set<String> handlerThreadNames = java.util.concurrent.ConcurrentHashMap.newKeySet();
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      handlerThreads.add(Thread.currentThread());
      handlerThreadNames.add(Thread.currentThread().getName());
      return Outcome.SUCCEEDED;
    });
    ReprocessJob a = job("hosted-a", handler, first);
    JobReport report = await(host.starting(a::start));
    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(20));
    Set<Thread> idle = idleThreads();
    assertThat(idle).contains(first.get()); // the coordinator was a host thread, now idle again
    // The handler ran on host threads too, under the job's handler thread names while it did.
    assertThat(handlerThreads).isNotEmpty();
    assertThat(idle).containsAll(handlerThreads);
    assertThat(handlerThreadNames).allMatch(n -> n.startsWith("reprocess-hosted-a-handler-"));

    AtomicReference<Thread> second = new AtomicReference<>();
    AtomicReference<String> secondName = new AtomicReference<>();
    RecordingHandler again = new RecordingHandler();
    ReprocessJob b = ReprocessJob.builder("hosted-b").selector(InMemorySelector.ofIds(ids(20), 2))
        .handler(again).pageSize(5).shardsInParallel(2).checkpointStore(store).listener(new JobListener() {
          @Override
          public void onJobStarted(String jobName, List<Shard> shards) {
            second.set(Thread.currentThread());
            secondName.set(Thread.currentThread().getName());
          }
        }).build();
    assertThat(await(host.starting(b::start)).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(again.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(20));
    assertThat(secondName.get()).isEqualTo("reprocess-hosted-b");
    assertThat(idle).contains(second.get()); // its coordinator was a thread the first job left idle

    // A thread that ends a task as the job hands over another may not be waiting yet, and the host
    // then starts one more: reuse bounds the threads, it does not fix their number. Ten more jobs
    // starting their own threads would leave 50 more.
    for (int i = 0; i < 10; i++) {
      RecordingHandler next = new RecordingHandler();
      assertThat(await(host.starting(job("hosted-next-" + i, next, new AtomicReference<>())::start)).status())
          .isEqualTo(JobStatus.COMPLETED);
      assertThat(next.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(20));
    }
    assertThat(idleThreads()).hasSizeLessThanOrEqualTo(2 * idle.size());
  }

  @Test
  void aCancelledJobAndAFailedOneLeaveTheHostsThreadsFitForTheNextJob() throws Exception {
    CountDownLatch cancelledNow = new CountDownLatch(1);
    CountDownLatch handling = new CountDownLatch(1);
    RecordingHandler blocked = new RecordingHandler().beforeEach(e -> {
      handling.countDown();
      cancelledNow.await(20, TimeUnit.SECONDS); // the shard readers are stopped meanwhile
      return Outcome.SUCCEEDED;
    });
    JobExecution cancelled = host.starting(job("hosted-cancelled", blocked, new AtomicReference<>())::start);
    assertThat(handling.await(20, TimeUnit.SECONDS)).isTrue();
    cancelled.cancel();
    cancelledNow.countDown();
    assertThat(await(cancelled).status()).isEqualTo(JobStatus.CANCELLED);

    // Fails on its coordinator: 2 shards, at most 1 allowed.
    ReprocessJob failing = ReprocessJob.builder("hosted-failing").selector(InMemorySelector.ofIds(ids(20), 2))
        .maxShards(1).handler(new RecordingHandler()).checkpointStore(store).build();
    assertThat(await(host.starting(failing::start)).status()).isEqualTo(JobStatus.FAILED);
    Set<Thread> idle = idleThreads();

    AtomicReference<Thread> coordinator = new AtomicReference<>();
    RecordingHandler handler = new RecordingHandler();
    JobReport report = await(host.starting(job("hosted-next", handler, coordinator)::start));
    assertThat(report.status()).as(String.valueOf(report.failureCause())).isEqualTo(JobStatus.COMPLETED);
    assertThat(handler.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(20));
    assertThat(idle).contains(coordinator.get());
  }

  @Test
  void theLeaseIsRenewedOnAHostThreadWhileTheJobRunsAndReleasedAtItsEnd() throws Exception {
    CountDownLatch renewed = new CountDownLatch(1);
    String name = "hosted-lease";
    RecordingHandler handler = new RecordingHandler().beforeEach(e -> {
      renewed.await(20, TimeUnit.SECONDS);
      return Outcome.SUCCEEDED;
    });
    JobExecution execution = host.starting(job(name, handler, new AtomicReference<>())::start);
    AWAIT.until(() -> store.leaseHolder(name).isPresent());
    LeaseHolder acquired = store.leaseHolder(name).orElseThrow();
    // A second of time to live: renewed every third of it, by a host thread under the job's name.
    AWAIT.until(() -> store.leaseHolder(name).map(h -> h.renewedAt().isAfter(acquired.renewedAt())).orElse(false));
    assertThat(liveHostThreads()).extracting(Thread::getName).contains("reprocess-" + name + "-lease");
    renewed.countDown();
    assertThat(await(execution).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(store.leaseHolder(name)).isEmpty();
    assertThat(idleThreads()).extracting(Thread::getName).noneMatch(n -> n.contains(name));
  }

  @Test
  void closingTheHostEndsItsThreadsAndAJobStartedLaterStillRuns() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    assertThat(await(host.starting(job("hosted-close", handler, new AtomicReference<>())::start))
        .status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(idleThreads()).isNotEmpty();
    host.close();
    AWAIT.until(() -> host.threads() == 0 && liveHostThreads().isEmpty());
    // A job started late (one that outlived its host's stop) still runs, and its threads end after it.
    RecordingHandler late = new RecordingHandler();
    assertThat(await(host.starting(job("hosted-late", late, new AtomicReference<>())::start)).status())
        .isEqualTo(JobStatus.COMPLETED);
    assertThat(late.handledAssetIds()).containsExactlyInAnyOrderElementsOf(ids(20));
    AWAIT.until(() -> host.threads() == 0 && liveHostThreads().isEmpty());
  }

  @Test
  void aJobStartedOutsideStartingStartsItsOwnThreads() throws Exception {
    host.starting(() -> null); // nothing started: the host is not kept for later starts
    AtomicReference<Thread> coordinator = new AtomicReference<>();
    assertThat(await(job("hosted-own", new RecordingHandler(), coordinator).start()).status())
        .isEqualTo(JobStatus.COMPLETED);
    assertThat(coordinator.get().getName()).isEqualTo("reprocess-hosted-own");
    assertThat(host.threads()).isZero();
  }
}
