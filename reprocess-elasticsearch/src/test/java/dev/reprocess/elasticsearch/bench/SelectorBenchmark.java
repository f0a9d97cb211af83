package dev.reprocess.elasticsearch.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import dev.reprocess.elasticsearch.ElasticsearchSelector;
import dev.reprocess.elasticsearch.internal.SeqNoPaginator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.core5.http.HttpHost;

/**
 * Measures how fast {@link ElasticsearchSelector} reads ids, against plain client loops over a
 * point in time, in the same process and on the same data. Not a test: run it on demand.
 *
 * <pre>
 * cd /work/main
 * mvn -B -q -pl reprocess-elasticsearch test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp reprocess-elasticsearch/target/test-classes:reprocess-elasticsearch/target/classes:$(cat reprocess-elasticsearch/target/cp.txt) \
 *   dev.reprocess.elasticsearch.bench.SelectorBenchmark [--url http://127.0.0.1:9200] [--docs 200000] [--page-size 1000] [--rounds 5] [--warmup 2] [--es-pid PID]
 * </pre>
 *
 * <p>Without {@code --url} it uses {@code REPROCESS_ELASTICSEARCH}, or else starts an Elasticsearch
 * through the testkit (stopped when the benchmark exits).
 *
 * <p>It creates (once, kept for later runs) an index {@code reprocess-bench-<docs>} with one shard
 * and no replica, then runs every variant once per round: warm-up rounds first, then measured
 * rounds, and prints each round and the medians with their ratios. Variants:
 *
 * <ul>
 *   <li>{@code plain-shard_doc}: a plain point-in-time loop sorted by {@code _shard_doc}, the
 *       fastest plain loop (the reference), one request per page;
 *   <li>{@code plain-shard_doc-5000}: the same with requests of 5,000 hits, the selector's default
 *       fetch size;
 *   <li>{@code plain-keyword}: the same loop sorted by the keyword asset id, which a portable
 *       cursor would otherwise need;
 *   <li>{@code plain-seq_no}: the same loop sorted by {@code _seq_no}, the order the selector uses;
 *   <li>{@code selector}: the selector, one shard, through the {@code AssetSelector} SPI, pages
 *       of the page size from requests of its default fetch size;
 *   <li>{@code selector-fetch-<page size>}: the same with requests of one page;
 *   <li>{@code selector-expiring}: the same, with its point in time closed behind its back every
 *       20 pages, so it recovers about 10 times per pass (checks it still reads every id once);
 *   <li>{@code plain-shard_doc-4slices} and {@code selector-4slices}: 4 slices read by 4 threads.
 * </ul>
 *
 * With {@code --es-pid} (the Elasticsearch server's process id, on the same Linux machine) it also
 * prints the server's CPU time per 100,000 ids, which a busy machine distorts far less than wall
 * time.
 *
 * <p>Ids are document {@code _id}s in every variant. Every pass checks it read each document exactly
 * once.
 */
public final class SelectorBenchmark {

  private final ElasticsearchClient client;
  private final String index;
  private final int docs;
  private final int pageSize;

  private final long esPid;

