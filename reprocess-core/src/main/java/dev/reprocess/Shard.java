package dev.reprocess;

import java.util.Map;
import java.util.Objects;

/**
 * An independent slice of a selection: one {@code (assetType, bucket)} partition, one token
 * range, one Elasticsearch slice, one chunk of an id list. Shards are read in parallel and
 * checkpointed on their own.
 *
 * @param id unique within its selection and stable across runs, since checkpoints are keyed by it
 *     (for example {@code image/png#2024-06-01}); not blank
 * @param assetType the asset type every asset of the shard has, or {@code null} when mixed
 * @param properties what the selector needs to read the shard again (bucket value, token
 *     bounds, slice number), as strings so a shard can be serialized and sent to another host;
 *     copied, never null
 */
public record Shard(String id, String assetType, Map<String, String> properties) {

  public Shard {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("shard id is '" + id + "': it must be a non-blank string");
    }
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }

  /** A shard with no properties. */
  public static Shard of(String id, String assetType) {
    return new Shard(id, assetType, Map.of());
  }

  /**
   * The property {@code name}.
   *
   * @throws IllegalStateException if the shard has no such property
   */
  public String property(String name) {
    String value = properties.get(Objects.requireNonNull(name, "name"));
    if (value == null) {
      throw new IllegalStateException("shard '" + id + "' has no property '" + name + "'");
    }
    return value;
  }
}
