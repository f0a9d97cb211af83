package dev.reprocess.elasticsearch.internal;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.FieldCapsResponse;
import co.elastic.clients.elasticsearch.core.field_caps.FieldCapability;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * The cheap check that catches a query on a misspelled or unmapped field, which Elasticsearch
 * accepts and answers with no hit, so that a job would report "0 selected": every field the query
 * filters on ({@link QueryFields}) must be mapped in at least one index that the index expression
 * names. One {@code _field_caps} request (mapping metadata, no document read), which also knows
 * multi-fields ({@code title.keyword}), object sub-fields, field aliases and runtime fields.
 * Stateless.
 */
public final class MappedFieldsCheck {

  private MappedFieldsCheck() {}

  /**
   * Checks the query's fields against the mapping of {@code index}.
   *
   * @throws IllegalArgumentException naming the first unmapped field, its clause, the index, and the
   *     mapped fields whose names are closest
   * @throws dev.reprocess.ReprocessException if the mapping cannot be read
   */
  public static void check(ElasticsearchClient client, String index, String queryJson) {
    Map<String, String> used = QueryFields.of(queryJson);
    if (used.isEmpty()) {
      return;
    }
    FieldCapsResponse response;
    try {
      response = client.fieldCaps(f -> f.index(index).fields("*"));
    } catch (ElasticsearchException | IOException e) {
      throw EsErrors.wrap("elasticsearch index '" + index + "': reading the mapping to check the query's fields", e);
    }
    Set<String> mapped = response.fields().entrySet().stream()
        .filter(e -> isMapped(e.getValue()))
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
    for (Map.Entry<String, String> e : used.entrySet()) {
      if (!mapped.contains(e.getKey())) {
        List<String> near = closest(e.getKey(), mapped);
        throw new IllegalArgumentException("query uses field '" + e.getKey() + "' (in a " + e.getValue()
            + " clause), which no index of '" + index + "' maps, so the query would match nothing"
            + (near.isEmpty() ? "" : "; mapped fields with a close name: " + String.join(", ", near))
            + ". Fix the field name, or set allowUnmappedFields(true) if the field is mapped later on purpose.");
      }
    }
  }

  private static boolean isMapped(Map<String, FieldCapability> byType) {
    return byType.keySet().stream().anyMatch(type -> !"unmapped".equals(type));
  }

  /** Up to 3 mapped fields at an edit distance of at most 2 (or sharing the last path segment). */
  static List<String> closest(String field, Set<String> mapped) {
    LevenshteinDistance levenshtein = LevenshteinDistance.getDefaultInstance();
    ToIntFunction<String> distance = m -> levenshtein.apply(field, m);
    String leaf = field.substring(field.lastIndexOf('.') + 1);
    List<String> near = new ArrayList<>();
    for (String m : mapped) {
      if (!m.startsWith("_") && (distance.applyAsInt(m) <= 2 || m.substring(m.lastIndexOf('.') + 1).equals(leaf))) {
        near.add(m);
      }
    }
    near.sort(Comparator.comparingInt(distance).thenComparing(m -> m));
    return near.subList(0, Math.min(3, near.size()));
  }
}
