package dev.reprocess.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import dev.reprocess.AssetRef;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import dev.reprocess.elasticsearch.ElasticsearchSelector;
import dev.reprocess.elasticsearch.internal.SeqNoPaginator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Case 4: ids per second of {@link ElasticsearchSelector} (its paginators, shards read in parallel
 * when sliced) against the fastest plain point-in-time loop ({@link PlainPit}: sorted by {@code
 * _shard_doc}, Elasticsearch's own {@code slice} when sliced), over the same index, single and
 * sliced, in the same rounds.
 *
 * <p>With {@code --extra}, also, single: the plain loop in requests of the selector's fetch size, sorted
 * by {@code _seq_no} (the selector's order) and by the keyword {@code asset_id} (what a portable
 * cursor would need); the selector in requests of one page, and with its point in time closed
 * behind its back every {@value #EXPIRE_EVERY_PAGES} pages (it must reopen one and still read
 * every id exactly once); and the client CPU per id of the single variants (and the server's, when
 * the harness started it). The point-in-time variant reaches
 * into the module's internal paginator to find its point in time: a benchmark may, a user may not.
 */
final class ElasticsearchCases {
  static final double SELECTOR_GOAL = 0.9;
  /** Pages between two closings of the selector's point in time in the {@code --extra} variant. */
  static final int EXPIRE_EVERY_PAGES = 20;
  /** Folds in every id read, so the JIT cannot drop the reads. */
  private static final LongAdder CHECKSUM = new LongAdder();

  private ElasticsearchCases() {}

  /** Runs the case; {@code serverCpu}, when not null, adds the server's CPU per id to the {@code --extra} rows. */
  static void run(Options o, ElasticsearchClient client, LongSupplier serverCpu, Results results) throws Exception {
    String index = ElasticsearchData.ensure(client, o.esDocs);
    long expected = o.esDocs;
    int slices = o.esSlices;
    String plainSingle = "plain PIT loop, single";
    String plainSliced = "plain PIT loop, " + slices + " slices";
    String selectorSingle = "ElasticsearchSelector, single";
    String selectorSliced = "ElasticsearchSelector, " + slices + " slices";
    Rounds rounds = new Rounds("elasticsearch").serverCpu(serverCpu);
    int fetch = ElasticsearchSelector.DEFAULT_FETCH_SIZE;
    rounds.block()
        .add(plainSingle, r -> timed(plainSingle, expected, () -> PlainPit.read(client, index, o.pageSize, 1)))
        .add(selectorSingle, r -> timed(selectorSingle, expected,
            () -> selector(client, index, o.pageSize, 1, fetch, 0)));
    rounds.block()
        .add(plainSliced, r -> timed(plainSliced, expected, () -> PlainPit.read(client, index, o.pageSize, slices)))
        .add(selectorSliced, r -> timed(selectorSliced, expected,
            () -> selector(client, index, o.pageSize, slices, fetch, 0)));
    List<Extra> extras = o.extra ? extraVariants(client, index, o.pageSize) : List.of();
    for (Extra extra : extras) {
      rounds.add(extra.variant(), r -> timed(extra.variant(), expected, extra.read()));
    }
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
    for (Extra extra : extras) {
      results.addRate(c, extra.figure() + " (extra)", rounds, extra.variant(), "ids/s",
          rounds.ratio(extra.variant(), plainSingle), null);
    }
    if (o.extra) {
      results.addCpu(c, plainSingle, rounds, "id");
      results.addCpu(c, selectorSingle, rounds, "id");
    }
    for (Extra extra : extras) {
      results.addCpu(c, extra.variant(), rounds, "id");
    }
  }

  /** A reference variant of {@code --extra}: its name in the rounds, its figure in the table, its read. */
  private record Extra(String variant, String figure, Read read) {}

  /** The {@code --extra} variants, all single (one thread), each compared with the plain single loop. */
  private static List<Extra> extraVariants(ElasticsearchClient client, String index, int pageSize) {
    int fetch = ElasticsearchSelector.DEFAULT_FETCH_SIZE;
    return List.of(
        new Extra("plain PIT loop, requests of " + fetch, "plain PIT loop sorted by _shard_doc, requests of " + fetch
            + " (the selector's fetch size)", () -> PlainPit.read(client, index, fetch, 1)),
        new Extra("plain PIT loop, _seq_no", "plain PIT loop sorted by _seq_no (the selector's order)",
            () -> PlainPit.read(client, index, pageSize, 1, "_seq_no")),
        new Extra("plain PIT loop, asset_id", "plain PIT loop sorted by the keyword asset_id (a portable cursor)",
            () -> PlainPit.read(client, index, pageSize, 1, "asset_id")),
        new Extra("selector, requests of one page", "ElasticsearchSelector, requests of one page (fetch size "
            + pageSize + ")", () -> selector(client, index, pageSize, 1, pageSize, 0)),
        new Extra("selector, PIT closed", "ElasticsearchSelector, point in time closed every " + EXPIRE_EVERY_PAGES
            + " pages", () -> selector(client, index, pageSize, 1, fetch, EXPIRE_EVERY_PAGES)));
  }

  @FunctionalInterface
  private interface Read {
    long read() throws Exception;
  }

  private static double timed(String name, long expected, Read read) throws Exception {
    long t0 = System.nanoTime();
    long n = read.read();
    double rate = n / Stats.seconds(t0);
    Reads.check(name, n, expected);
    return rate;
  }

  /**
   * Every shard of the selector through its paginator, one thread per shard, in requests of {@code
   * fetchSize}. When {@code closeEveryPages} is above 0, closes the paginator's point in time every
   * that many pages and fails unless every id was still read exactly once.
   */
  private static long selector(ElasticsearchClient client, String index, int pageSize, int slices, int fetchSize,
      int closeEveryPages) {
    Set<String> seen = closeEveryPages > 0 ? ConcurrentHashMap.newKeySet() : null;
    LongAdder closed = new LongAdder();
    LongAdder reopened = new LongAdder();
    try (ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(index).slices(slices)
        .fetchSize(fetchSize).build()) {
      List<Shard> shards = selector.shards();
      long ids = Reads.inParallel(shards, shards.size(), shard -> {
        int[] pages = {0};
        return Reads.readShard(selector, shard, pageSize, CHECKSUM, (paginator, page) -> {
          if (seen == null) {
            return;
          }
          for (AssetRef ref : page.assets()) {
            if (!seen.add(ref.assetId())) {
              throw new IllegalStateException("the selector read " + ref.assetId() + " twice");
            }
          }
          if (++pages[0] % closeEveryPages == 0 && !page.last()) {
            closePointInTime(client, paginator);
            closed.increment();
          }
          if (page.last()) {
            reopened.add(seqNoPaginator(paginator).pointInTimeOpens() - 1);
          }
        });
      });
      if (seen != null) {
        Log.info("elasticsearch: point in time closed %d times, reopened %d times in one pass", closed.sum(),
            reopened.sum());
      }
      return ids;
    }
  }

  /** Closes the paginator's point in time behind its back, as an expiry would. */
  private static void closePointInTime(ElasticsearchClient client, Paginator paginator) {
    String pit = seqNoPaginator(paginator).pointInTimeId();
    if (pit == null) {
      return; // none open now: nothing to close
    }
    try {
      client.closePointInTime(c -> c.id(pit));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SeqNoPaginator seqNoPaginator(Paginator paginator) {
    if (!(paginator instanceof SeqNoPaginator seqNo)) {
      throw new IllegalStateException("the selector's paginator is a " + paginator.getClass().getName()
          + ", not the SeqNoPaginator whose point in time this variant closes");
    }
    return seqNo;
  }
}
