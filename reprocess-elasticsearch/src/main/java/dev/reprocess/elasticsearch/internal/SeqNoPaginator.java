package dev.reprocess.elasticsearch.internal;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.ShardFailure;
import co.elastic.clients.elasticsearch._types.ShardStatistics;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.OpenPointInTimeResponse;
import co.elastic.clients.elasticsearch.core.SearchRequest;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import co.elastic.clients.json.JsonpMapper;
import dev.reprocess.AssetRef;
import dev.reprocess.Cursor;
import dev.reprocess.Page;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessException;
import dev.reprocess.RetriableException;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one slice of one Elasticsearch shard in {@code _seq_no} order through a point in time
 * opened on that shard alone ({@code preference=_shards:N}), paging with {@code search_after}.
 *
 * <p>Within one shard {@code _seq_no} is unique among live documents and indexed as a point, so
 * the sort is a total order that Lucene reads with skipping, and whose values mean the same thing
 * in every point in time. When a point in time is opened (the first, or a new one after an expiry
 * or a resume) one request reads the highest {@code _seq_no} it holds, and reading goes on after
 * the position up to that <em>cap</em>: a point in time is a frozen snapshot, so it is read to its
 * end, and a document rewritten before it was opened is found at its new {@code _seq_no}. The cap
 * never follows writes inside one point in time, so a shard ends. The first cap is the slice's
 * <em>base</em> (see {@link SeqNoSlicing}), kept in the cursor.
 *
 * <p>Why no document that exists from the start to the end of the job is missed: its versions
 * have rising {@code _seq_no}s, and every version after the one at the slice's first read lies
 * above the base, which this slice reads. Take the points in time in order and the first one in
 * which the document's {@code _seq_no} is at most the position reached when that point in time was
 * left (the last one is read to its end, so there is one): in the point in time before, its {@code
 * _seq_no} was above the position then, which is where this one starts, and it can only have
 * risen; so this point in time delivered it.
 *
 * <p>Used by one thread at a time; {@link #close()} may come from another thread.
 */
public final class SeqNoPaginator implements Paginator {

  private static final Logger log = LoggerFactory.getLogger(SeqNoPaginator.class);

  /** Elasticsearch's default {@code index.max_result_window}: the most hits one request returns. */
  static final int MAX_REQUEST_SIZE = 10_000;
  /** How many times one request reopens a point in time that went missing before failing. */
  static final int MAX_REOPENS_PER_REQUEST = 3;

  /**
   * The most sequence numbers a window is asked to span: in effect no bound (it keeps the doubling
   * from overflowing). {@link SeqNoSlicing} bounds a window of several slices by itself, at {@link
   * SeqNoSlicing#MAX_BLOCKS_PER_WINDOW} blocks.
   */
  static final long MAX_SPAN = Long.MAX_VALUE / 4;

  static final String SEQ_NO = "_seq_no";
  private static final long UNKNOWN = Long.MIN_VALUE;
  private static final long UUID_EPOCH_OFFSET = 0x01B21DD213814000L;

  private final ElasticsearchClient client;
  private final EsShard shard;
  private final ReadSpec spec;
  private final SeqNoSlicing slicing;
  private final int pageSize;
  private final Consumer<SeqNoPaginator> onClose;
  private final List<String> docValueFields;
  private final JsonpMapper mapper;
  /** The host's query, and the alias filter when the index was reached through a filtered alias. */
  private final Query query;

  /** Every document of the slice with a {@code _seq_no} up to this was handed out in a page. */
  private long delivered;
  /** Every document of the slice with a {@code _seq_no} up to this was fetched (delivered or buffered). */
  private long fetched;
  /** The highest {@code _seq_no} split into blocks: the cap of the slice's first point in time. */
  private long base;
  /** The highest {@code _seq_no} to read: the highest in any point in time opened so far. */
  private long cap;
  /** The {@link #pitOpens} whose point in time {@link #cap} was read from. */
  private int cappedOpen;
  private long span;
  private boolean finished;
  private int pagesRead;
  /** Fetched, not yet delivered, in {@code _seq_no} order. */
  private final ArrayDeque<Fetched> buffer = new ArrayDeque<>();

  private record Fetched(AssetRef asset, long seqNo) {}

  private final Object lock = new Object();
  private String pitId; // guarded by lock
  private boolean closed; // guarded by lock
  private int pitOpens; // guarded by lock

  public SeqNoPaginator(
      ElasticsearchClient client, EsShard shard, ReadSpec spec, SeqNoCursor from, int pageSize, Consumer<SeqNoPaginator> onClose) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize is " + pageSize + ": it must be at least 1");
    }
    this.client = client;
    this.shard = shard;
    this.spec = spec;
    this.slicing = new SeqNoSlicing(shard.slice(), shard.slices());
    this.pageSize = pageSize;
    this.onClose = onClose;
    this.docValueFields = spec.docValueFields();
    this.mapper = client._jsonpMapper();
    this.query = shard.filter(spec.query(), mapper);
    this.delivered = from == null ? -1 : from.position();
    this.fetched = delivered;
    // A slice keeps the base it started with; a new one takes the base common to its shard's slices.
    this.base = from != null ? from.base() : shard.base() != null ? shard.base() : UNKNOWN;
    this.cap = base;
    this.span = 1;
  }

  /**
   * Hands out up to {@code pageSize} assets from the buffer, fetching {@code fetchSize} more
   * whenever it runs empty. The cursor is exact: the {@code _seq_no} of the page's last asset, or
   * the end of the windows read when the buffer drained.
   */
  @Override
  public Page nextPage() {
    if (finished) {
      throw new IllegalStateException(shard.label() + ": nextPage() called after the last page");
    }
    requireOpen();
    List<AssetRef> assets = new ArrayList<>(Math.min(pageSize, MAX_REQUEST_SIZE));
    while (assets.size() < pageSize) {
      if (buffer.isEmpty()) {
        delivered = fetched;
        if (!fetchMore()) {
          break;
        }
        continue;
      }
      Fetched next = buffer.poll();
      assets.add(next.asset());
      delivered = buffer.isEmpty() ? fetched : next.seqNo();
    }
    finished = buffer.isEmpty() && slicing.window(fetched, base, cap, 1).isEmpty();
    pagesRead++;
    if (finished) {
      log.debug("{}: read to the end after {} pages", shard.label(), pagesRead);
      releasePointInTime();
    } else if (log.isTraceEnabled()) {
      log.trace("{}: page {} with {} assets, position _seq_no {}", shard.label(), pagesRead, assets.size(), delivered);
    }
    Cursor cursor = new SeqNoCursor(delivered, base, shard.id(), shard.indexUuid()).toCursor();
    return new Page(assets, cursor, finished);
  }

  /**
   * One request for the next window; false when the slice has nothing left to read.
   *
   * <p>A window is one block of this slice while matches are dense: the hits of one request then
   * lie in one run of sequence numbers, which the query phase reaches through the {@code _seq_no}
   * points and the fetch phase reads as consecutive documents (much cheaper than scattered ones
   * when the id is {@code _id}, a stored field). When a window yields less than half of its
   * sequence numbers (a selective query, many deletes), the next window spans twice as many (with
   * several slices up to {@link SeqNoSlicing#MAX_BLOCKS_PER_WINDOW} blocks, one range clause each);
   * after a request that came back full, the next window spans as many as its hits did.
   */
  private boolean fetchMore() {
    int size = spec.fetchSize();
    String what = shard.label() + ": reading " + size + " hits after _seq_no " + fetched;
    for (int reopens = 0; ; reopens++) {
      String pit = pointInTime();
      if (cappedOpen != pointInTimeOpens() && !readCap(pit, what)) {
        reopened(pit, reopens, what);
        continue;
      }
      SeqNoSlicing.Window window = slicing.window(fetched, base, cap, span);
      if (window.isEmpty()) {
        return false;
      }
      List<Hit<Void>> hits = search(pit, windowQuery(window), size, SortOrder.Asc, fetched, what);
      if (hits == null) {
        reopened(pit, reopens, what);
        continue;
      }
      take(hits, window, size);
      return true;
    }
  }

  /**
   * Raises the cap to the highest {@code _seq_no} in the point in time just opened (the first one
   * fixes the base too); false when that point in time went missing.
   */
  private boolean readCap(String pit, String what) {
    List<Hit<Void>> top = search(pit, query, 1, SortOrder.Desc, -1, what);
    if (top == null) {
      return false;
    }
    long highest = top.isEmpty() ? -1 : seqNo(top.get(0));
    if (base == UNKNOWN) {
      base = highest;
    }
    cap = Math.max(Math.max(cap, base), highest);
    cappedOpen = pointInTimeOpens();
    log.debug("{}: point in time {} reads after _seq_no {} up to {} (blocks up to {})", shard.label(), cappedOpen, fetched, cap, base);
    return true;
  }

  /** Buffers the hits of a window and moves the fetch position past what the window covered. */
  private void take(List<Hit<Void>> hits, SeqNoSlicing.Window window, int size) {
    if (log.isTraceEnabled()) {
      log.trace("{}: fetched {} of {} after _seq_no {} in {} range(s) up to {}",
          shard.label(), hits.size(), size, fetched, window.ranges().size(), window.end());
    }
    long before = fetched;
    for (Hit<Void> hit : hits) {
      long seqNo = seqNo(hit);
      buffer.add(new Fetched(toAsset(hit, seqNo), seqNo));
      fetched = seqNo;
    }
    if (hits.size() < size) {
      fetched = Math.max(fetched, window.end());
      long windowSeqs = slicing.owned(before + 1, window.end(), base);
      span = 2L * hits.size() < windowSeqs ? Math.min(MAX_SPAN, Math.max(span, windowSeqs) * 2) : 1;
    } else {
      // A full request: the next window spans what these hits did, so it narrows where matches
      // turn dense again after a sparse stretch widened it.
      span = Math.max(1, slicing.owned(seqNo(hits.get(0)), fetched, base));
    }
    if (buffer.isEmpty()) {
      delivered = fetched;
    }
  }

  /** After a point in time went missing: forgets it so the next attempt opens a new one, or gives up. */
  private void reopened(String pit, int reopens, String what) {
    if (reopens >= MAX_REOPENS_PER_REQUEST) {
      throw new RetriableException(
          what + " failed: the point in time went missing " + (reopens + 1) + " times in a row; keepAlive is " + spec.keepAlive());
    }
    forgetPointInTime(pit);
    log.info(
        "{}: the point in time expired or was closed; opening a new one and continuing after _seq_no {} "
            + "up to the highest _seq_no it holds (documents rewritten meanwhile are read at their new _seq_no)",
        shard.label(), fetched);
  }

  /**
   * The highest {@code _seq_no} among the documents of a primary shard that match the query, -1
   * when none does: the base its slices share (one search, outside any point in time).
   *
   * @throws ReprocessException if Elasticsearch cannot be read ({@link RetriableException} when it may pass)
   */
  public static long highestSeqNo(ElasticsearchClient client, EsShard primary, Query query) {
    String what = primary.label() + ": reading the highest _seq_no";
    try {
      SearchResponse<Void> response = client.search(s -> s
          .index(primary.index())
          .preference("_shards:" + primary.shard())
          .query(primary.filter(query, client._jsonpMapper()))
          .size(1)
          .sort(so -> so.field(f -> f.field(SEQ_NO).order(SortOrder.Desc)))
          .source(src -> src.fetch(false))
          .trackTotalHits(t -> t.enabled(false))
          .allowPartialSearchResults(false), Void.class);
      ShardStatistics shards = response.shards();
      if (shards != null && shards.failed() != null && shards.failed().intValue() > 0) {
        throw new RetriableException(what + ": the shard failed: " + EsErrors.describe(shards.failures()));
      }
      List<Hit<Void>> hits = response.hits().hits();
      return hits.isEmpty() || hits.get(0).sort().isEmpty() ? -1 : hits.get(0).sort().get(0).longValue();
    } catch (ElasticsearchException | IOException e) {
      throw EsErrors.wrap(what, e);
    }
  }

  /** How many points in time this paginator opened (1 unless one expired or was closed). For tests. */
  public int pointInTimeOpens() {
    synchronized (lock) {
      return pitOpens;
    }
  }

  /** The current point in time id, or {@code null} when none is open. For tests. */
  public String pointInTimeId() {
    synchronized (lock) {
      return pitId;
    }
  }

  @Override
  public void close() {
    String id;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      id = pitId;
      pitId = null;
    }
    closeQuietly(id);
    onClose.accept(this);
  }

  // ---- reading

  private Query windowQuery(SeqNoSlicing.Window window) {
    List<Query> ranges = new ArrayList<>(window.ranges().size());
    for (SeqNoSlicing.Range r : window.ranges()) {
      ranges.add(Query.of(q -> q.range(rq -> rq.untyped(u -> u.field(SEQ_NO).gte(JsonData.of(r.from())).lte(JsonData.of(r.to()))))));
    }
    Query slice = ranges.size() == 1
        ? ranges.get(0)
        : Query.of(q -> q.bool(b -> b.should(ranges).minimumShouldMatch("1")));
    return Query.of(q -> q.bool(b -> b.filter(query).filter(slice)));
  }

  /** One search in the point in time {@code pit}; {@code null} when that point in time is gone. */
  private List<Hit<Void>> search(String pit, Query query, int size, SortOrder order, long after, String what) {
    SearchRequest request = SearchRequest.of(s -> {
      s.pit(p -> p.id(pit).keepAlive(spec.keepAliveTime()))
          .query(query)
          .size(size)
          .sort(so -> so.field(f -> f.field(SEQ_NO).order(order)))
          .source(src -> src.fetch(false))
          .trackTotalHits(t -> t.enabled(false))
          .allowPartialSearchResults(false);
      if (after >= 0) {
        s.searchAfter(FieldValue.of(after));
      }
      if (!spec.idIsDocumentId()) {
        s.storedFields("_none_");
      }
      for (String field : docValueFields) {
        s.docvalueFields(f -> f.field(field));
      }
      return s;
    });
    try {
      SearchResponse<Void> response = client.search(request, Void.class);
      if (hasMissingContext(response.shards())) {
        return null;
      }
      checkComplete(response, what);
      rememberPointInTime(pit, response.pitId());
      return response.hits().hits();
    } catch (ElasticsearchException e) {
      if (!EsErrors.isMissingSearchContext(e)) {
        throw EsErrors.wrap(what, e);
      }
      return null;
    } catch (IOException e) {
      throw EsErrors.wrap(what, e);
    }
  }

  private static boolean hasMissingContext(ShardStatistics shards) {
    if (shards == null || shards.failures() == null) {
      return false;
    }
    for (ShardFailure f : shards.failures()) {
      if (f.reason() != null && "search_context_missing_exception".equals(f.reason().type())) {
        return true;
      }
    }
    return false;
  }

  /** Refuses a response that lacks hits from a failed shard: the page is read again instead. */
  private void checkComplete(SearchResponse<Void> response, String what) {
    ShardStatistics shards = response.shards();
    if (shards != null && shards.failed() != null && shards.failed().intValue() > 0) {
      throw new RetriableException(
          what + ": " + shards.failed() + " of " + shards.total() + " shards failed, so hits may be missing; "
              + "the page is not used and is read again on retry: " + EsErrors.describe(shards.failures()));
    }
    if (response.timedOut()) {
      throw new RetriableException(what + ": the search timed out, so hits may be missing; the page is read again on retry");
    }
  }

  private long seqNo(Hit<Void> hit) {
    List<FieldValue> sort = hit.sort();
    if (sort.isEmpty() || !sort.get(0).isLong()) {
      throw new ReprocessException(shard.label() + ": a hit has no _seq_no sort value: " + sort);
    }
    long seqNo = sort.get(0).longValue();
    if (seqNo < 0) {
      // An index without sequence numbers: reading on would select nothing, silently.
      throw new ReprocessException(shard.label() + ": a document has _seq_no " + seqNo
          + "; this selector needs the sequence numbers Elasticsearch assigns to every document");
    }
    return seqNo;
  }

  private AssetRef toAsset(Hit<Void> hit, long seqNo) {
    String id;
    if (spec.idIsDocumentId()) {
      id = hit.id();
      if (id == null) {
        throw new ReprocessException(shard.label() + ": the hit with _seq_no " + seqNo + " has no _id");
      }
    } else {
      List<String> values = values(mapper, hit.fields().get(spec.idField()));
      if (values.size() != 1) {
        throw new ReprocessException(
            shard.label() + ": the document with _seq_no " + seqNo + " has " + (values.isEmpty() ? "no value" : values.size() + " values " + values)
                + " in idField '" + spec.idField() + "'; it must have exactly one (select only such documents, e.g. with an exists query)");
      }
      id = values.get(0);
      if (id.isBlank()) {
        throw new ReprocessException(shard.label() + ": the document with _seq_no " + seqNo + " has a blank value in idField '"
            + spec.idField() + "'");
      }
    }
    String type = null;
    if (spec.assetTypeField() != null) {
      List<String> types = values(mapper, hit.fields().get(spec.assetTypeField()));
      type = types.isEmpty() ? null : types.get(0);
    }
    Map<String, String> attributes = Map.of();
    if (!spec.attributeFields().isEmpty()) {
      attributes = new HashMap<>();
      for (String field : spec.attributeFields()) {
        List<String> values = values(mapper, hit.fields().get(field));
        if (values.size() == 1) {
          attributes.put(field, values.get(0));
        } else if (values.size() > 1) {
          attributes.put(field, hit.fields().get(field).toJson(mapper).toString());
        }
      }
    }
    return new AssetRef(id, type, timeuuidInstant(id), attributes);
  }

  /** The values of a doc-value field as strings (numbers and booleans in their JSON form). */
  static List<String> values(JsonpMapper mapper, JsonData data) {
    if (data == null) {
      return List.of();
    }
    JsonValue json = data.toJson(mapper);
    if (json instanceof JsonArray array) {
      List<String> out = new ArrayList<>(array.size());
      for (JsonValue v : array) {
        out.add(v instanceof JsonString s ? s.getString() : v.toString());
      }
      return out;
    }
    return List.of(json instanceof JsonString s ? s.getString() : json.toString());
  }

  /** The creation time of a version 1 (time-based) UUID, or {@code null} for any other id. */
  static Instant timeuuidInstant(String id) {
    if (id.length() != 36 || id.charAt(8) != '-' || id.charAt(13) != '-' || id.charAt(14) != '1'
        || id.charAt(18) != '-' || id.charAt(23) != '-') {
      return null;
    }
    try {
      UUID uuid = UUID.fromString(id);
      long ticks = uuid.timestamp() - UUID_EPOCH_OFFSET; // 100 ns units since 1970
      return Instant.ofEpochSecond(Math.floorDiv(ticks, 10_000_000L), Math.floorMod(ticks, 10_000_000L) * 100);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      return null;
    }
  }

  // ---- point in time

  private void requireOpen() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(shard.label() + ": the paginator is closed");
      }
    }
  }

  private String pointInTime() {
    synchronized (lock) {
      if (closed) {
        throw new ReprocessException(shard.label() + ": the paginator was closed while reading");
      }
      if (pitId != null) {
        return pitId;
      }
    }
    String id = openPointInTime();
    synchronized (lock) {
      if (!closed) {
        pitId = id;
        pitOpens++;
        return id;
      }
    }
    closeQuietly(id);
    throw new ReprocessException(shard.label() + ": the paginator was closed while reading");
  }

  private String openPointInTime() {
    String what = shard.label() + ": opening a point in time";
    try {
      OpenPointInTimeResponse response = client.openPointInTime(o -> o
          .index(shard.index())
          .preference("_shards:" + shard.shard())
          .keepAlive(spec.keepAliveTime())
          .allowPartialSearchResults(false));
      ShardStatistics shards = response.shards();
      if (shards != null && shards.failed() != null && shards.failed().intValue() > 0) {
        closeQuietly(response.id());
        throw new RetriableException(what + ": the shard failed: " + EsErrors.describe(shards.failures()));
      }
      if (shards != null && shards.total() != null && shards.total().intValue() != 1) {
        closeQuietly(response.id());
        throw new ReprocessException(what + ": expected it on 1 shard, Elasticsearch opened it on " + shards.total());
      }
      log.debug("{}: opened a point in time (keepAlive {})", shard.label(), spec.keepAlive());
      return response.id();
    } catch (ElasticsearchException e) {
      if (EsErrors.isIndexNotFound(e)) {
        throw new ReprocessException(what + " failed: the index no longer exists: " + EsErrors.describe(e), e);
      }
      throw EsErrors.wrap(what, e);
    } catch (IOException e) {
      throw EsErrors.wrap(what, e);
    }
  }

  private void rememberPointInTime(String used, String returned) {
    if (returned == null || returned.equals(used)) {
      return;
    }
    synchronized (lock) {
      if (!closed && used.equals(pitId)) {
        pitId = returned;
        return;
      }
    }
  }

  private void forgetPointInTime(String id) {
    synchronized (lock) {
      if (id.equals(pitId)) {
        pitId = null;
      }
    }
    closeQuietly(id);
  }

  private void releasePointInTime() {
    String id;
    synchronized (lock) {
      id = pitId;
      pitId = null;
    }
    closeQuietly(id);
  }

  private void closeQuietly(String id) {
    if (id == null) {
      return;
    }
    try {
      client.closePointInTime(c -> c.id(id));
    } catch (IOException | RuntimeException e) {
      // It expires on its own after keepAlive.
      log.debug("{}: could not close a point in time ({}); it expires after {}", shard.label(), e.toString(), spec.keepAlive());
    }
  }
}
