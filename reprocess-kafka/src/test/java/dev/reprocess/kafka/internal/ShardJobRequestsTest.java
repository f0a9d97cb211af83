package dev.reprocess.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.EventHandler;
import dev.reprocess.JobLease;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.LeaseHolder;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import dev.reprocess.internal.JobHost;
import dev.reprocess.testing.InMemorySelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * What one shard job on a host asks of the checkpoint store: its lease (acquired once, released
 * once), its checkpoint load, its final checkpoint; no selection read or write (the host verified
 * the definition, {@link HostSelection}), no renewal within its lease's time to live.
 */
class ShardJobRequestsTest {
  private static final String JOB = "backfill";

  @Test
  void aShardJobOnAHostLoadsItsCheckpointsHoldsItsLeaseAndWritesItsLastCheckpointOnly() throws Exception {
    Counting store = new Counting(new InMemoryCheckpointStore());
    InMemorySelector selector = InMemorySelector.ofIds(List.of("a", "b", "c", "d", "e", "f"), 3);
    String definition = selector.selectionDefinition();
    CheckpointStore shardStore = HostSelection.verify(store, JOB, definition, false);
    assertThat(store.counts()).containsOnly(Map.entry("loadSelection", 1), Map.entry("saveSelection", 1));
    store.calls.clear();

    Shard shard = selector.shards().get(0);
    ReprocessJob job = ReprocessJob.builder(ShardJobs.name(JOB, shard.id()))
        .selector(new RecordSelector(selector, List.of(shard), definition))
        .checkpointStore(shardStore).handler(EventHandler.of(e -> {})).pageSize(1)
        .checkpointInterval(Duration.ofMinutes(1)).shardsInParallel(1).build();
    JobHost host = new JobHost("test-host");
    JobReport report;
    try {
      report = host.starting(job::start).completion().toCompletableFuture().get();
    } finally {
      host.close();
    }

    assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(report.selected()).isEqualTo(2); // 2 pages of 1, one checkpoint write
    assertThat(store.counts()).containsOnly(
        Map.entry("acquireLease", 1), Map.entry("load", 1), Map.entry("preflight", 1),
        Map.entry("lease.saveAll", 1), Map.entry("lease.close", 1));
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
