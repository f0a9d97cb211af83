package dev.reprocess.bench;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * Cases 1 and 2: ids per second of the time-bucket selector against a plain driver keyset loop
 * and a naive full scan over the same table, then both with 1, 2, 4 and 8 shards read in
 * parallel, all variants in the same rounds.
 */
final class CassandraCases {
  static final int[] PARALLELISM = {1, 2, 4, 8};
  static final double SELECTION_GOAL = 0.95;

  private CassandraCases() {}

  static void run(Options o, CqlSession session, CassandraData.Table table, Results results) throws Exception {
    CassandraReads reads = new CassandraReads(session, table, o.pageSize);
    long expected = table.assets();
    Rounds rounds = new Rounds("cassandra");
    rounds.add("full scan", r -> {
      long t0 = System.nanoTime();
      long n = reads.fullScan();
      double rate = n / Stats.seconds(t0);
      CassandraReads.check("full scan", n, expected);
      return rate;
    });
    for (int p : PARALLELISM) {
      rounds.add(plain(p), r -> {
        long t0 = System.nanoTime();
        long n = reads.plainKeysetAll(p);
        double rate = n / Stats.seconds(t0);
        CassandraReads.check(plain(p), n, expected);
        return rate;
      });
      rounds.add(selector(p), r -> {
        long t0 = System.nanoTime();
        long n = reads.selectorAll(p);
        double rate = n / Stats.seconds(t0);
        CassandraReads.check(selector(p), n, expected);
        return rate;
      });
    }
    rounds.run(o.warmups, o.runs);

    String c1 = String.format("1. Cassandra selection, %,d assets, 3 types x 365 days, page %d", expected, o.pageSize);
    double plain1 = rounds.median(plain(1));
    results.add(c1, "plain driver keyset loop (baseline)", plain1, "ids/s", 1.0, null);
    results.add(c1, "TimeBucketSelector", rounds.median(selector(1)), "ids/s", rounds.median(selector(1)) / plain1,
        SELECTION_GOAL);
    results.add(c1, "naive full scan (SELECT asset_id FROM t)", rounds.median("full scan"), "ids/s",
        rounds.median("full scan") / plain1, null);

    String c2 = "2. Shards in parallel";
    for (int p : PARALLELISM) {
      if (p == 1) {
        continue;
      }
      double plain = rounds.median(plain(p));
      double sel = rounds.median(selector(p));
      results.add(c2, p + " shards: plain driver keyset loop (baseline)", plain, "ids/s", 1.0, null);
      results.add(c2, p + " shards: TimeBucketSelector", sel, "ids/s", sel / plain, SELECTION_GOAL);
    }
    double sel1 = rounds.median(selector(1));
    for (int p : PARALLELISM) {
      if (p != 1) {
        results.add(c2, "TimeBucketSelector speed-up, " + p + " shards vs 1", rounds.median(selector(p)) / sel1, "x",
            null, null);
      }
    }
    Log.info("cassandra checksum %d", reads.checksum());
  }

  private static String plain(int p) {
    return "plain keyset loop, " + p + " shard" + (p == 1 ? "" : "s");
  }

  private static String selector(int p) {
    return "TimeBucketSelector, " + p + " shard" + (p == 1 ? "" : "s");
  }
}
