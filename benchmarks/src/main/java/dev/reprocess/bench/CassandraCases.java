package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.reprocess.Checkpoint;
import dev.reprocess.CheckpointStore;
import dev.reprocess.JobReport;
import dev.reprocess.Outcome;
import dev.reprocess.ReprocessJob;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.CassandraCheckpointStore;
import dev.reprocess.cassandra.TimeBucketSelector;
import dev.reprocess.checkpoint.InMemoryCheckpointStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Cases 1 and 2: ids per second of the time-bucket selector against a plain driver keyset loop
 * and a naive full scan over the same table, then both with 1, 2, 4 and 8 shards read in
 * parallel, all variants in the same rounds. Each measurement reads the whole table at least once and
 * for at least {@code --min-seconds}.
 *
 * <p>With {@code --extra}, also: the plain loop with one statement per partition paged by the
 * driver, the selector driven by a whole {@link ReprocessJob} with a no-op handler ({@value
 * #JOB_CONCURRENCY} in flight) at {@link #JOB_PARALLELISM} shards, and the client CPU per id (and the
 * server's, when the harness started it) of the variants at those shards; as rows of their own.
 */
final class CassandraCases {
  static final int[] PARALLELISM = {1, 2, 4, 8};
  static final double SELECTION_GOAL = 0.95;
  /** Issue 15: the lease costs at most 2% of a job's rate. */
  static final double LEASE_GOAL = 0.98;
  /** Shards in parallel of the {@code --extra} job variant. */
  static final int[] JOB_PARALLELISM = {1, 4};
  /** Events in flight of the {@code --extra} job variant. */
  static final int JOB_CONCURRENCY = 64;

  /**
   * Diagnostic (REPROCESS_BENCH_BOUNDED set): also the keyset loop with the selector's id bounds,
   * and the keyset loop building the selector's per-row output, in the block of the keyset loop and
   * the selector at the same shards.
   */
  private static final boolean BOUNDED = System.getenv("REPROCESS_BENCH_BOUNDED") != null;

  private static final String SETUP = "TimeBucketSelector setup";

  private CassandraCases() {}

  /** Runs the cases; {@code serverCpu}, when not null, adds the server's CPU per id to the {@code --extra} rows. */
  static void run(Options o, CqlSession session, CassandraData.Table table, LongSupplier serverCpu, Results results)
      throws Exception {
    CassandraReads reads = new CassandraReads(session, table, o.pageSize);
    long expected = table.assets();
    Rounds rounds = new Rounds("cassandra").serverCpu(serverCpu);
    long minNanos = (long) (o.minSeconds * 1e9);
    rounds.add("full scan", r -> Reads.repeated(minNanos, "full scan", expected, reads::fullScan));
    // Built once per case, as a job builds its selector and shard list once per run; the setup is
    // measured on its own (a variant of its own), so the ratios compare reading with reading, as the
    // token-range case does.
    TimeBucketSelector selector = reads.selector();
    List<Shard> shards = selector.shards();
    rounds.add(SETUP, r -> {
      long t0 = System.nanoTime();
      Reads.check(SETUP, reads.selectorSetup(), shards.size());
      return 1e9 / (System.nanoTime() - t0);
    });
    for (int p : PARALLELISM) {
      Rounds.Block block = rounds.block()
          .add(plain(p), r -> Reads.repeated(minNanos, plain(p), expected, () -> reads.plainKeysetAll(p)))
          .add(selector(p), r -> Reads.repeated(minNanos, selector(p), expected,
              () -> reads.selectorAll(selector, shards, p)));
      if (BOUNDED) {
        // The loop building AssetRefs next to the selector, whose ratio to it is reported.
        block.add(refs(p), r -> Reads.repeated(minNanos, refs(p), expected, () -> reads.plainKeysetRefsAll(p)))
            .add(bounded(p), r -> Reads.repeated(minNanos, bounded(p), expected, () -> reads.plainKeysetBoundedAll(p)));
      }
    }
    if (o.extra) {
      addExtraVariants(rounds, reads, o.pageSize, minNanos, expected);
    }
    rounds.run(o.warmups, o.runs);
    report(rounds, expected, o.pageSize, results);
    if (o.extra) {
      reportExtras(rounds, results);
    }
    if (BOUNDED) {
      String c = "1-2. Cassandra selection, diagnostic loops (REPROCESS_BENCH_BOUNDED)";
      for (int p : PARALLELISM) {
        results.addRate(c, bounded(p) + " (extra)", rounds, bounded(p), "ids/s", rounds.ratio(bounded(p), plain(p)), null);
        results.addCpu(c, plain(p), rounds, "id");
        results.addCpu(c, bounded(p), rounds, "id");
        results.addCpu(c, selector(p), rounds, "id");
        results.addRate(c, refs(p) + " (extra)", rounds, refs(p), "ids/s", rounds.ratio(refs(p), plain(p)), null);
        results.addRate(c, "TimeBucketSelector against it, " + shards(p) + " (extra)", rounds, selector(p), "ids/s",
            rounds.ratio(selector(p), refs(p)), null);
        results.addCpu(c, refs(p), rounds, "id");
      }
    }
    Log.info("cassandra checksum %d", reads.checksum());
  }

  /**
   * The lease's cost alone ({@code --cases lease}): the job with in-memory checkpoints, with
   * Cassandra checkpoints without a lease, and with them and the lease, at 1 and 4 shards.
   */
  static void runLease(Options o, CqlSession session, CassandraData.Table table, Results results) throws Exception {
    CassandraReads reads = new CassandraReads(session, table, o.pageSize);
    long expected = table.assets();
    long minNanos = (long) (o.minSeconds * 1e9);
    Rounds rounds = new Rounds("lease");
    addLeaseVariants(rounds, session, reads, o.pageSize, minNanos, expected);
    rounds.run(o.warmups, o.runs);
    reportLease(rounds, "1-2c. The lease's cost, " + String.format("%,d assets", expected), results);
  }

  /**
   * The job with in-memory checkpoints, with Cassandra checkpoints without a lease, and with them
   * and the lease (issue 15), each shard count a block.
   */
  private static void addLeaseVariants(Rounds rounds, CqlSession session, CassandraReads reads, int pageSize,
      long minNanos, long expected) {
    CheckpointStore leased = CassandraCheckpointStore.builder(session)
        .table(CassandraData.KEYSPACE + ".bench_checkpoints").createTable(true).build();
    CheckpointStore unleased = new WithoutLease(leased);
    for (int p : JOB_PARALLELISM) {
      rounds.block()
          .add(job(p), r -> Reads.repeated(minNanos, job(p), expected,
              () -> throughJob(reads, pageSize, p, new InMemoryCheckpointStore())))
          .add(unleasedJob(p), r -> Reads.repeated(minNanos, unleasedJob(p), expected,
              () -> throughJob(reads, pageSize, p, unleased)))
          .add(leasedJob(p), r -> Reads.repeated(minNanos, leasedJob(p), expected,
              () -> throughJob(reads, pageSize, p, leased)));
    }
  }

  private static void addExtraVariants(Rounds rounds, CassandraReads reads, int pageSize, long minNanos,
      long expected) {
    for (int p : PARALLELISM) {
      rounds.add(paging(p), r -> Reads.repeated(minNanos, paging(p), expected, () -> reads.plainPagingAll(p)));
    }
    for (int p : JOB_PARALLELISM) {
      rounds.add(job(p), r -> Reads.repeated(minNanos, job(p), expected,
          () -> throughJob(reads, pageSize, p, new InMemoryCheckpointStore())));
    }
  }

  private static String refs(int p) {
    return "plain keyset loop building AssetRefs, " + shards(p);
  }

  private static String bounded(int p) {
    return "plain keyset loop with the selector's bounds, " + shards(p);
  }

  private static void report(Rounds rounds, long expected, int pageSize, Results results) {
    String c1 = String.format("1. Cassandra selection, %,d assets, 3 types x 365 days, page %d", expected, pageSize);
    results.addRate(c1, "plain driver keyset loop (baseline)", rounds, plain(1), "ids/s", 1.0, null);
    results.addRate(c1, "TimeBucketSelector", rounds, selector(1), "ids/s", rounds.ratio(selector(1), plain(1)),
        SELECTION_GOAL);
    results.addRate(c1, "naive full scan (SELECT asset_id FROM t)", rounds, "full scan", "ids/s",
        rounds.ratio("full scan", plain(1)), null);
    results.add(c1, "TimeBucketSelector setup: build and shards(), once per job (not in the rates above)",
        1000 / rounds.median(SETUP), "ms", null, null);

    String c2 = "2. Shards in parallel";
    for (int p : PARALLELISM) {
      if (p == 1) {
        continue;
      }
      results.addRate(c2, p + " shards: plain driver keyset loop (baseline)", rounds, plain(p), "ids/s", 1.0, null);
      results.addRate(c2, p + " shards: TimeBucketSelector", rounds, selector(p), "ids/s", rounds.ratio(selector(p), plain(p)),
          SELECTION_GOAL);
    }
    for (int p : PARALLELISM) {
      if (p != 1) {
        results.add(c2, "TimeBucketSelector speed-up, " + p + " shards vs 1", rounds.ratio(selector(p), selector(1)),
            "x", null, null);
        results.add(c2, "plain keyset loop speed-up, " + p + " shards vs 1", rounds.ratio(plain(p), plain(1)),
            "x", null, null);
      }
    }
  }

  private static void reportLease(Rounds rounds, String c, Results results) {
    for (int p : JOB_PARALLELISM) {
      results.addRate(c, "the same job, checkpoints in Cassandra without a lease (plain saves), " + shards(p)
          + "; ratio to in-memory checkpoints", rounds, unleasedJob(p), "events/s", rounds.ratio(unleasedJob(p),
          job(p)), null);
      results.addRate(c, "the same job, checkpoints and its lease in Cassandra (fenced saves), " + shards(p)
          + "; ratio to the one without a lease", rounds, leasedJob(p), "events/s",
          rounds.ratio(leasedJob(p), unleasedJob(p)), LEASE_GOAL);
    }
  }

  /** The {@code --extra} rows, in a group of their own below cases 1 and 2; ratios to the keyset loop at the same shards. */
  private static void reportExtras(Rounds rounds, Results results) {
    String c = "1-2. Cassandra selection, reference variants";
    for (int p : PARALLELISM) {
      results.addRate(c, "plain driver loop, one statement per partition, driver paging, " + shards(p) + " (extra)",
          rounds, paging(p), "ids/s", rounds.ratio(paging(p), plain(p)), null);
    }
    for (int p : JOB_PARALLELISM) {
      results.addRate(c, "TimeBucketSelector through ReprocessJob, no-op handler, " + JOB_CONCURRENCY
          + " in flight, " + shards(p) + " (extra)", rounds, job(p), "events/s", rounds.ratio(job(p), plain(p)), null);
    }
    for (int p : PARALLELISM) {
      results.addCpu(c, plain(p), rounds, "id");
      results.addCpu(c, paging(p), rounds, "id");
      results.addCpu(c, selector(p), rounds, "id");
    }
    for (int p : JOB_PARALLELISM) {
      results.addCpu(c, job(p), rounds, "id");
    }
  }

  /**
   * The same Cassandra store, opted out of leases ({@link CheckpointStore#acquireLease}'s default):
   * the run holds no lease and its saves are plain writes, so that the ratio of the leased job to
   * this one is the lease's cost alone (issue 15: at most 2%).
   */
  private static final class WithoutLease implements CheckpointStore {
    private final CheckpointStore store;

    WithoutLease(CheckpointStore store) {
      this.store = store;
    }

    @Override
    public Map<String, Checkpoint> load(String jobName) {
      return store.load(jobName);
    }

    @Override
    public void save(Checkpoint checkpoint) {
      store.save(checkpoint);
    }

    @Override
    public void delete(String jobName) {
      store.delete(jobName);
    }

    @Override
    public Optional<String> loadSelection(String jobName) {
      return store.loadSelection(jobName);
    }

    @Override
    public void saveSelection(String jobName, String definition) {
      store.saveSelection(jobName, definition);
    }

    @Override
    public boolean keepsSelection() {
      return store.keepsSelection();
    }
  }

  /** One whole job over the table: the selector, a no-op handler, {@code parallel} shards at a time. */
  private static long throughJob(CassandraReads reads, int pageSize, int parallel, CheckpointStore store) {
    LongAdder handled = new LongAdder();
    JobReport report = ReprocessJob.builder("bench-job-" + UUID.randomUUID().toString().substring(0, 8))
        .selector(reads.selector())
        .handler(event -> {
          handled.increment();
          return Outcome.SUCCEEDED;
        })
        .pageSize(pageSize)
        .shardsInParallel(parallel)
        .concurrency(JOB_CONCURRENCY)
        .meterRegistry(new SimpleMeterRegistry())
        .checkpointStore(store)
        .build()
        .run()
        .throwIfFailed();
    Reads.check("ReprocessJob (handler calls)", handled.sum(), report.succeeded());
    return report.succeeded();
  }

  static String shards(int p) {
    return p + " shard" + (p == 1 ? "" : "s");
  }

  private static String plain(int p) {
    return "plain keyset loop, " + shards(p);
  }

  private static String paging(int p) {
    return "plain loop with driver paging, " + shards(p);
  }

  private static String leasedJob(int p) {
    return "ReprocessJob no-op, Cassandra checkpoints and lease, " + shards(p);
  }

  private static String unleasedJob(int p) {
    return "ReprocessJob no-op, Cassandra checkpoints without a lease, " + shards(p);
  }

  private static String job(int p) {
    return "ReprocessJob no-op, " + shards(p);
  }

  private static String selector(int p) {
    return "TimeBucketSelector, " + shards(p);
  }
}