  private SelectorBenchmark(ElasticsearchClient client, int docs, int pageSize, long esPid) {
    this.client = client;
    this.esPid = esPid;
    this.docs = docs;
    this.index = "reprocess-bench-" + docs;
    this.pageSize = pageSize;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    String url = options.get("url");
    if (url == null) {
      // REPROCESS_ELASTICSEARCH if set, else a server the testkit starts (and stops at exit)
      url = dev.reprocess.testkit.TestBackends.elasticsearch().url();
    }
    int docs = Integer.parseInt(options.getOrDefault("docs", "200000"));
    int pageSize = Integer.parseInt(options.getOrDefault("page-size", "1000"));
    int rounds = Integer.parseInt(options.getOrDefault("rounds", "5"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "2"));
    try (Rest5Client rest = Rest5Client.builder(HttpHost.create(url)).build()) {
      ElasticsearchClient client = new ElasticsearchClient(new Rest5ClientTransport(rest, new JacksonJsonpMapper()));
      String esPid = options.get("es-pid");
      new SelectorBenchmark(client, docs, pageSize, esPid == null ? -1 : Long.parseLong(esPid)).run(rounds, warmup);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  private interface Variant {
    long pass() throws Exception;
  }

  private void run(int rounds, int warmup) throws Exception {
    load();
    Map<String, Variant> variants = new LinkedHashMap<>();
    int fetch = ElasticsearchSelector.DEFAULT_FETCH_SIZE;
    variants.put("plain-shard_doc", () -> plainLoop("_shard_doc", pageSize, 0, 1));
    variants.put("plain-shard_doc-" + fetch, () -> plainLoop("_shard_doc", fetch, 0, 1));
    variants.put("plain-keyword", () -> plainLoop("asset_id", pageSize, 0, 1));
    variants.put("plain-seq_no", () -> plainLoop("_seq_no", pageSize, 0, 1));
    variants.put("selector", () -> selector(1, fetch, 0));
    variants.put("selector-fetch-" + pageSize, () -> selector(1, pageSize, 0));
    variants.put("selector-expiring", () -> selector(1, fetch, 20));
    variants.put("plain-shard_doc-4slices", () -> parallel(4, slice -> plainLoop("_shard_doc", pageSize, slice, 4)));
    variants.put("selector-4slices", () -> selector(4, fetch, 0));
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, List<Double>> serverCpu = new LinkedHashMap<>();
    Map<String, List<Double>> clientCpu = new LinkedHashMap<>();
    variants.keySet().forEach(k -> rates.put(k, new ArrayList<>()));
    variants.keySet().forEach(k -> serverCpu.put(k, new ArrayList<>()));
    variants.keySet().forEach(k -> clientCpu.put(k, new ArrayList<>()));
    System.out.printf("index %s: %,d docs, 1 shard, page size %d; %d warm-up and %d measured rounds%n",
        index, docs, pageSize, warmup, rounds);
    for (int round = -warmup; round < rounds; round++) {
      StringBuilder line = new StringBuilder(round < 0 ? "warm-up " : "round " + round + " ");
      for (Map.Entry<String, Variant> v : variants.entrySet()) {
        long cpuBefore = serverCpuMillis();
        long clientBefore = clientCpuNanos();
        long start = System.nanoTime();
        long ids = v.getValue().pass();
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpuMillis = serverCpuMillis() - cpuBefore;
        long clientNanos = clientCpuNanos() - clientBefore;
        if (ids != docs) {
          throw new IllegalStateException(v.getKey() + " read " + ids + " ids, expected " + docs);
        }
        double rate = ids / seconds;
        line.append(String.format(" %s %,.0f", v.getKey(), rate));
        if (round >= 0) {
          rates.get(v.getKey()).add(rate);
          serverCpu.get(v.getKey()).add(cpuMillis * 100_000.0 / ids);
          clientCpu.get(v.getKey()).add(clientNanos / 1e6 * 100_000.0 / ids);
        }
      }
      System.out.println(line);
    }
    System.out.println("medians (ids/s):");
    Map<String, Double> medians = new LinkedHashMap<>();
    rates.forEach((k, list) -> medians.put(k, median(list)));
    medians.forEach((k, m) -> System.out.printf("  %-30s %,10.0f%n", k, m));
    System.out.println("CPU per 100,000 ids (ms, medians; less is better; far less distorted by a busy machine than wall time):");
    System.out.printf("  %-30s %10s %10s %10s%n", "", "client", esPid > 0 ? "server" : "", esPid > 0 ? "total" : "");
    Map<String, Double> totalCpu = new LinkedHashMap<>();
    for (String k : variants.keySet()) {
      double client = median(clientCpu.get(k));
      double server = median(serverCpu.get(k));
      totalCpu.put(k, client + server);
      if (esPid > 0) {
        System.out.printf("  %-30s %,10.0f %,10.0f %,10.0f%n", k, client, server, client + server);
      } else {
        System.out.printf("  %-30s %,10.0f%n", k, client);
      }
    }
    System.out.printf("ratios of medians:%n");
    ratio(medians, "selector", "plain-shard_doc", "same page size");
    ratio(medians, "selector", "plain-shard_doc-" + fetch, "same request size");
    ratio(medians, "selector-fetch-" + pageSize, "plain-shard_doc", "same request size");
    ratio(medians, "selector-expiring", "plain-shard_doc", "point in time closed every 20 pages");
    ratio(medians, "plain-seq_no", "plain-shard_doc", "the sort alone");
    ratio(medians, "plain-keyword", "plain-shard_doc", "a keyword cursor");
    ratio(medians, "selector-4slices", "selector", "slicing");
    ratio(medians, "plain-shard_doc-4slices", "plain-shard_doc", "slicing");
    ratio(medians, "selector-4slices", "plain-shard_doc-4slices", "sliced");
    if (esPid > 0) {
      System.out.println("the same ratios estimated from CPU cost, as a CPU-bound run would see them (cost of the second / cost of the first):");
      costRatio(totalCpu, "selector", "plain-shard_doc", "same page size");
      costRatio(totalCpu, "selector", "plain-shard_doc-" + fetch, "same request size");
      costRatio(totalCpu, "selector-fetch-" + pageSize, "plain-shard_doc", "same request size");
      costRatio(totalCpu, "selector-expiring", "plain-shard_doc", "point in time closed every 20 pages");
      costRatio(totalCpu, "plain-keyword", "plain-shard_doc", "a keyword cursor");
      costRatio(totalCpu, "selector-4slices", "plain-shard_doc-4slices", "sliced");
    }
  }

  private static void costRatio(Map<String, Double> cost, String a, String b, String note) {
    System.out.printf("  %-48s %5.2f  (%s)%n", a + " / " + b, cost.get(b) / cost.get(a), note);
  }

  private static long clientCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void ratio(Map<String, Double> medians, String a, String b, String note) {
    System.out.printf("  %-48s %5.2f  (%s)%n", a + " / " + b, medians.get(a) / medians.get(b), note);
  }

  /** CPU time (user + system) the Elasticsearch process used so far, from /proc; 0 without --es-pid. */
  private long serverCpuMillis() throws java.io.IOException {
    if (esPid <= 0) {
      return 0;
    }
    String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + esPid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
    return ticks * 10; // USER_HZ is 100 on Linux
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** A plain point-in-time loop: the reference the selector is measured against. */
  private long plainLoop(String sortField, int size, int slice, int slices) throws Exception {
    String pit = client.openPointInTime(o -> o.index(index).keepAlive(t -> t.time("5m"))).id();
    Set<String> seen = ConcurrentHashMap.newKeySet(docs * 2 / slices); // the same kind of set as the selector passes use
    try {
      List<FieldValue> after = null;
      while (true) {
        List<FieldValue> searchAfter = after;
        String pitId = pit;
        SearchResponse<Void> response = client.search(s -> {
          s.pit(p -> p.id(pitId).keepAlive(t -> t.time("5m")))
              .size(size)
              .source(src -> src.fetch(false))
              .trackTotalHits(t -> t.enabled(false))
              .sort(so -> so.field(f -> f.field(sortField).order(SortOrder.Asc)));
          if (sortField.equals("asset_id")) {
            s.sort(so -> so.field(f -> f.field("_shard_doc").order(SortOrder.Asc)));
          }
          if (searchAfter != null) {
            s.searchAfter(searchAfter);
          }
          if (slices > 1) {
            s.slice(sl -> sl.id(Integer.toString(slice)).max(slices));
          }
          return s;
        }, Void.class);
        pit = response.pitId();
        List<Hit<Void>> hits = response.hits().hits();
        for (Hit<Void> hit : hits) {
          if (!seen.add(hit.id())) {
            throw new IllegalStateException("plain loop read " + hit.id() + " twice");
          }
        }
        if (hits.size() < size) {
          return seen.size();
        }
        after = hits.get(hits.size() - 1).sort();
      }
    } finally {
      String pitId = pit;
      client.closePointInTime(c -> c.id(pitId));
    }
  }

  private interface SliceTask {
    long run(int slice) throws Exception;
  }

  private static long parallel(int threads, SliceTask task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int slice = i;
        results.add(pool.submit(() -> task.run(slice)));
      }
      long total = 0;
      for (Future<Long> f : results) {
        total += f.get();
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Reads every shard of a selector, shards in parallel; closes the point in time every {@code expireEvery} pages if > 0. */
  private long selector(int slices, int fetchSize, int expireEvery) throws Exception {
    try (ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(index).slices(slices).fetchSize(fetchSize).build()) {
      List<Shard> shards = selector.shards();
      Set<String> seen = ConcurrentHashMap.newKeySet(docs * 2);
      AtomicLong duplicates = new AtomicLong();
      parallel(shards.size(), i -> {
        Cursor cursor = null;
        int pages = 0;
        try (Paginator paginator = selector.open(shards.get(i), cursor, pageSize)) {
          while (true) {
            Page page = paginator.nextPage();
            for (AssetRef asset : page.assets()) {
              if (!seen.add(asset.assetId())) {
                duplicates.incrementAndGet();
              }
            }
            if (page.last()) {
              return page.size();
            }
            if (expireEvery > 0 && ++pages % expireEvery == 0) {
              String pit = ((SeqNoPaginator) paginator).pointInTimeId();
              client.closePointInTime(c -> c.id(pit));
            }
          }
        }
      });
      if (duplicates.get() > 0) {
        throw new IllegalStateException("the selector read " + duplicates.get() + " ids twice");
      }
      return seen.size();
    }
  }

  private void load() throws Exception {
    if (client.indices().exists(e -> e.index(index)).value()) {
      long count = client.count(c -> c.index(index)).count();
      if (count == docs) {
        return;
      }
      client.indices().delete(d -> d.index(index));
    }
    client.indices().create(c -> c
        .index(index)
        .settings(s -> s.numberOfShards("1").numberOfReplicas("0").refreshInterval(t -> t.time("-1")))
        .mappings(m -> m
            .properties("asset_id", p -> p.keyword(k -> k))
            .properties("asset_type", p -> p.keyword(k -> k))
            .properties("color", p -> p.keyword(k -> k))
            .properties("size", p -> p.long_(k -> k))
            .properties("title", p -> p.text(k -> k))));
    String[] colors = {"red", "green", "blue", "yellow", "black"};
    Random random = new Random(42);
    long start = System.nanoTime();
    for (int from = 0; from < docs; from += 5000) {
      List<BulkOperation> operations = new ArrayList<>();
      for (int i = from; i < Math.min(docs, from + 5000); i++) {
        String id = new UUID(random.nextLong(), random.nextLong()).toString();
        Map<String, Object> doc = Map.of(
            "asset_id", id, "asset_type", i % 3 == 0 ? "image/png" : "video/mp4",
            "color", colors[i % colors.length], "size", i, "title", "asset number " + i);
        operations.add(BulkOperation.of(o -> o.index(x -> x.index(index).id(id).document(doc))));
      }
      BulkResponse response = client.bulk(b -> b.operations(operations));
      if (response.errors()) {
        throw new IllegalStateException("bulk load failed: " + response.items().stream()
            .filter(it -> it.error() != null).findFirst().map(it -> it.error().reason()).orElse("?"));
      }
    }
    client.indices().refresh(r -> r.index(index));
    System.out.printf("loaded %,d docs in %.1f s%n", docs, (System.nanoTime() - start) / 1e9);
  }
}
