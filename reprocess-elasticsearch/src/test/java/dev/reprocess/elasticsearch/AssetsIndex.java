package dev.reprocess.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.mapping.TypeMapping;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import co.elastic.clients.json.JsonData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.hc.core5.http.HttpHost;

/**
 * Test data for the integration tests: an index of assets whose documents the test also keeps in
 * memory, so that expectations are computed from the data rather than written down.
 *
 * <p>Document {@code i}: {@code _id} and {@code asset_id} a timeuuid one millisecond after the
 * previous one; {@code asset_type} one of three; {@code batch} {@code b0}..{@code b9}; {@code
 * created_at}; {@code title} (text); {@code payload.codec} one of four and {@code
 * payload.size_bytes}, above 2^31 for one document in 100.
 */
final class AssetsIndex {

  static final String[] TYPES = {"image/png", "image/jpeg", "video/mp4"};
  static final String[] CODECS = {"h264", "h265", "vp9", "av1"};
  private static final long UUID_EPOCH_OFFSET = 0x01B21DD213814000L;

  final String name;
  final Map<String, Map<String, Object>> docs;

  private AssetsIndex(String name, Map<String, Map<String, Object>> docs) {
    this.name = name;
    this.docs = docs;
  }

  /** A client over the test server; close the returned transport's client with {@link #close(ElasticsearchClient)}. */
  static ElasticsearchClient client(String url) {
    Rest5Client rest;
    try {
      rest = Rest5Client.builder(HttpHost.create(url))
          // enough connections for handlers that each load a document while others index
          .setConnectionManagerCallback(cm -> cm.setMaxConnPerRoute(64).setMaxConnTotal(64))
          .build();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("bad Elasticsearch URL " + url, e);
    }
    return new ElasticsearchClient(new Rest5ClientTransport(rest, new JacksonJsonpMapper()));
  }

