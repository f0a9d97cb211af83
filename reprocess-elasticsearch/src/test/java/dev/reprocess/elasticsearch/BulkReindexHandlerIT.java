package dev.reprocess.elasticsearch;

import static dev.reprocess.elasticsearch.AssetsIndex.payload;
import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.GetResponse;
import dev.reprocess.DeadLetter;
import dev.reprocess.JobReport;
import dev.reprocess.JobStatus;
import dev.reprocess.ReprocessJob;
import dev.reprocess.RetryOptions;
import dev.reprocess.deadletter.InMemoryDeadLetterSink;
import dev.reprocess.testkit.TestBackends;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Re-indexing 50,000 documents through the engine: selector on the source index, {@link
 * BulkReindexHandler} loading each document from it and writing to a target with another mapping.
 */
class BulkReindexHandlerIT {

  private static final int DOCS = 50_000;
  private static ElasticsearchClient client;
  private static AssetsIndex source;

  @BeforeAll
  static void load() throws Exception {
    client = AssetsIndex.client(TestBackends.elasticsearch().url());
    source = AssetsIndex.create(client, AssetsIndex.uniqueName("reprocess-it-reindex-src"), 1, DOCS);
  }

  @AfterAll
  static void cleanUp() {
    if (client != null) {
      if (source != null) {
        AssetsIndex.deleteQuietly(client, source.name);
      }
      AssetsIndex.close(client);
    }
  }

