package dev.reprocess.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;

/**
 * Case 4: ids per second of a plain point-in-time loop sorted by {@code _shard_doc}, single and
 * sliced, over the same index in the same rounds.
 */
final class ElasticsearchCases {
  private ElasticsearchCases() {}

  static void run(Options o, ElasticsearchClient client, Results results) throws Exception {
    String index = ElasticsearchData.ensure(client, o.esDocs);
    long expected = o.esDocs;
    int slices = o.esSlices;
    Rounds rounds = new Rounds("elasticsearch");
    rounds.add("plain PIT loop, single", r -> {
      long t0 = System.nanoTime();
      long n = PlainPit.read(client, index, o.pageSize, 1);
      double rate = n / Stats.seconds(t0);
      CassandraReads.check("plain PIT loop", n, expected);
      return rate;
    });
    rounds.add("plain PIT loop, " + slices + " slices", r -> {
      long t0 = System.nanoTime();
      long n = PlainPit.read(client, index, o.pageSize, slices);
      double rate = n / Stats.seconds(t0);
      CassandraReads.check("plain PIT loop, sliced", n, expected);
      return rate;
    });
    rounds.run(o.warmups, o.runs);
    String c = String.format("4. Elasticsearch selection, %,d docs, 1 primary shard", expected);
    double single = rounds.median("plain PIT loop, single");
    double sliced = rounds.median("plain PIT loop, " + slices + " slices");
    results.add(c, "plain PIT loop sorted by _shard_doc, single (baseline)", single, "ids/s", 1.0, null);
    results.add(c, "plain PIT loop, " + slices + " slices (baseline)", sliced, "ids/s", 1.0, null);
    results.add(c, "plain PIT loop speed-up, " + slices + " slices vs single", sliced / single, "x", null, null);
  }
}