  static void close(ElasticsearchClient client) {
    try {
      client._transport().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A unique index name for this run. */
  static String uniqueName(String prefix) {
    return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  }

  /** The standard mapping of the test documents. */
  static TypeMapping.Builder mapping(TypeMapping.Builder m) {
    return m
        .properties("asset_id", p -> p.keyword(k -> k))
        .properties("asset_type", p -> p.keyword(k -> k))
        .properties("batch", p -> p.keyword(k -> k))
        .properties("created_at", p -> p.date(d -> d))
        .properties("title", p -> p.text(t -> t))
        .properties("payload", p -> p.object(o -> o
            .properties("codec", c -> c.keyword(k -> k))
            .properties("size_bytes", c -> c.long_(l -> l))));
  }

  /** Creates an index with {@code count} documents (0 replicas), refreshed, and remembers them. */
  static AssetsIndex create(ElasticsearchClient client, String name, int shards, int count) throws IOException {
    client.indices().create(c -> c
        .index(name)
        .settings(s -> s.numberOfShards(Integer.toString(shards)).numberOfReplicas("0").refreshInterval(t -> t.time("-1")))
        .mappings(AssetsIndex::mapping));
    Map<String, Map<String, Object>> docs = generate(count, new Random(name.hashCode()));
    index(client, name, docs);
    client.indices().refresh(r -> r.index(name));
    return new AssetsIndex(name, docs);
  }

  /**
   * A copy of this index under another name, with the same documents at the same {@code _seq_no}s,
   * made with the clone API (hard links: much faster than loading it again). This index becomes
   * read-only; the copy is writable.
   */
  AssetsIndex cloneAs(ElasticsearchClient client, String target) throws IOException {
    client.indices().putSettings(p -> p.index(name).settings(s -> s.blocks(b -> b.write(true))));
    client.indices().clone(c -> c.index(name).target(target).settings("index.blocks.write", JsonData.of(false)));
    return new AssetsIndex(target, docs);
  }

  /** Bulk-loads documents, 5,000 per request, failing on any item error. */
  static void index(ElasticsearchClient client, String index, Map<String, Map<String, Object>> docs) throws IOException {
    List<BulkOperation> batch = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> e : docs.entrySet()) {
      batch.add(BulkOperation.of(o -> o.index(i -> i.index(index).id(e.getKey()).document(e.getValue()))));
      if (batch.size() == 5000) {
        bulk(client, batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      bulk(client, batch);
    }
  }

  private static void bulk(ElasticsearchClient client, List<BulkOperation> operations) throws IOException {
    BulkResponse response = client.bulk(b -> b.operations(operations));
    if (response.errors()) {
      throw new IllegalStateException("loading test data failed: " + response.items().stream()
          .filter(i -> i.error() != null).findFirst().map(i -> i.error().reason()).orElse("?"));
    }
  }

  static Map<String, Map<String, Object>> generate(int count, Random random) {
    Map<String, Map<String, Object>> docs = new LinkedHashMap<>();
    long start = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    long clockSeqAndNode = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    for (int i = 0; i < count; i++) {
      long millis = start + i;
      String id = timeuuid(millis, clockSeqAndNode);
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("codec", CODECS[random.nextInt(CODECS.length)]);
      payload.put("size_bytes", i % 100 == 42 ? 3_000_000_000L + i : 1_000L + random.nextInt(10_000_000));
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("asset_id", id);
      doc.put("asset_type", TYPES[i % TYPES.length]);
      doc.put("batch", "b" + (i % 10));
      doc.put("created_at", Instant.ofEpochMilli(millis).toString());
      doc.put("title", "asset " + i + " in " + payload.get("codec").toString().toUpperCase(Locale.ROOT));
      doc.put("payload", payload);
      docs.put(id, doc);
    }
    return docs;
  }

  /** A version 1 UUID for a time, as Cassandra's timeuuid. */
  static String timeuuid(long epochMillis, long clockSeqAndNode) {
    long ticks = epochMillis * 10_000 + UUID_EPOCH_OFFSET;
    long msb = (ticks << 32) | ((ticks >>> 16) & 0xFFFF0000L) | 0x1000L | ((ticks >>> 48) & 0x0FFFL);
    return new UUID(msb, clockSeqAndNode).toString();
  }

  /** The ids of the documents that match a predicate. */
  List<String> idsWhere(Predicate<Map<String, Object>> predicate) {
    return docs.entrySet().stream().filter(e -> predicate.test(e.getValue())).map(Map.Entry::getKey).toList();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> payload(Map<String, Object> doc) {
    return (Map<String, Object>) doc.get("payload");
  }

  /** Every document of an index by id, as parsed {@code _source} maps, read with a point in time. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static Map<String, Map<String, Object>> readAll(ElasticsearchClient client, String index) throws IOException {
    Map<String, Map<String, Object>> all = new HashMap<>();
    String pit = client.openPointInTime(o -> o.index(index).keepAlive(t -> t.time("2m"))).id();
    try {
      List<FieldValue> after = null;
      while (true) {
        List<FieldValue> searchAfter = after;
        String id = pit;
        SearchResponse<Map> response = client.search(s -> {
          s.pit(p -> p.id(id).keepAlive(t -> t.time("2m"))).size(5000)
              .sort(so -> so.field(f -> f.field("_shard_doc").order(SortOrder.Asc)))
              .trackTotalHits(t -> t.enabled(false));
          if (searchAfter != null) {
            s.searchAfter(searchAfter);
          }
          return s;
        }, Map.class);
        pit = response.pitId();
        List<Hit<Map>> hits = response.hits().hits();
        for (Hit<Map> hit : hits) {
          all.put(hit.id(), (Map<String, Object>) hit.source());
        }
        if (hits.size() < 5000) {
          return all;
        }
        after = hits.get(hits.size() - 1).sort();
      }
    } finally {
      String id = pit;
      client.closePointInTime(c -> c.id(id));
    }
  }

  static void deleteQuietly(ElasticsearchClient client, String index) {
    try {
      client.indices().delete(d -> d.index(index).ignoreUnavailable(true));
    } catch (IOException | RuntimeException e) {
      // the index stays behind on a shared server; it has a unique name
    }
  }

  /** Applies a function that may throw I/O exceptions. */
  interface IoFunction<T, R> {
    R apply(T t) throws IOException;
  }

  static <T, R> Function<T, R> unchecked(IoFunction<T, R> f) {
    return t -> {
      try {
        return f.apply(t);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }
}
