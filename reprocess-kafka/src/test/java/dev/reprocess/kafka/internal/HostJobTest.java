package dev.reprocess.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.EventHandler;
import dev.reprocess.JobLease;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.LeaseHeldException;
import dev.reprocess.LeaseHolder;
import dev.reprocess.LeaseLostException;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.internal.JobHost;
import dev.reprocess.testing.InMemorySelector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A host job over the shards of two shard-topic partitions: what it asks of the checkpoint store
 * (each partition's lease acquired once and released once, its checkpoints loaded once, one write
 * per partition; no selection read or write, the host verified the definition), where its
 * checkpoints land (under each partition's job), and how each partition's lease fences its own
 * shards' checkpoints.
 */
class HostJobTest {
  private static final String JOB = "backfill";
  private static final String P0 = ShardJobs.partitionJob(JOB, 0);
  private static final String P1 = ShardJobs.partitionJob(JOB, 1);
  private final InMemorySelector selector = InMemorySelector.ofIds(List.of("a", "b", "c", "d", "e", "f"), 3);
  /** Shards 0 and 2 in partition 0, shard 1 in partition 1. */
  private final PartitionRouting routing = new PartitionRouting(List.of(P0, P1), Map.of(
      shard(0).id(), P0, shard(1).id(), P1, shard(2).id(), P0));

  private Shard shard(int i) {
    return selector.shards().get(i);
  }

  @Test
  void aHostJobHoldsEachPartitionsLeaseOnceAndCheckpointsEachShardUnderItsPartitionsJob() throws Exception {
    Counting store = new Counting(new InMemoryCheckpointStore());
    String definition = selector.selectionDefinition();
    CheckpointStore verified = HostSelection.verify(store, JOB, definition, false);
    assertThat(store.counts()).containsOnly(Map.entry("loadSelection", 1), Map.entry("saveSelection", 1));
    store.calls.clear();

    ReprocessJob job = ReprocessJob.builder(ShardJobs.hostJob(JOB, 1))
        .selector(new RecordSelector(selector, selector.shards(), definition))
        .checkpointStore(new PartitionCheckpoints(verified, routing)).handler(EventHandler.of(e -> {})).pageSize(1)
        .checkpointInterval(Duration.ofMinutes(1)).shardsInParallel(3).build();
    JobHost host = new JobHost("test-host");
    JobReport report;
    try {
      report = host.starting(job::start).completion().toCompletableFuture().get();
    } finally {
      host.close();
    }

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.selected()).isEqualTo(6);
    assertThat(store.counts()).containsOnly(
        Map.entry("acquireLease", 2), Map.entry("load", 2), Map.entry("preflight", 1),
        Map.entry("lease.saveAll", 2), Map.entry("lease.close", 2));
    assertThat(store.load(P0).keySet()).containsExactlyInAnyOrder(shard(0).id(), shard(2).id());
    assertThat(store.load(P1).keySet()).containsExactly(shard(1).id());
    assertThat(store.load(P0).values()).allMatch(c -> c.completed() && c.jobName().equals(P0));
    assertThat(store.load(ShardJobs.hostJob(JOB, 1))).as("nothing under the host job's own name").isEmpty();
    assertThat(new PartitionCheckpoints(store, routing).load("any").keySet()).as("merged back")
        .containsExactlyInAnyOrder(shard(0).id(), shard(1).id(), shard(2).id());
  }

  @Test
  void aPartitionLeaseHeldElsewhereFailsTheAcquisitionAndReleasesTheOthers() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    JobLease elsewhere = store.acquireLease(P1, "other-host", Duration.ofMinutes(1), true);

    PartitionCheckpoints partitions = new PartitionCheckpoints(store, routing);
    assertThatThrownBy(() -> partitions.acquireLease("backfill.host-1", "this-host", Duration.ofMinutes(1), true))
        .isInstanceOf(LeaseHeldException.class);
    assertThat(store.leaseHolder(P0).filter(h -> !h.expiredAt(Instant.now())))
        .as("partition 0's lease, acquired before, was released").isEmpty();

    elsewhere.close();
    try (JobLease lease = partitions.acquireLease("backfill.host-1", "this-host", Duration.ofMinutes(1), true)) {
      assertThat(lease.jobName()).isEqualTo("backfill.host-1");
      assertThat(store.leaseHolder(P0)).hasValueSatisfying(h -> assertThat(h.owner()).isEqualTo("this-host"));
      assertThat(store.leaseHolder(P1)).hasValueSatisfying(h -> assertThat(h.owner()).isEqualTo("this-host"));
    }
  }

  @Test
  void eachPartitionsLeaseFencesItsOwnShardsCheckpoints() {
    InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    JobLease lease = new PartitionCheckpoints(store, routing)
        .acquireLease("backfill.host-1", "this-host", Duration.ofMillis(1), true);
    await(() -> store.leaseHolder(P1).orElseThrow().expiredAt(Instant.now()));
    store.acquireLease(P1, "new-owner", Duration.ofMinutes(1), true); // took partition 1 over

    lease.save(checkpoint(shard(0)));
    assertThatThrownBy(() -> lease.save(checkpoint(shard(1)))).isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(lease::renew).isInstanceOf(LeaseLostException.class);
    assertThat(store.load(P0)).containsKey(shard(0).id());
    assertThat(store.load(P1)).as("the fenced write did not land").isEmpty();
    lease.close();
    assertThat(store.leaseHolder(P1)).hasValueSatisfying(h -> assertThat(h.owner()).isEqualTo("new-owner"));
  }

  private static Checkpoint checkpoint(Shard shard) {
    return new Checkpoint("backfill.host-1", shard.id(), null, Checkpoint.State.IN_PROGRESS, 1, 1, 0, 0,
        Instant.now());
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.onSpinWait();
    }
  }

  /** A store that counts the calls of the store and of its leases. */
  private static final class Counting implements CheckpointStore {
    private final CheckpointStore store;
    final Map<String, Integer> calls = new ConcurrentHashMap<>();

    Counting(CheckpointStore store) {
      this.store = store;
    }

    Map<String, Integer> counts() {
      return new TreeMap<>(calls);
    }

    private void count(String call) {
      calls.merge(call, 1, Integer::sum);
    }

    @Override
    public Map<String, Checkpoint> load(String jobName) {
      count("load");
      return store.load(jobName);
    }

    @Override
    public void save(Checkpoint checkpoint) {
      count("save");
      store.save(checkpoint);
    }

    @Override
    public void delete(String jobName) {
      count("delete");
      store.delete(jobName);
    }

    @Override
    public void preflight(String jobName) {
      count("preflight");
      store.preflight(jobName);
    }

    @Override
    public Optional<String> loadSelection(String jobName) {
      count("loadSelection");
      return store.loadSelection(jobName);
    }

    @Override
    public void saveSelection(String jobName, String definition) {
      count("saveSelection");
      store.saveSelection(jobName, definition);
    }

    @Override
    public boolean keepsSelection() {
      return store.keepsSelection();
    }

    @Override
    public Optional<LeaseHolder> leaseHolder(String jobName) {
      count("leaseHolder");
      return store.leaseHolder(jobName);
    }

    @Override
    public JobLease acquireLease(String jobName, String owner, Duration timeToLive, boolean takeOverExpired) {
      count("acquireLease");
      JobLease lease = store.acquireLease(jobName, owner, timeToLive, takeOverExpired);
      return new JobLease() {
        @Override
        public String jobName() {
          return lease.jobName();
        }

        @Override
        public LeaseHolder holder() {
          return lease.holder();
        }

        @Override
        public void renew() {
          count("lease.renew");
          lease.renew();
        }

        @Override
        public void save(Checkpoint checkpoint) {
          count("lease.save");
          lease.save(checkpoint);
        }

        @Override
        public void saveAll(List<Checkpoint> checkpoints) {
          count("lease.saveAll");
          lease.saveAll(checkpoints);
        }

        @Override
        public boolean exclusive() {
          return lease.exclusive();
        }

        @Override
        public void close() {
          count("lease.close");
          lease.close();
        }
      };
    }
  }
}
