package dev.reprocess.examples;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.mapping.TypeMapping;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import dev.reprocess.ReprocessException;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The catalog's Elasticsearch side: the catalog index (one document per asset, id = asset id,
 * with the asset's metadata as keyword, long and date fields) and helpers the commands share.
 * Thread-safe; the client is the caller's.
 */
final class SearchIndex {
  static final String DEFAULT_INDEX = "asset-catalog";

  /** The catalog index's mapping: every field exact (keyword, long, date), sortable by {@code assetId}. */
  static final String CATALOG_MAPPING = """
      {"dynamic": "strict", "properties": {
        "assetId": {"type": "keyword"},
        "assetType": {"type": "keyword"},
        "mediaType": {"type": "keyword"},
        "path": {"type": "keyword"},
        "extension": {"type": "keyword"},
        "sizeBytes": {"type": "long"},
        "modifiedAt": {"type": "date"},
        "bucket": {"type": "keyword"}
      }}""";

  private final ElasticsearchClient client;
  private final String index;

  SearchIndex(ElasticsearchClient client, String index) {
    this.client = client;
    this.index = requireIndexName(index);
  }

  static String requireIndexName(String index) {
    if (index == null || !index.matches("[a-z0-9][a-z0-9._-]{0,200}")) {
      throw new IllegalArgumentException("index is '" + index
          + "': it must be a lower-case Elasticsearch index name (letters, digits, '.', '_', '-')");
    }
    return index;
  }

  ElasticsearchClient client() {
    return client;
  }

  String index() {
    return index;
  }

  /** Creates the catalog index (1 shard, 0 replicas) unless it exists. */
  void createCatalogIndex() {
    createIndex(client, index, CATALOG_MAPPING);
  }

  /** Creates {@code index} with the mapping given as JSON, 1 shard and 0 replicas, unless it exists. */
  static void createIndex(ElasticsearchClient client, String index, String mappingJson) {
    try {
      if (client.indices().exists(e -> e.index(index)).value()) {
        return;
      }
      TypeMapping mapping = TypeMapping.of(m -> m.withJson(new StringReader(mappingJson)));
      client.indices().create(c -> c.index(index)
          .settings(s -> s.numberOfShards("1").numberOfReplicas("0"))
          .mappings(mapping));
    } catch (ElasticsearchException e) {
      if (!"resource_already_exists_exception".equals(e.error().type())) {
        throw new ReprocessException("creating index " + index + " failed: " + e.getMessage(), e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("creating index " + index + " failed", e);
    }
  }

  /** The catalog document of an asset. */
  static Map<String, Object> document(Catalog.FileAsset a) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("assetId", a.id().toString());
    doc.put("assetType", a.mediaType());
    doc.put("mediaType", a.mediaType());
    doc.put("path", a.path());
    doc.put("extension", MediaTypes.extension(java.nio.file.Path.of(a.path())));
    doc.put("sizeBytes", a.sizeBytes());
    doc.put("modifiedAt", a.modifiedAt().toString());
    doc.put("bucket", a.bucket());
    return doc;
  }

  /**
   * A bulk indexer into the catalog index: batches of 1,000 documents, 2 requests in flight, and
   * counts of documents indexed and failed.
   */
  Indexer indexer() {
    return new Indexer();
  }

  /** Makes recent writes visible to searches. */
  void refresh() {
    refresh(client, index);
  }

  static void refresh(ElasticsearchClient client, String index) {
    try {
      client.indices().refresh(r -> r.index(index));
    } catch (IOException e) {
      throw new UncheckedIOException("refreshing " + index + " failed", e);
    }
  }

  /** The number of documents matching {@code query} in {@code index} (after a refresh). */
  static long count(ElasticsearchClient client, String index, Query query) {
    try {
      return client.count(c -> c.index(index).query(query)).count();
    } catch (IOException e) {
      throw new UncheckedIOException("counting in " + index + " failed", e);
    }
  }

  static boolean exists(ElasticsearchClient client, String index) {
    try {
      return client.indices().exists(e -> e.index(index)).value();
    } catch (IOException e) {
      throw new UncheckedIOException("checking index " + index + " failed", e);
    }
  }

  /**
   * A query from its JSON form, e.g. {@code {"prefix": {"mediaType": "text/"}}}, as Elasticsearch's
   * client reads it (no request is made).
   *
   * @throws RuntimeException the client's error when it cannot read {@code json} as a query; a
   *     command checks its option first ({@link OptionChecks#elasticsearchQuery})
   */
  static Query query(String json) {
    return Query.of(q -> q.withJson(new StringReader(json)));
  }

  /** Bulk indexing with counts; close to flush and wait. */
  final class Indexer implements AutoCloseable {
    private final AtomicLong indexed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final BulkIngester<Void> ingester;
    private boolean closed;

    private Indexer() {
      BulkListener<Void> listener = new BulkListener<>() {
        @Override
        public void beforeBulk(long executionId, BulkRequest request, List<Void> contexts) {}

        @Override
        public void afterBulk(long executionId, BulkRequest request, List<Void> contexts, BulkResponse response) {
          for (BulkResponseItem item : response.items()) {
            if (item.error() == null) {
              indexed.incrementAndGet();
            } else {
              failed.incrementAndGet();
              firstError.compareAndSet(null, item.id() + ": " + item.error().reason());
            }
          }
        }

        @Override
        public void afterBulk(long executionId, BulkRequest request, List<Void> contexts, Throwable failure) {
          failed.addAndGet(request.operations().size());
          firstError.compareAndSet(null, failure.toString());
        }
      };
      ingester = BulkIngester.of(b -> b.client(client).maxOperations(1000).maxConcurrentRequests(2)
          .flushInterval(1, TimeUnit.SECONDS).listener(listener));
    }

    void add(Catalog.FileAsset asset) {
      Map<String, Object> doc = document(asset);
      ingester.add(op -> op.index(i -> i.index(index).id(asset.id().toString()).document(doc)));
    }

    long indexed() {
      return indexed.get();
    }

    long failed() {
      return failed.get();
    }

    String firstError() {
      return firstError.get();
    }

    /** Flushes and waits for every request; closing twice is harmless. */
    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        ingester.close();
      }
    }
  }
}
