package dev.reprocess.elasticsearch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryFieldsTest {

  private static final JacksonJsonpMapper MAPPER = new JacksonJsonpMapper();

  private static Map<String, String> fields(String query) {
    return QueryFields.of(QueryJson.toJson(QueryJson.parse("query", query, MAPPER), MAPPER));
  }

  @Test
  void findsTheFieldsOfLeafClausesAtAnyDepth() {
    assertThat(fields("{\"bool\": {\"must\": {\"match\": {\"title\": \"cat\"}},"
        + " \"filter\": [{\"terms\": {\"asset_type\": [\"a\", \"b\"], \"boost\": 2}},"
        + " {\"constant_score\": {\"filter\": {\"range\": {\"payload.size_bytes\": {\"gte\": 1}}}}}],"
        + " \"should\": [{\"match_phrase\": {\"title.raw\": \"x\"}}, {\"prefix\": {\"batch\": \"b\"}},"
        + " {\"wildcard\": {\"codec\": \"h2*\"}}],"
        + " \"must_not\": {\"exists\": {\"field\": \"deleted_at\"}}}}"))
        .containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("title", "match", "asset_type", "terms",
            "payload.size_bytes", "range", "title.raw", "match_phrase", "batch", "prefix", "codec", "wildcard",
            "deleted_at", "exists")));
  }

  @Test
  void leavesOutMetadataWildcardsAndOtherClauseKinds() {
    assertThat(fields("{\"match_all\": {}}")).isEmpty();
    assertThat(fields("{\"bool\": {\"filter\": [{\"term\": {\"_id\": \"x\"}}, {\"exists\": {\"field\": \"meta.*\"}},"
        + " {\"query_string\": {\"query\": \"a:b\"}}]}}")).isEmpty();
  }

  @Test
  void closestNamesAreByEditDistanceOrLeaf() {
    assertThat(MappedFieldsCheck.closest("asset_typ", java.util.Set.of("asset_type", "asset_id", "title", "_id")))
        .containsExactly("asset_type");
    assertThat(MappedFieldsCheck.closest("codec", java.util.Set.of("payload.codec", "title"))).containsExactly("payload.codec");
  }
}
