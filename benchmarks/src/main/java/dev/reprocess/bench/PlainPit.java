package dev.reprocess.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.Time;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The plain point-in-time loop Elasticsearch's documentation recommends for reading a whole index:
 * match_all, sorted by {@code _shard_doc} (the cheapest tiebreaker), no {@code _source}, no total
 * hits, {@code search_after} the last hit's sort values; with slices, Elasticsearch's own {@code
 * slice}, one loop per slice on its own thread. The reference variants of {@code --extra} sort by
 * another field ({@link #read(ElasticsearchClient, String, int, int, String)}).
 */
final class PlainPit {
  private static final Time KEEP_ALIVE = Time.of(t -> t.time("2m"));
  /** The cheapest sort, the baseline's. */
  static final String SHARD_DOC = "_shard_doc";

  private PlainPit() {}

  static long read(ElasticsearchClient client, String index, int pageSize, int slices) {
    return read(client, index, pageSize, slices, SHARD_DOC);
  }

  /**
   * The same loop sorted by {@code sortField} ({@code _shard_doc} the tiebreaker when it is a
   * document field, as a keyword cursor needs).
   */
  static long read(ElasticsearchClient client, String index, int pageSize, int slices, String sortField) {
    if (slices <= 1) {
      return readSlice(client, index, pageSize, -1, 1, sortField);
    }
    return Reads.inParallel(IntStream.range(0, slices).boxed().toList(), slices,
        i -> readSlice(client, index, pageSize, i, slices, sortField));
  }

  private static long readSlice(ElasticsearchClient client, String index, int pageSize, int slice, int slices,
      String sortField) {
    try {
      String pit = client.openPointInTime(p -> p.index(index).keepAlive(KEEP_ALIVE)).id();
      long count = 0;
      try {
        List<FieldValue> after = null;
        while (true) {
          List<FieldValue> searchAfter = after;
          String pitId = pit;
          SearchResponse<Void> page = client.search(s -> {
            s.size(pageSize).pit(p -> p.id(pitId).keepAlive(KEEP_ALIVE))
                .sort(o -> o.field(f -> f.field(sortField).order(SortOrder.Asc)))
                .source(src -> src.fetch(false))
                .trackTotalHits(t -> t.enabled(false));
            if (!sortField.startsWith("_")) {
              s.sort(o -> o.field(f -> f.field(SHARD_DOC).order(SortOrder.Asc)));
            }
            if (slice >= 0) {
              s.slice(sl -> sl.id(Integer.toString(slice)).max(slices));
            }
            if (searchAfter != null) {
              s.searchAfter(searchAfter);
            }
            return s;
          }, Void.class);
          List<Hit<Void>> hits = page.hits().hits();
          for (Hit<Void> hit : hits) {
            if (hit.id() == null) {
              throw new IllegalStateException("hit without _id");
            }
          }
          count += hits.size();
          if (page.pitId() != null) {
            pit = page.pitId();
          }
          if (hits.size() < pageSize) {
            return count;
          }
          after = hits.get(hits.size() - 1).sort();
        }
      } finally {
        String closing = pit;
        client.closePointInTime(c -> c.id(closing));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
