package dev.reprocess.elasticsearch.internal;

import co.elastic.clients.elasticsearch._types.Time;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What every paginator of one selector reads: the query, the fields to fetch and the point in
 * time keep-alive. Immutable.
 *
 * @param query the host's query
 * @param idField {@code _id} or a keyword field holding the asset id
 * @param assetTypeField a keyword field holding the asset type, or {@code null}
 * @param attributeFields fields with doc values copied into each asset's attributes
 * @param keepAlive how long Elasticsearch keeps a point in time between two requests
 * @param fetchSize hits per search request, 1 to 10,000
 */
public record ReadSpec(
    Query query, String idField, String assetTypeField, List<String> attributeFields, Duration keepAlive, int fetchSize) {

  /** The field name that selects the document id. */
  public static final String DOCUMENT_ID = "_id";

  public ReadSpec {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(idField, "idField");
    attributeFields = List.copyOf(attributeFields);
    Objects.requireNonNull(keepAlive, "keepAlive");
    if (fetchSize < 1 || fetchSize > 10_000) {
      throw new IllegalArgumentException("fetchSize is " + fetchSize + ": it must be between 1 and 10000");
    }
  }

  /** True when the asset id is the document {@code _id}. */
  public boolean idIsDocumentId() {
    return DOCUMENT_ID.equals(idField);
  }

  /** The keep-alive in Elasticsearch's time-unit syntax, e.g. {@code 300000ms}. */
  public Time keepAliveTime() {
    return Time.of(t -> t.time(keepAlive.toMillis() + "ms"));
  }

  /** The fields read from doc values: the id (unless {@code _id}), the type, the attributes. */
  public List<String> docValueFields() {
    java.util.ArrayList<String> fields = new java.util.ArrayList<>();
    if (!idIsDocumentId()) {
      fields.add(idField);
    }
    if (assetTypeField != null) {
      fields.add(assetTypeField);
    }
    for (String f : attributeFields) {
      if (!fields.contains(f)) {
        fields.add(f);
      }
    }
    return List.copyOf(fields);
  }
}
