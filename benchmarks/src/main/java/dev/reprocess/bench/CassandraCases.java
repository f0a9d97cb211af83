package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * Cases 1 and 2: ids per second of the time-bucket selector against a plain driver keyset loop
 * and a naive full scan over the same table, then both with 1, 2, 4 and 8 shards read in
 * parallel, all variants in the same rounds. Each measurement reads the whole table at least once and
 * for at least {@code --min-seconds}.
 */
final class CassandraCases {
  static final int[] PARALLELISM = {1, 2, 4, 8};
  static final double SELECTION_GOAL = 0.95;

  private CassandraCases() {}

  static void run(Options o, CqlSession session, CassandraData.Table table, Results results) throws Exception {
    CassandraReads reads = new CassandraReads(session, table, o.pageSize);
    long expected = table.assets();
    Rounds rounds = new Rounds("cassandra");
    long minNanos = (long) (o.minSeconds * 1e9);
    rounds.add("full scan", r -> repeated(minNanos, "full scan", expected, reads::fullScan));
    for (int p : PARALLELISM) {
      rounds.add(plain(p), r -> repeated(minNanos, plain(p), expected, () -> reads.plainKeysetAll(p)));
      rounds.add(selector(p), r -> repeated(minNanos, selector(p), expected, () -> reads.selectorAll(p)));
    }
    rounds.run(o.warmups, o.runs);

    String c1 = String.format("1. Cassandra selection, %,d assets, 3 types x 365 days, page %d", expected, o.pageSize);
    results.addRate(c1, "plain driver keyset loop (baseline)", rounds, plain(1), "ids/s", 1.0, null);
    results.addRate(c1, "TimeBucketSelector", rounds, selector(1), "ids/s", rounds.ratio(selector(1), plain(1)),
        SELECTION_GOAL);
    results.addRate(c1, "naive full scan (SELECT asset_id FROM t)", rounds, "full scan", "ids/s",
        rounds.ratio("full scan", plain(1)), null);

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
    Log.info("cassandra checksum %d", reads.checksum());
  }

  /**
   * Reads the whole table again and again until at least {@code minNanos} passed (a whole read
   * with 8 shards takes about 2 s on 2 cores, too short to rise above the machine's noise), checks
   * every read, and returns ids per second over all of them.
   */
  static double repeated(long minNanos, String what, long expected, java.util.function.LongSupplier read) {
    long t0 = System.nanoTime();
    long ids = 0;
    do {
      long n = read.getAsLong();
      CassandraReads.check(what, n, expected);
      ids += n;
    } while (System.nanoTime() - t0 < minNanos);
    return ids / Stats.seconds(t0);
  }

  private static String plain(int p) {
    return "plain keyset loop, " + p + " shard" + (p == 1 ? "" : "s");
  }

  private static String selector(int p) {
    return "TimeBucketSelector, " + p + " shard" + (p == 1 ? "" : "s");
  }
}
