package dev.reprocess.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.AssetSelector;
import dev.reprocess.CheckpointStore;
import dev.reprocess.EventHandler;
import dev.reprocess.JobLease;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.kafka.DistributedJob;
import dev.reprocess.testing.InMemorySelector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A host's rebalances, leases and commits, with Kafka's {@link MockConsumer} (its {@code rebalance} is
 * cooperative: it revokes only what is removed and assigns only what is added) and an in-memory
 * checkpoint store. The group's completion check asks an admin client of an unreachable address, so
 * a host ends on {@code stop()} only.
 */
class ShardHostTest {
  private static final String JOB = "rev";
  private static final String TOPIC = "rev.shards";
  private static final String FP = "fp";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
  private static final TopicPartition P2 = new TopicPartition(TOPIC, 2);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    cleanup.forEach(Runnable::run);
  }

  private static DistributedSettings settings(AssetSelector selector, CheckpointStore store,
      Consumer<ReprocessJob.Builder> options, int shardsPerRecord) {
    return settings(selector, store, options, shardsPerRecord, Duration.ofSeconds(10));
  }

  private static DistributedSettings settings(AssetSelector selector, CheckpointStore store,
      Consumer<ReprocessJob.Builder> options, int shardsPerRecord, Duration stopTimeout) {
    return new DistributedSettings(JOB, selector, store, options, TOPIC, 3, (short) 1, JOB + ".hosts", 4,
        shardsPerRecord, stopTimeout, Duration.ofSeconds(1), Duration.ofSeconds(5),
        new KafkaConnection("localhost:1", null, null));
  }

  /** Records of the given shards on the partition, from offset 0; the end offset is set to match. */
  private void publish(TopicPartition tp, List<ShardRecord> records) {
    consumer.updateBeginningOffsets(Map.of(tp, 0L));
    consumer.updateEndOffsets(Map.of(tp, (long) records.size()));
  }

  private void addRecords(TopicPartition tp, List<ShardRecord> records) {
    for (int i = 0; i < records.size(); i++) {
      ShardRecord r = records.get(i);
      consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), i, r.key(), r.value()));
    }
  }

  /** Assigns {@code assignment} (cooperatively: revoked and added partitions only) and adds the added partitions' records. */
  private void rebalance(List<TopicPartition> assignment, Map<TopicPartition, List<ShardRecord>> added) {
    added.forEach(this::publish);
    consumer.schedulePollTask(() -> {
      consumer.rebalance(assignment);
      added.forEach(this::addRecords);
    });
  }

  private CompletableFuture<DistributedJob.HostReport> start(ShardHost host) {
    CompletableFuture<DistributedJob.HostReport> report = CompletableFuture.supplyAsync(host::run);
    report.whenComplete((r, e) -> {
      if (r != null && r.failureCause() != null) {
        r.failureCause().printStackTrace(System.out);
      }
    });
    cleanup.add(() -> {
      host.stop();
      try {
        report.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    return report;
  }

  private static ShardRecord record(Shard... shards) {
    return new ShardRecord(JOB, FP, List.of(shards));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  private long committed(TopicPartition tp) {
    synchronized (consumer) {
      OffsetAndMetadata o = consumer.committed(Set.of(tp)).get(tp);
      return o == null ? -1 : o.offset();
    }
  }

  @Test
  void partitionsAddedToAHostJoinItsOneHostJobSoTheJobOptionsBoundTheHost() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      ids.add("id" + i);
    }
    InMemorySelector selector = InMemorySelector.ofIds(ids, 3);
    List<Shard> shards = selector.shards();
    java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger mostInFlight = new java.util.concurrent.atomic.AtomicInteger();
    Set<String> jobs = ConcurrentHashMap.newKeySet();
    Map<String, Integer> handled = new ConcurrentHashMap<>();
    EventHandler slow = EventHandler.of(e -> {
      mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      jobs.add(e.jobName());
      Thread.sleep(10);
      handled.merge(e.assetId(), 1, Integer::sum);
      inFlight.decrementAndGet();
    });
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    ShardHost host = new ShardHost(settings(selector, store, b -> b.handler(slow).concurrency(1).pageSize(2)
        .checkpointInterval(Duration.ZERO), 1), FP, selector.selectionDefinition(), store, shards, consumer);
    rebalance(List.of(P0), Map.of(P0, List.of(record(shards.get(0)))));
    start(host);
    await("the first partition's events flowing", () -> handled.size() >= 4);
    rebalance(List.of(P0, P1), Map.of(P1, List.of(record(shards.get(1)))));
    await("the second partition's shard delivered", () -> handled.keySet().containsAll(ids(selector, shards.get(1))));
    rebalance(List.of(P0, P1, P2), Map.of(P2, List.of(record(shards.get(2)))));
    await("every record committed", () -> committed(P0) == 1 && committed(P1) == 1 && committed(P2) == 1);

    assertThat(handled.keySet()).as("every id handled").containsExactlyInAnyOrderElementsOf(ids);
    assertThat(mostInFlight.get()).as("handler calls at once on a host with concurrency(1)").isEqualTo(1);
    assertThat(jobs).as("the host jobs' names: one, so their meters continue").containsExactly("rev.host-1");
  }

  private static List<String> ids(InMemorySelector selector, Shard shard) {
    List<String> ids = new ArrayList<>();
    try (dev.reprocess.Paginator pages = selector.open(shard, null, 1000)) {
      pages.nextPage().assets().forEach(a -> ids.add(a.assetId()));
    }
    return ids;
  }

  /**
   * A partition whose lease a dead host holds is looked at every second, without a host job per
   * look: one host job runs once the lease expired, with one set of meters.
   */
  @Test
  void aPartitionWhoseLeaseIsHeldElsewhereRunsInOneHostJobOnceTheLeaseExpired() throws Exception {
    InMemorySelector selector = InMemorySelector.ofIds(List.of("a", "b"), 1);
    List<Shard> shards = selector.shards();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    JobLease elsewhere = store.acquireLease(ShardJobs.partitionJob(JOB, 0), "dead-host", Duration.ofMillis(1500),
        true);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ShardHost host = new ShardHost(settings(selector, store,
        b -> b.handler(EventHandler.of(e -> {})).meterRegistry(registry).pageSize(1), 1),
        FP, selector.selectionDefinition(), store, shards, consumer);
    rebalance(List.of(P0), Map.of(P0, List.of(record(shards.get(0)))));
    CompletableFuture<DistributedJob.HostReport> report = start(host);
    await("the record committed", () -> committed(P0) == 1);
    host.stop();
    DistributedJob.HostReport r = report.get(30, TimeUnit.SECONDS);
    elsewhere.close();

    Set<String> jobTags = registry.getMeters().stream().map(m -> m.getId().getTag("job"))
        .filter(t -> t != null).collect(Collectors.toSet());
    assertThat(r.hostJobsRun()).as("host jobs run without any rebalance but the first assignment").isEqualTo(1);
    assertThat(jobTags).as("distinct job tags of the host's meters").hasSize(1);
  }

  /** A host job's lease releases its partitions' leases in the order it acquired them. */
  @Test
  void aPartitionLeaseClosesItsLeasesInTheOrderAcquired() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    List<String> closed = new ArrayList<>();
    Map<String, JobLease> leases = new java.util.LinkedHashMap<>();
    Map<String, String> routing = new HashMap<>();
    List<String> jobs = new ArrayList<>();
    for (int p = 0; p < 12; p++) {
      String pj = ShardJobs.partitionJob(JOB, p);
      jobs.add(pj);
      routing.put("s" + p, pj);
      JobLease real = store.acquireLease(pj, "me", Duration.ofMinutes(1), true);
      leases.put(pj, new JobLease() {
        @Override
        public String jobName() {
          return real.jobName();
        }

        @Override
        public dev.reprocess.LeaseHolder holder() {
          return real.holder();
        }

        @Override
        public void renew() {
          real.renew();
        }

        @Override
        public void save(dev.reprocess.Checkpoint checkpoint) {
          real.save(checkpoint);
        }

        @Override
        public void close() {
          closed.add(pj);
          real.close();
        }
      });
    }
    new PartitionLease("rev.host-1", new PartitionRouting(jobs, routing), leases).close();
    assertThat(closed).as("close order").containsExactlyElementsOf(jobs);
  }

  /**
   * A host job that does not stop within stopTimeout after its partition was revoked (a handler
   * call stuck) is abandoned: the host releases its partitions' leases, so the new owner need not
   * wait for the stuck call, nor for leaseTimeToLive.
   */
  /**
   * Interrupting the thread that runs a host ends it as stop() does: CANCELLED, no failure, the
   * running shard checkpointed and its partition's lease released, and the interrupt flag set again.
   */
  @Test
  void anInterruptEndsTheHostCancelledWithItsShardCheckpointedAndTheFlagSet() throws Exception {
    InMemorySelector selector = InMemorySelector.ofIds(List.of("a", "b", "c"), 1);
    List<Shard> shards = selector.shards();
    CountDownLatch delivering = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    ShardHost host = new ShardHost(settings(selector, store, b -> b.handler(EventHandler.of(e -> {
      delivering.countDown();
      if (e.assetId().equals("b")) {
        release.await(); // the second event waits until the host was interrupted
      }
    })).pageSize(1), 1), FP, selector.selectionDefinition(), store, shards, consumer);
    cleanup.add(release::countDown);
    rebalance(List.of(P0), Map.of(P0, List.of(record(shards.get(0)))));
    CompletableFuture<DistributedJob.HostReport> report = new CompletableFuture<>();
    CompletableFuture<Boolean> flagSetAfter = new CompletableFuture<>();
    Thread runner = new Thread(() -> {
      try {
        report.complete(host.run());
      } catch (Throwable e) {
        report.completeExceptionally(e);
      } finally {
        flagSetAfter.complete(Thread.currentThread().isInterrupted());
      }
    }, "shard-host-test-runner");
    runner.start();
    assertThat(delivering.await(20, TimeUnit.SECONDS)).isTrue();
    String p0 = ShardJobs.partitionJob(JOB, 0);
    await("p0's lease held", () -> store.leaseHolder(p0).isPresent());

    runner.interrupt();
    release.countDown();

    DistributedJob.HostReport r = report.get(30, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(dev.reprocess.JobStatus.CANCELLED);
    assertThat(r.failureCause()).isNull();
    assertThat(flagSetAfter.get(30, TimeUnit.SECONDS)).as("interrupt flag after run()").isTrue();
    // Stopped at "b" or, if the stop came after the in-flight events settled, complete: checkpointed either way.
    assertThat(store.load(p0)).as("the shard's checkpoint").containsKey(shards.get(0).id());
    assertThat(store.leaseHolder(p0).filter(h -> !h.expiredAt(java.time.Instant.now()))).as("p0's lease").isEmpty();
  }

  @Test
  void aHostJobThatOutlivesStopTimeoutHasItsPartitionsLeasesReleased() throws Exception {
    InMemorySelector selector = InMemorySelector.ofIds(List.of("a", "b"), 2);
    List<Shard> shards = selector.shards();
    CountDownLatch release = new CountDownLatch(1);
    Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    ShardHost host = new ShardHost(settings(selector, store, b -> b.handler(EventHandler.of(e -> {
      inFlight.merge(e.assetId(), 1, Integer::sum);
      release.await();
    })).leaseTimeToLive(Duration.ofSeconds(60)).pageSize(1), 1, Duration.ofSeconds(1)),
        FP, selector.selectionDefinition(), store, shards, consumer);
    cleanup.add(release::countDown);
    rebalance(List.of(P0, P1), Map.of(P0, List.of(record(shards.get(0))), P1, List.of(record(shards.get(1)))));
    start(host);
    await("an event in flight", () -> inFlight.size() >= 1);
    String p1 = ShardJobs.partitionJob(JOB, 1);
    assertThat(store.leaseHolder(p1)).as("p1's lease held").isPresent();
    rebalance(List.of(P0), Map.of()); // P1 revoked: the host job does not stop within stopTimeout (1 s)
    // Its lease lives 60 s: released, not expired, if it is free within 20 s.
    await("p1's lease released", () -> store.leaseHolder(p1).filter(h -> !h.expiredAt(java.time.Instant.now()))
        .isEmpty());
  }

  /**
   * A record whose shards are complete already when a host job starts (checkpointed COMPLETED by
   * the partition's previous owner, which had not committed it) is committed while the host job
   * runs, not only when it completes.
   */
  @Test
  void aRecordFoundCompleteIsCommittedWhileItsHostJobRuns() throws Exception {
    InMemorySelector selector = InMemorySelector.ofIds(List.of("a", "b"), 2);
    List<Shard> shards = selector.shards();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    store.save(new dev.reprocess.Checkpoint(ShardJobs.partitionJob(JOB, 0), shards.get(0).id(),
        dev.reprocess.Cursor.of("1"), dev.reprocess.Checkpoint.State.COMPLETED, 1, 1, 0, 0, java.time.Instant.now()));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch delivering = new CountDownLatch(1);
    ShardHost host = new ShardHost(settings(selector, store, b -> b.handler(EventHandler.of(e -> {
      delivering.countDown();
      release.await();
    })).pageSize(1), 1), FP, selector.selectionDefinition(), store, shards, consumer);
    cleanup.add(release::countDown);
    rebalance(List.of(P0), Map.of(P0, List.of(record(shards.get(0)), record(shards.get(1)))));
    start(host);
    assertThat(delivering.await(20, TimeUnit.SECONDS)).isTrue();
    await("P0's offset 1 committed while the host job runs (record 0 is complete)", () -> committed(P0) == 1);
  }

  /** A partition revoked mid-run: its lease is released, the kept one's shard resumes and its record commits. */
  @Test
  void aPartitionRevokedMidRunIsReleasedAndTheKeptOneResumesAndCommits() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add("id" + i);
    }
    InMemorySelector selector = InMemorySelector.ofIds(ids, 2);
    List<Shard> shards = selector.shards();
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    Map<String, Integer> delivered = new ConcurrentHashMap<>();
    ShardHost host = new ShardHost(settings(selector, store, b -> b.handler(EventHandler.of(e -> {
      delivered.merge(e.assetId(), 1, Integer::sum);
      Thread.sleep(100);
    })).concurrency(1).pageSize(1).checkpointInterval(Duration.ofMillis(100)), 1), FP, selector.selectionDefinition(), store,
        shards, consumer);
    rebalance(List.of(P0, P1), Map.of(P0, List.of(record(shards.get(0))), P1, List.of(record(shards.get(1)))));
    CompletableFuture<DistributedJob.HostReport> report = start(host);
    await("some events delivered", () -> delivered.size() >= 4);
    rebalance(List.of(P0), Map.of());
    await("P0's record committed", () -> committed(P0) == 1);
    String p1 = ShardJobs.partitionJob(JOB, 1);
    assertThat(store.leaseHolder(p1)).as("p1's lease released").isEmpty();
    host.stop();
    DistributedJob.HostReport r = report.get(30, TimeUnit.SECONDS);
    assertThat(r.failureCause()).isNull();
  }
}
