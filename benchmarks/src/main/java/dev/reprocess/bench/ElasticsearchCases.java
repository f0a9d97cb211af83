package dev.reprocess.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import dev.reprocess.AssetRef;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import dev.reprocess.elasticsearch.ElasticsearchSelector;
import java.util.List;

/**
 * Case 4: ids per second of {@link ElasticsearchSelector} (its paginators, shards read in parallel
 * when sliced) against the fastest plain point-in-time loop ({@link PlainPit}: sorted by {@code
 * _shard_doc}, Elasticsearch's own {@code slice} when sliced), over the same index, single and
 * sliced, in the same rounds.
 */
final class ElasticsearchCases {
  static final double SELECTOR_GOAL = 0.9;

  private ElasticsearchCases() {}

  static void run(Options o, ElasticsearchClient client, Results results) throws Exception {
    String index = ElasticsearchData.ensure(client, o.esDocs);
    long expected = o.esDocs;
    int slices = o.esSlices;
    String plainSingle = "plain PIT loop, single";
    String plainSliced = "plain PIT loop, " + slices + " slices";
    String selectorSingle = "ElasticsearchSelector, single";
    String selectorSliced = "ElasticsearchSelector, " + slices + " slices";
    Rounds rounds = new Rounds("elasticsearch");
    rounds.add(plainSingle, r -> timed(plainSingle, expected, () -> PlainPit.read(client, index, o.pageSize, 1)));
    rounds.add(plainSliced, r -> timed(plainSliced, expected, () -> PlainPit.read(client, index, o.pageSize, slices)));
    rounds.add(selectorSingle, r -> timed(selectorSingle, expected, () -> selector(client, index, o.pageSize, 1)));
    rounds.add(selectorSliced, r -> timed(selectorSliced, expected,
        () -> selector(client, index, o.pageSize, slices)));
    rounds.run(o.warmups, o.runs);

    String c = String.format("4. Elasticsearch selection, %,d docs, 1 primary shard, page %d", expected, o.pageSize);
    results.addRate(c, "plain PIT loop sorted by _shard_doc, single (baseline)", rounds, plainSingle, "ids/s", 1.0,
        null);
    results.addRate(c, "ElasticsearchSelector (_seq_no cursor), single", rounds, selectorSingle, "ids/s",
        rounds.ratio(selectorSingle, plainSingle), SELECTOR_GOAL);
    results.addRate(c, "plain PIT loop, " + slices + " slices (baseline)", rounds, plainSliced, "ids/s", 1.0, null);
    results.addRate(c, "ElasticsearchSelector, " + slices + " slices", rounds, selectorSliced, "ids/s",
        rounds.ratio(selectorSliced, plainSliced), SELECTOR_GOAL);
    results.add(c, "plain PIT loop speed-up, " + slices + " slices vs single",
        rounds.ratio(plainSliced, plainSingle), "x", null, null);
    results.add(c, "ElasticsearchSelector speed-up, " + slices + " slices vs single",
        rounds.ratio(selectorSliced, selectorSingle), "x", null, null);
  }

  @FunctionalInterface
  private interface Read {
    long read() throws Exception;
  }

  private static double timed(String name, long expected, Read read) throws Exception {
    long t0 = System.nanoTime();
    long n = read.read();
    double rate = n / Stats.seconds(t0);
    CassandraReads.check(name, n, expected);
    return rate;
  }

  /** Every shard of the selector through its paginator, one thread per shard. */
  private static long selector(ElasticsearchClient client, String index, int pageSize, int slices) {
    try (ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(index).slices(slices).build()) {
      List<Shard> shards = selector.shards();
      return CassandraReads.inParallel(shards, shards.size(), shard -> {
        long count = 0;
        long sum = 0;
        try (Paginator p = selector.open(shard, null, pageSize)) {
          Page page;
          do {
            page = p.nextPage();
            for (AssetRef ref : page.assets()) {
              sum += ref.assetId().length();
            }
            count += page.size();
          } while (!page.last());
        }
        return sum == 42 ? count + 1 : count;
      });
    }
  }
}
