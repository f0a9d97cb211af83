package dev.reprocess;

import java.time.Instant;
import java.util.Map;

/**
 * One asset as a selector reads it: its id and what the selector learned about it for free
 * while paging. It becomes one {@link ReprocessEvent}.
 *
 * @param assetId the asset id (the string form of a Cassandra {@code timeuuid}, an
 *     Elasticsearch document id); not blank
 * @param assetType the asset type, or {@code null} if the selector does not know it
 * @param createdAt when the asset was created (for a timeuuid, its timestamp), or {@code null}
 * @param attributes extra values the selector read along (selected columns, fields); copied,
 *     never null; values are strings so they travel in JSON and Kafka headers unchanged
 */
public record AssetRef(String assetId, String assetType, Instant createdAt, Map<String, String> attributes) {

  public AssetRef {
    if (assetId == null || assetId.isBlank()) {
      throw new IllegalArgumentException("assetId is '" + assetId + "': it must be a non-blank string");
    }
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** An asset known only by its id and type. */
  public static AssetRef of(String assetId, String assetType) {
    return new AssetRef(assetId, assetType, null, Map.of());
  }
}
