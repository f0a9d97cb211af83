package dev.reprocess.elasticsearch.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The field names a query DSL query filters on, for the mapping check: the fields of {@code
 * term}, {@code terms}, {@code match}, {@code match_phrase}, {@code match_phrase_prefix}, {@code
 * match_bool_prefix}, {@code range}, {@code prefix}, {@code wildcard}, {@code regexp}, {@code fuzzy}
 * and {@code exists} clauses, wherever they are nested ({@code bool}, {@code constant_score},
 * {@code nested}, {@code dis_max}...). Fields named with a wildcard, metadata fields ({@code _id},
 * {@code _index}...) and clauses of other kinds ({@code query_string}, {@code multi_match}) are
 * left out. Stateless and thread-safe.
 */
public final class QueryFields {

  /** Clause kinds whose object is keyed by field name. */
  private static final Set<String> BY_FIELD = Set.of("term", "terms", "match", "match_phrase", "match_phrase_prefix",
      "match_bool_prefix", "range", "prefix", "wildcard", "regexp", "fuzzy");
  /** Keys of a clause object that are options, not fields. */
  private static final Set<String> OPTIONS = Set.of("boost", "_name");
  private static final ObjectMapper JSON = new ObjectMapper();

  private QueryFields() {}

  /**
   * The fields of a query, each with the first clause kind that uses it, sorted by field.
   *
   * @param queryJson the query as JSON, as the client writes it
   * @throws IllegalArgumentException if {@code queryJson} is not JSON
   */
  public static Map<String, String> of(String queryJson) {
    Map<String, String> fields = new TreeMap<>();
    try {
      walk(JSON.readTree(queryJson), fields);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("query is not JSON: " + e.getOriginalMessage(), e);
    }
    return fields;
  }

  private static void walk(JsonNode node, Map<String, String> fields) {
    if (node.isArray()) {
      node.forEach(v -> walk(v, fields));
      return;
    }
    node.fields().forEachRemaining(e -> {
      String key = e.getKey();
      JsonNode v = e.getValue();
      if (BY_FIELD.contains(key) && v.isObject()) {
        v.fieldNames().forEachRemaining(f -> {
          if (!OPTIONS.contains(f)) {
            add(fields, f, key);
          }
        });
      } else if ("exists".equals(key) && v.path("field").isTextual()) {
        add(fields, v.path("field").asText(), key);
      } else {
        walk(v, fields);
      }
    });
  }

  private static void add(Map<String, String> fields, String field, String kind) {
    if (!field.startsWith("_") && !field.contains("*")) {
      fields.putIfAbsent(field, kind);
    }
  }
}
