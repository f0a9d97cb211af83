package dev.reprocess.elasticsearch.fake;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorResponse;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch._types.query_dsl.UntypedRangeQuery;
import co.elastic.clients.elasticsearch.core.ClosePointInTimeRequest;
import co.elastic.clients.elasticsearch.core.ClosePointInTimeResponse;
import co.elastic.clients.elasticsearch.core.OpenPointInTimeRequest;
import co.elastic.clients.elasticsearch.core.OpenPointInTimeResponse;
import co.elastic.clients.elasticsearch.core.SearchRequest;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One simulated Elasticsearch shard for paginator tests: documents by {@code _seq_no}, points in
 * time as snapshots, {@code _seq_no} sorts with {@code search_after}, and the {@code _seq_no} range
 * filters the paginator sends. Anything else in a query matches every document. Not thread-safe.
 */
public final class FakeShard implements FakeTransport.Responder {

  private final TreeMap<Long, Map<String, Object>> docs = new TreeMap<>();
  private final Map<String, TreeMap<Long, Map<String, Object>>> pits = new HashMap<>();
  private final Deque<Function<SearchRequest, Object>> nextSearches = new ArrayDeque<>();
  private int pitCounter;
  private int searches;
  private boolean expireEverySearch;

  /** Adds a document with {@code _id} and fields; its {@code _seq_no} is {@code seqNo}. */
  public FakeShard put(long seqNo, String id, Map<String, Object> fields) {
    Map<String, Object> doc = new HashMap<>(fields);
    doc.put("_id", id);
    docs.put(seqNo, doc);
    return this;
  }

  /** Adds documents {@code doc-<seq>} for every given sequence number, with {@code asset_id} = the id. */
  public FakeShard putAll(Iterable<Long> seqNos) {
    for (long seq : seqNos) {
      put(seq, "doc-" + seq, Map.of("asset_id", "doc-" + seq));
    }
    return this;
  }

  /**
   * Rewrites the document with this {@code _id}, as an update does: it gets the next {@code
   * _seq_no} of the shard. Returns the new {@code _seq_no}.
   */
  public long rewrite(String id) {
    Map.Entry<Long, Map<String, Object>> current = docs.entrySet().stream()
        .filter(e -> id.equals(e.getValue().get("_id")))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no document " + id));
    long seqNo = docs.lastKey() + 1;
    Map<String, Object> doc = docs.remove(current.getKey()); // not current.getValue(): removal may reuse the entry
    docs.put(seqNo, doc);
    return seqNo;
  }

  /** Forgets every open point in time, as an expiry would. */
  public void expireAll() {
    pits.clear();
  }

  /** Every search from now on finds its point in time gone. */
  public void expireEverySearch() {
    this.expireEverySearch = true;
  }

  /** The next search is answered by {@code answer} (a response, or it throws). */
  public void nextSearch(Function<SearchRequest, Object> answer) {
    nextSearches.add(answer);
  }

  public int openPointsInTime() {
    return pits.size();
  }

  public int searches() {
    return searches;
  }

  @Override
  public Object respond(Object request) {
    if (request instanceof OpenPointInTimeRequest) {
      String id = "pit-" + (++pitCounter);
      pits.put(id, new TreeMap<>(docs));
      return OpenPointInTimeResponse.of(r -> r.id(id).shards(s -> s.total(1).successful(1).failed(0)));
    }
    if (request instanceof ClosePointInTimeRequest close) {
      boolean found = pits.remove(close.id()) != null;
      return ClosePointInTimeResponse.of(r -> r.succeeded(true).numFreed(found ? 1 : 0));
    }
    if (request instanceof SearchRequest search) {
      searches++;
      Function<SearchRequest, Object> answer = nextSearches.poll();
      if (answer != null) {
        return answer.apply(search);
      }
      return search(search);
    }
    throw new UnsupportedOperationException("FakeShard does not answer " + request.getClass().getSimpleName());
  }

  /** The normal answer to a search, for tests that alter it. */
  public SearchResponse<Void> search(SearchRequest search) {
    String pit = search.pit().id();
    if (expireEverySearch) {
      pits.remove(pit);
    }
    TreeMap<Long, Map<String, Object>> snapshot = pits.get(pit);
    if (snapshot == null) {
      throw missingContext(pit);
    }
    boolean ascending = search.sort().get(0).field().order() != SortOrder.Desc;
    Long after = search.searchAfter().isEmpty() ? null : search.searchAfter().get(0).longValue();
    NavigableMap<Long, Map<String, Object>> view = ascending ? snapshot : snapshot.descendingMap();
    if (after != null) {
      view = ascending ? snapshot.tailMap(after, false) : snapshot.headMap(after, false).descendingMap();
    }
    List<long[]> ranges = ranges(search.query());
    int size = search.size();
    List<String> fields = search.docvalueFields().stream().map(f -> f.field()).toList();
    List<Hit<Void>> hits = new ArrayList<>();
    for (Map.Entry<Long, Map<String, Object>> e : view.entrySet()) {
      if (hits.size() >= size) {
        break;
      }
      long seq = e.getKey();
      if (ranges != null && ranges.stream().noneMatch(r -> seq >= r[0] && seq <= r[1])) {
        continue;
      }
      Map<String, Object> doc = e.getValue();
      Map<String, JsonData> values = new HashMap<>();
      for (String f : fields) {
        Object v = doc.get(f);
        if (v != null) {
          values.put(f, JsonData.of(v instanceof List<?> l ? l : List.of(v)));
        }
      }
      hits.add(Hit.of(h -> h.index("fake").id((String) doc.get("_id")).sort(FieldValue.of(seq)).fields(values)));
    }
    return SearchResponse.of(r -> r
        .took(1)
        .timedOut(false)
        .shards(s -> s.total(1).successful(1).failed(0))
        .hits(h -> h.hits(hits))
        .pitId(pit));
  }

  /** How many sequence numbers a paginator's search covers ({@code _seq_no} ranges), or -1 when it has no window. */
  public static long windowSeqNos(SearchRequest search) {
    List<long[]> ranges = ranges(search.query());
    return ranges == null ? -1 : ranges.stream().mapToLong(r -> r[1] - r[0] + 1).sum();
  }

  /** The {@code _seq_no} ranges of a paginator's query, or null when it has none. */
  private static List<long[]> ranges(Query query) {
    if (query == null || !query.isBool() || query.bool().filter().size() < 2) {
      return null;
    }
    Query slice = query.bool().filter().get(1);
    List<Query> parts = slice.isBool() ? slice.bool().should() : List.of(slice);
    List<long[]> ranges = new ArrayList<>();
    for (Query part : parts) {
      if (!part.isRange() || !part.range().isUntyped() || !"_seq_no".equals(part.range().untyped().field())) {
        return null; // not the paginator's window: anything else matches every document
      }
      UntypedRangeQuery r = part.range().untyped();
      ranges.add(new long[] {r.gte().to(Long.class), r.lte().to(Long.class)});
    }
    return ranges;
  }

  /** What Elasticsearch answers when a point in time is gone. */
  public static ElasticsearchException missingContext(String pit) {
    return error(404, "search_phase_execution_exception", "all shards failed",
        "search_context_missing_exception", "No search context found for id [" + pit + "]");
  }

  /** An error response as the client reports it. */
  public static ElasticsearchException error(int status, String type, String reason, String rootType, String rootReason) {
    return new ElasticsearchException("search", ErrorResponse.of(e -> e
        .status(status)
        .error(c -> c.type(type).reason(reason).rootCause(rc -> rc.type(rootType).reason(rootReason)))));
  }
}
