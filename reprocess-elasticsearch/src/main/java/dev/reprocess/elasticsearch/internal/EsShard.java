package dev.reprocess.elasticsearch.internal;

import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.json.JsonpMapper;
import dev.reprocess.Shard;
import java.util.HashMap;
import java.util.Map;

/**
 * One shard of an {@code ElasticsearchSelector}: one slice of one primary shard of one concrete
 * index. Its id is {@code <index>[<shard>]} with one slice, {@code
 * <index>[<shard>]/slice-<i>-of-<n>} with several, e.g. {@code assets-2024[0]/slice-1-of-4}.
 *
 * @param index the concrete index name
 * @param shard the shard number in the index
 * @param slice the slice, from 0
 * @param slices the number of slices per shard, at least 1
 * @param aliasFilter the filter of the alias the index was reached through, as query JSON, or
 *     {@code null}: a point in time opened on the concrete index must apply it itself
 * @param base the highest {@code _seq_no} of the primary shard matching the query when the
 *     selection was split, common to its slices (see {@link SeqNoSlicing}), or {@code null} when
 *     not read (one slice)
 * @param indexUuid the uuid of the index when the selection was split, or {@code null} when not
 *     known; cursors carry it (see {@link SeqNoCursor#requireBelongsTo})
 */
public record EsShard(String index, int shard, int slice, int slices, String aliasFilter, Long base, String indexUuid) {

  static final String INDEX = "index";
  static final String SHARD = "shard";
  static final String SLICE = "slice";
  static final String SLICES = "slices";
  static final String ALIAS_FILTER = "aliasFilter";
  static final String BASE = "base";
  static final String INDEX_UUID = "indexUuid";

  /** A shard without the uuid of its index. */
  public EsShard(String index, int shard, int slice, int slices, String aliasFilter, Long base) {
    this(index, shard, slice, slices, aliasFilter, base, null);
  }

  /** A shard reached without a filtered alias, without a base. */
  public EsShard(String index, int shard, int slice, int slices) {
    this(index, shard, slice, slices, null, null);
  }

  /** A shard without a base. */
  public EsShard(String index, int shard, int slice, int slices, String aliasFilter) {
    this(index, shard, slice, slices, aliasFilter, null);
  }

  /** This shard with another base. */
  public EsShard withBase(long base) {
    return new EsShard(index, shard, slice, slices, aliasFilter, base, indexUuid);
  }

  /** The host's query, and the alias filter when the index was reached through a filtered alias. */
  public Query filter(Query query, JsonpMapper mapper) {
    return aliasFilter == null
        ? query
        : Query.of(q -> q.bool(b -> b.filter(query).filter(QueryJson.parse(ALIAS_FILTER, aliasFilter, mapper))));
  }

  public EsShard {
    if (index == null || index.isBlank() || shard < 0 || slices < 1 || slice < 0 || slice >= slices) {
      throw new IllegalArgumentException(
          "shard " + index + "[" + shard + "] slice " + slice + " of " + slices + " is not a valid shard");
    }
  }

  /** The id the engine keys checkpoints by. */
  public String id() {
    return index + "[" + shard + "]" + (slices == 1 ? "" : "/slice-" + slice + "-of-" + slices);
  }

  /** As an engine shard (its asset type is mixed: {@code null}). */
  public Shard toShard() {
    Map<String, String> properties = new HashMap<>(
        Map.of(INDEX, index, SHARD, Integer.toString(shard), SLICE, Integer.toString(slice), SLICES, Integer.toString(slices)));
    if (aliasFilter != null) {
      properties.put(ALIAS_FILTER, aliasFilter);
    }
    if (base != null) {
      properties.put(BASE, Long.toString(base));
    }
    if (indexUuid != null) {
      properties.put(INDEX_UUID, indexUuid);
    }
    return new Shard(id(), null, properties);
  }

  /** For messages, e.g. {@code index 'assets' shard [0] slice 1/4}. */
  public String label() {
    return "index '" + index + "' shard [" + shard + "]" + (slices == 1 ? "" : " slice " + slice + "/" + slices);
  }

  /**
   * Reads back a shard made by {@link #toShard()}.
   *
   * @throws IllegalArgumentException if the shard was not made by an Elasticsearch selector
   */
  public static EsShard from(Shard shard) {
    try {
      EsShard es = new EsShard(
          shard.property(INDEX),
          Integer.parseInt(shard.property(SHARD)),
          Integer.parseInt(shard.property(SLICE)),
          Integer.parseInt(shard.property(SLICES)),
          shard.properties().get(ALIAS_FILTER),
          shard.properties().containsKey(BASE) ? Long.valueOf(shard.property(BASE)) : null,
          shard.properties().get(INDEX_UUID));
      if (!es.id().equals(shard.id())) {
        throw new IllegalArgumentException("its id does not match its properties " + shard.properties());
      }
      return es;
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "shard '" + shard.id() + "' was not produced by ElasticsearchSelector.shards(): " + e.getMessage(), e);
    }
  }
}
