package dev.reprocess.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;

/**
 * The Elasticsearch data set: index {@code reprocess-bench-assets-<size>} (1 primary shard, the
 * default, no replica) with one document per asset, {@code _id} = the asset id (a timeuuid
 * string), fields {@code asset_id} (keyword), {@code asset_type} (keyword), {@code created_at}
 * (date) and {@code size} (integer). Loaded with bulk requests of 5,000 and reused when an
 * earlier run left the index with the right count.
 */
final class ElasticsearchData {
  static final int BULK = 5_000;

  /** One document. */
  record Doc(String asset_id, String asset_type, String created_at, int size) {}

  private ElasticsearchData() {}

  static String ensure(ElasticsearchClient client, int docs) throws IOException {
    String index = "reprocess-bench-assets-" + docs;
    if (client.indices().exists(e -> e.index(index)).value()) {
      client.indices().refresh(r -> r.index(index));
      long count = client.count(c -> c.index(index)).count();
      if (count == docs) {
        Log.info("Elasticsearch data set %s: %,d documents already indexed, reused", index, docs);
        return index;
      }
      client.indices().delete(d -> d.index(index));
    }
    client.indices().create(c -> c.index(index)
        .settings(s -> s.numberOfShards("1").numberOfReplicas("0").refreshInterval(t -> t.time("-1")))
        .mappings(m -> m.properties("asset_id", p -> p.keyword(k -> k))
            .properties("asset_type", p -> p.keyword(k -> k))
            .properties("created_at", p -> p.date(d -> d))
            .properties("size", p -> p.integer(i -> i))));
    long t0 = System.nanoTime();
    Random rnd = new Random(CassandraData.SEED);
    long from = CassandraData.FROM.toEpochMilli();
    long span = Duration.ofDays(CassandraData.DAYS).toMillis();
    for (int start = 0; start < docs; start += BULK) {
      BulkRequest.Builder bulk = new BulkRequest.Builder();
      for (int i = start; i < Math.min(docs, start + BULK); i++) {
        long millis = from + (long) (rnd.nextDouble() * span);
        UUID id = CassandraData.timeuuid(millis, rnd);
        Doc doc = new Doc(id.toString(), CassandraData.TYPES.get(i % CassandraData.TYPES.size()),
            Instant.ofEpochMilli(millis).toString(), rnd.nextInt(10_000_000));
        bulk.operations(op -> op.index(ix -> ix.index(index).id(doc.asset_id()).document(doc)));
      }
      BulkResponse response = client.bulk(bulk.build());
      if (response.errors()) {
        throw new IllegalStateException("bulk indexing into " + index + " failed: " + response.items().stream()
            .filter(it -> it.error() != null).findFirst().map(it -> it.error().reason()).orElse("?"));
      }
      if ((start / BULK) % 20 == 19) {
        Log.info("  indexing %s: %,d of %,d", index, start + BULK, docs);
      }
    }
    client.indices().putSettings(s -> s.index(index).settings(x -> x.refreshInterval(t -> t.time("1s"))));
    client.indices().refresh(r -> r.index(index));
    client.indices().forcemerge(f -> f.index(index).maxNumSegments(1L));
    long count = client.count(c -> c.index(index)).count();
    if (count != docs) {
      throw new IllegalStateException(index + " holds " + count + " documents after loading, expected " + docs);
    }
    double s = Stats.seconds(t0);
    Log.info("Elasticsearch data set %s: indexed %,d documents in %.1f s", index, docs, s);
    return index;
  }
}