  /** The host function: the document as it is stored in the source index, or null when gone. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static Function<dev.reprocess.ReprocessEvent, Object> loadFromSource() {
    return AssetsIndex.unchecked(event -> {
      GetResponse<Map> response = client.get(g -> g.index(source.name).id(event.assetId()), Map.class);
      return response.found() ? (Map<String, Object>) response.source() : null;
    });
  }

  private static String jobName(String what) {
    return what + "-" + Long.toString(new Random().nextLong() >>> 1, 36);
  }

  @Test
  void reindexingIntoANewMappingEndsWithEqualCountsAndIdenticalSources() throws Exception {
    String target = AssetsIndex.uniqueName("reprocess-it-reindex-dst");
    client.indices().create(c -> c
        .index(target)
        .settings(s -> s.numberOfShards("2").numberOfReplicas("0").refreshInterval(t -> t.time("-1")))
        .mappings(m -> m
            .properties("asset_id", p -> p.keyword(k -> k))
            .properties("asset_type", p -> p.keyword(k -> k))
            .properties("batch", p -> p.keyword(k -> k))
            .properties("created_at", p -> p.date(d -> d.format("strict_date_optional_time||epoch_millis")))
            .properties("title", p -> p.keyword(k -> k))          // was text
            .properties("payload", p -> p.object(o -> o
                .properties("codec", c2 -> c2.text(t -> t.fields("raw", f -> f.keyword(k -> k))))   // was keyword
                .properties("size_bytes", c2 -> c2.double_(d -> d))))));                              // was long
    // The host function here reads the documents the test generated (as an asset loader reads
    // Cassandra); the strict-mapping test below loads them from the source index instead.
    try (BulkReindexHandler reindex = BulkReindexHandler.builder(client)
        .targetIndex(target)
        .documentLoader(event -> source.docs.get(event.assetId()))
        .build()) {
      ElasticsearchSelector selector = ElasticsearchSelector.builder(client).index(source.name).slices(4).build();
      JobReport report = ReprocessJob.builder(jobName("es-reindex"))
          .selector(selector).handler(reindex).pageSize(1000).shardsInParallel(4).concurrency(256)
          .build().run().throwIfFailed();
      assertThat(report.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(report.succeeded()).isEqualTo(DOCS);

      client.indices().refresh(r -> r.index(target));
      assertThat(client.count(c -> c.index(target)).count()).isEqualTo(client.count(c -> c.index(source.name)).count()).isEqualTo(DOCS);
      Map<String, Map<String, Object>> copied = AssetsIndex.readAll(client, target);
      Map<String, Map<String, Object>> original = AssetsIndex.readAll(client, source.name);
      assertThat(copied.keySet()).isEqualTo(original.keySet());
      for (Map.Entry<String, Map<String, Object>> e : original.entrySet()) {
        assertThat(copied.get(e.getKey())).as("source of %s", e.getKey()).isEqualTo(e.getValue());
      }
      // the new mapping is in effect: a match query on the codec, now text
      assertThat(client.count(c -> c.index(target).query(q -> q.match(m -> m.field("payload.codec").query("H264")))).count())
          .isEqualTo(source.idsWhere(d -> payload(d).get("codec").equals("h264")).size());
    } finally {
      AssetsIndex.deleteQuietly(client, target);
    }
  }

  @Test
  void itemsElasticsearchRefusesAreRetriedThenDeadLetteredNeverLost() throws Exception {
    String target = AssetsIndex.uniqueName("reprocess-it-reindex-strict");
    client.indices().create(c -> c
        .index(target)
        .settings(s -> s.numberOfShards("1").numberOfReplicas("0"))
        .mappings(m -> AssetsIndex.mapping(m)
            .properties("payload", p -> p.object(o -> o
                .properties("codec", c2 -> c2.keyword(k -> k))
                .properties("size_bytes", c2 -> c2.integer(i -> i))))));   // one document in 100 does not fit
    // batch b2 of the first 10 seconds: 1,000 documents, 100 of them too big for an integer
    Predicate<Map<String, Object>> selected = d -> d.get("batch").equals("b2")
        && Instant.parse((String) d.get("created_at")).isBefore(Instant.parse("2026-01-01T00:00:10Z"));
    List<String> batch = source.idsWhere(selected);
    List<String> tooBig = source.idsWhere(d -> selected.test(d) && ((Number) payload(d).get("size_bytes")).longValue() > Integer.MAX_VALUE);
    assertThat(batch).hasSize(1000);
    assertThat(tooBig).isNotEmpty();
    InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
    try (BulkReindexHandler reindex = BulkReindexHandler.builder(client)
        .targetIndex(target)
        .documentLoader(loadFromSource())
        .build()) {
      JobReport report = ReprocessJob.builder(jobName("es-reindex-strict"))
          .selector(ElasticsearchSelector.builder(client).index(source.name)
              .query("{\"bool\": {\"filter\": [{\"term\": {\"batch\": \"b2\"}},"
                  + " {\"range\": {\"created_at\": {\"lt\": \"2026-01-01T00:00:10Z\"}}}]}}")
              .build())
          .handler(reindex).pageSize(500).concurrency(128)
          .retry(RetryOptions.custom().maxAttempts(2).initialBackoff(Duration.ofMillis(10)).build())
          .deadLetterSink(deadLetters)
          .build().run().throwIfFailed();

      assertThat(report.succeeded()).isEqualTo(batch.size() - tooBig.size());
      assertThat(report.deadLettered()).isEqualTo(tooBig.size());
      assertThat(report.retried()).as("each refused item was tried twice").isGreaterThanOrEqualTo(tooBig.size());
      assertThat(deadLetters.deadLetters()).extracting(d -> d.event().assetId()).containsExactlyInAnyOrderElementsOf(tooBig);
      DeadLetter one = deadLetters.deadLetters().get(0);
      assertThat(one.errorClass()).isEqualTo(BulkItemException.class.getName());
      assertThat(one.errorMessage()).contains("failed with HTTP 400").contains("payload.size_bytes");
      assertThat(one.attempts()).isEqualTo(2);

      client.indices().refresh(r -> r.index(target));
      assertThat(client.count(c -> c.index(target)).count() + report.deadLettered()).isEqualTo(batch.size());
    } finally {
      AssetsIndex.deleteQuietly(client, target);
    }
  }
}
