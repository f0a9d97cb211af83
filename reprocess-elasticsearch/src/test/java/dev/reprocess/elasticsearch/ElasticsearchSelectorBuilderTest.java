package dev.reprocess.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import dev.reprocess.elasticsearch.fake.FakeTransport;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ElasticsearchSelectorBuilderTest {

  private final FakeTransport transport = new FakeTransport(request -> {
    throw new AssertionError("build() must not send " + request);
  });
  private final ElasticsearchClient client = new ElasticsearchClient(transport);

  private ElasticsearchSelector.Builder valid() {
    return ElasticsearchSelector.builder(client).index("assets");
  }

  private void rejects(UnaryOperator<ElasticsearchSelector.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(valid()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void buildsWithDefaultsWithoutAnyRequest() {
    try (ElasticsearchSelector selector = valid().build()) {
      assertThat(selector.describe())
          .isEqualTo("elasticsearch index 'assets' query {\"match_all\":{}}, idField _id, 1 slice(s) per shard");
    }
    assertThat(transport.requests()).isEmpty();
  }

  @Test
  void takesATypedOrAJsonQueryWhicheverCameLast() {
    Query typed = Query.of(q -> q.term(t -> t.field("color").value("red")));
    try (ElasticsearchSelector s = valid().query("{\"match_none\": {}}").query(typed).slices(4).idField("asset_id").build()) {
      assertThat(s.describe()).contains("{\"term\":{\"color\":{\"value\":\"red\"}}}").contains("idField asset_id").contains("4 slice(s)");
    }
    try (ElasticsearchSelector s = valid().query(typed).query("{\"query\": {\"exists\": {\"field\": \"size\"}}}").build()) {
      assertThat(s.describe()).contains("{\"exists\":{\"field\":\"size\"}}");
    }
  }

  @Test
  void rejectsAMalformedQueryWithItsLineAndColumn() {
    rejects(b -> b.query("{\"bool\": {\n  \"filter\": [ {\"term\": {\"color\": \"red\"} ]\n}}"), "query is not a valid JSON query: at line 2, column");
    rejects(b -> b.query(""), "query is '': it must be a JSON query");
  }

  @Test
  void rejectsMissingOrMalformedOptionsNamingThem() {
    rejects(b -> b.index(null), "index is 'null': it must be an index, alias or pattern");
    rejects(b -> b.index("my assets"), "index is 'my assets'");
    rejects(b -> b.idField(" "), "idField is ' ': it must be a field name");
    rejects(b -> b.assetTypeField("asset_id").idField("asset_id"), "assetTypeField is 'asset_id': it must differ from idField");
    rejects(b -> b.attributeFields("size", "size"), "attributeFields has 'size' twice");
    rejects(b -> b.attributeFields("_id"), "attributeFields has '_id'");
    rejects(b -> b.slices(0), "slices is 0: it must be between 1 and 1024");
    rejects(b -> b.slices(1025), "slices is 1025");
    rejects(b -> b.keepAlive(Duration.ofMillis(500)), "keepAlive is PT0.5S: it must be between PT1S and PT24H");
    rejects(b -> b.keepAlive(null), "keepAlive is null");
    assertThat(transport.requests()).isEmpty();
  }
}
