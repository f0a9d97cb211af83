package dev.reprocess.testkit;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.Time;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared Elasticsearch is a real node: 10,000 docs bulk-indexed, read back with point in time + search_after. */
@ExtendWith(TestBackends.class)
class ElasticsearchServerIT {

    private static final int DOCS = 10_000;
    private static final int PAGE_SIZE = 1_000;

    /** A document as the library would index an asset. */
    public record Asset(String assetId, String assetType, int size) {
    }

    @Test
    void bulkIndexesTenThousandDocsAndReadsThemBackWithPointInTime(ElasticsearchBackend es) throws Exception {
        assertThat(es.url()).isEqualTo("http://" + es.host() + ":" + es.port());
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(es.url() + "/_cluster/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"number_of_nodes\":1");

        String index = "testkit-it-" + UUID.randomUUID();
        try (ElasticsearchClient client = ElasticsearchClient.of(b -> b.host(es.url()))) {
            client.indices().create(c -> c.index(index)
                    .settings(s -> s.numberOfShards("2").numberOfReplicas("0"))
                    .mappings(m -> m.properties("assetId", p -> p.keyword(k -> k))
                            .properties("assetType", p -> p.keyword(k -> k))
                            .properties("size", p -> p.integer(i -> i))));

            List<String> expected = new ArrayList<>();
            for (int start = 0; start < DOCS; start += PAGE_SIZE) {
                BulkRequest.Builder bulk = new BulkRequest.Builder();
                for (int i = start; i < start + PAGE_SIZE; i++) {
                    String id = String.format("asset-%05d", i);
                    expected.add(id);
                    Asset asset = new Asset(id, i % 2 == 0 ? "image/png" : "video/mp4", i);
                    bulk.operations(op -> op.index(ix -> ix.index(index).id(id).document(asset)));
                }
                BulkResponse response = client.bulk(bulk.build());
                assertThat(response.errors()).as("bulk errors").isFalse();
                assertThat(response.items()).hasSize(PAGE_SIZE);
            }
            client.indices().refresh(r -> r.index(index));
            assertThat(client.count(c -> c.index(index)).count()).isEqualTo(DOCS);

            String pit = client.openPointInTime(p -> p.index(index).keepAlive(Time.of(t -> t.time("1m")))).id();
            List<String> read = new ArrayList<>();
            List<FieldValue> after = null;
            int pages = 0;
            while (true) {
                List<FieldValue> searchAfter = after;
                String pitId = pit;
                SearchResponse<Asset> page = client.search(s -> {
                    s.size(PAGE_SIZE).pit(p -> p.id(pitId).keepAlive(Time.of(t -> t.time("1m"))))
                            .sort(o -> o.field(f -> f.field("assetId").order(SortOrder.Asc)));
                    if (searchAfter != null) {
                        s.searchAfter(searchAfter);
                    }
                    return s;
                }, Asset.class);
                List<Hit<Asset>> hits = page.hits().hits();
                if (hits.isEmpty()) {
                    break;
                }
                pages++;
                for (Hit<Asset> hit : hits) {
                    assertThat(hit.source()).isNotNull();
                    assertThat(hit.source().assetId()).isEqualTo(hit.id());
                    read.add(hit.id());
                }
                after = hits.get(hits.size() - 1).sort();
                if (page.pitId() != null) {
                    pit = page.pitId();
                }
            }
            String closing = pit;
            assertThat(client.closePointInTime(c -> c.id(closing)).succeeded()).isTrue();

            assertThat(pages).isEqualTo(DOCS / PAGE_SIZE);
            assertThat(read).hasSize(DOCS).doesNotHaveDuplicates().containsExactlyElementsOf(expected);
            client.indices().delete(d -> d.index(index));
        }
    }
}
