package dev.reprocess.elasticsearch;

import java.util.HashMap;
import dev.reprocess.SelectionDefinition;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.NodeShard;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.FieldCapsResponse;
import co.elastic.clients.elasticsearch.core.SearchShardsResponse;
import co.elastic.clients.elasticsearch.core.field_caps.FieldCapability;
import co.elastic.clients.elasticsearch.core.search_shards.ShardStoreIndex;
import co.elastic.clients.elasticsearch.indices.IndexSettings;
import dev.reprocess.AssetSelector;
import dev.reprocess.Cursor;
import dev.reprocess.Paginator;
import dev.reprocess.ReprocessException;
import dev.reprocess.Shard;
import dev.reprocess.elasticsearch.internal.EsErrors;
import dev.reprocess.elasticsearch.internal.EsShard;
import dev.reprocess.elasticsearch.internal.MappedFieldsCheck;
import dev.reprocess.elasticsearch.internal.QueryJson;
import dev.reprocess.elasticsearch.internal.ReadSpec;
import dev.reprocess.elasticsearch.internal.SeqNoCursor;
import dev.reprocess.elasticsearch.internal.SeqNoPaginator;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Selects the documents of an Elasticsearch index (or alias, or pattern) that match a query,
 * as assets: the asset id comes from the document {@code _id} or a keyword field, the asset type
 * and extra attributes from other fields.
 *
 * <pre>{@code
 * ElasticsearchSelector selector = ElasticsearchSelector.builder(client)   // the host's client
 *     .index("assets")
 *     .query("{\"term\": {\"payload.codec\": \"h264\"}}")
 *     .idField("asset_id")              // or "_id", the default
 *     .assetTypeField("asset_type")
 *     .attributeFields("size_bytes")
 *     .slices(4)
 *     .build();
 * ReprocessJob.builder("recode-h264").selector(selector).handler(handler).build().run();
 * }</pre>
 *
 * <h2>Shards, order and cursor</h2>
 *
 * <p>One {@link Shard} per primary shard of every index the name resolves to, times {@link
 * Builder#slices(int) slices}; its id is {@code <index>[<shard>]}, or {@code
 * <index>[<shard>]/slice-<i>-of-<n>}. The filter of a filtered alias is applied along with the
 * query; a routed alias yields only its shards. Each shard is read through its own point in time, opened on
 * that Elasticsearch shard alone ({@code preference=_shards:N}), sorted by {@code _seq_no} and
 * paged with {@code search_after}. The cursor is the last {@code _seq_no} read and the shard's
 * base (see Slices), e.g. {@code es-seqno:v2:41234:199999}; cursors of the earlier {@code v1}
 * format are still read, as the same position and base.
 *
 * <p>Requests ask for {@link Builder#fetchSize(int) fetchSize} hits (default 5,000), independently
 * of the job's page size; the hits are buffered and handed out in pages, each with an exact cursor.
 * While matches are dense a request reads the next block of 4,096 sequence numbers after the
 * cursor (with slices, the slice's next block), as a {@code _seq_no} range next to the query, so
 * its hits are consecutive documents; when a block yields little (a selective query) the next
 * request covers twice as many.
 *
 * <p>The sort is {@code _seq_no}: every document has one, it is unique among the live documents
 * of a shard and indexed as a point (Lucene skips straight to the hits after the cursor), and a
 * value means the same document in every point in time. (A keyword sort would cost
 * O(n²/pageSize) per shard, and {@code _shard_doc} values mean nothing in another point in time;
 * the comparison, with measurements, is in this module's README.)
 *
 * <h2>Selection guarantee</h2>
 *
 * <p>Every document that matches the query when the job starts and still matches when it ends is
 * selected at least once, whatever production writes meanwhile and however often the job is
 * stopped and resumed. Elasticsearch gives a rewritten document a new, higher {@code _seq_no}.
 * Each time a shard opens a point in time (the first time, after one expired or was closed, and
 * when a job resumes from its checkpoint) one request reads the highest {@code _seq_no} in it, and
 * the shard reads that point in time to that end, after the cursor: a point in time is a frozen
 * snapshot, so a document rewritten after it was opened is read at its old {@code _seq_no}, and one
 * rewritten before it is found at its new one. The end never follows writes inside one point in
 * time, so a shard ends.
 *
 * <ul>
 *   <li>A document rewritten during the job is selected once if its shard's point in time stays
 *       open, and may be selected again (at its new {@code _seq_no}) by a point in time opened
 *       after the rewrite if it was selected before it: after an expiry, on a resume, and, with
 *       slices, by every slice of its primary shard that reads after the rewrite (at most
 *       slices + 1 times).
 *   <li>A document created during the job is selected if a point in time opened after it was
 *       written reads it (a reopened one, a resumed run, a slice that starts later); otherwise
 *       not.
 *   <li>A document deleted during the job is selected if its shard read it before the deletion,
 *       or from a point in time opened before it; the handler may find it gone.
 * </ul>
 *
 * <p>What it costs: one search ({@code size} 1) per point in time opened, and with slices one per
 * primary shard in {@link #shards()}; the duplicates above. A job that rewrites the documents it
 * selects (a re-index in place, a backfill through the host's indexing pipeline) selects again,
 * after each reopen, those it rewrote before it, so keep {@link Builder#keepAlive(Duration)
 * keepAlive} longer than the longest pause between two pages of a shard: then a point in time is
 * reopened only when a job resumes.
 *
 * <h2>Slices</h2>
 *
 * <p>{@link #shards()} reads, for each primary shard, the highest {@code _seq_no} matching the
 * query: the shard's <em>base</em>, common to its slices and kept in each slice's cursor. Up to the
 * base, slice {@code i} of {@code n} holds the documents whose {@code _seq_no} lies in a block of
 * 4,096 sequence numbers with block number {@code ≡ i (mod n)}: slices never overlap there, stay
 * the same across reopens, and are balanced to within a block. Above the base (the documents
 * written since the selection was split, rewritten ones included) every slice reads everything,
 * after its own blocks: a rewrite moves a document to a new {@code _seq_no}, maybe into a block of
 * a slice that already finished, and that is how it is still selected. A request reads one block
 * of the slice while matches are dense, and more blocks, as {@code _seq_no} range clauses, when
 * they yield little. Elasticsearch's own {@code slice} is not used (why: this module's README).
 *
 * <p>Every slice keeps the base of the run that first listed it: the engine checkpoints each new
 * slice's {@link #startCursor start cursor} (the base, no position) before the run's first event,
 * so a slice that a stopped run never started resumes with the same base as its siblings and
 * reads every document written above it.
 *
 * <h2>Validation</h2>
 *
 * <p>{@link Builder#build()} checks the options without I/O; a query string is parsed there and a
 * malformed one is rejected with its line and column. {@link #shards()} then checks against the
 * cluster, before the engine writes anything: the index exists, the id field is a keyword with doc
 * values in every index, the type and attribute fields have doc values, and Elasticsearch accepts
 * the query. Failures are {@link IllegalArgumentException}s naming the option, the value and the
 * rule.
 *
 * <h2>Faults</h2>
 *
 * <p>A point in time that expired or was closed is reopened (up to 3 times per request) and the
 * page is read again. A response in which any shard failed or that timed out is never used: the
 * page fails with a {@link dev.reprocess.RetriableException} and is read again on retry. Transport
 * errors and HTTP 408, 429, 5xx are {@link dev.reprocess.RetriableException}s; other errors are
 * {@link ReprocessException}s.
 *
 * <p>Thread-safe: {@link #open} may be called concurrently for different shards. {@link #close()}
 * closes the points in time of every paginator still open (the engine calls it when a job ends or
 * is cancelled), never the client; the selector stays usable, so a job can run again with it.
 */
public final class ElasticsearchSelector implements AssetSelector {

  private static final Logger log = LoggerFactory.getLogger(ElasticsearchSelector.class);

  /** The default {@link Builder#idField(String) idField}: the document id. */
  public static final String DEFAULT_ID_FIELD = ReadSpec.DOCUMENT_ID;
  /** The default {@link Builder#slices(int) slices} per primary shard. */
  public static final int DEFAULT_SLICES = 1;
  /** The most {@link Builder#slices(int) slices} per primary shard. */
  public static final int MAX_SLICES = 1024;
  /** The default {@link Builder#fetchSize(int) fetchSize}: hits per search request. */
  public static final int DEFAULT_FETCH_SIZE = 5000;
  /** The largest {@link Builder#fetchSize(int) fetchSize}: Elasticsearch's default {@code index.max_result_window}. */
  public static final int MAX_FETCH_SIZE = 10_000;
  /** The default {@link Builder#keepAlive(Duration) keepAlive} of a point in time: 5 minutes. */
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(5);
  /** The shortest {@link Builder#keepAlive(Duration) keepAlive}: 1 second. */
  public static final Duration MIN_KEEP_ALIVE = Duration.ofSeconds(1);
  /** The longest {@link Builder#keepAlive(Duration) keepAlive}: 24 hours (Elasticsearch's {@code search.max_keep_alive}). */
  public static final Duration MAX_KEEP_ALIVE = Duration.ofHours(24);

  private static final Set<String> TYPE_FIELD_TYPES = Set.of("keyword", "constant_keyword");

  private final ElasticsearchClient client;
  private final String index;
  private final ReadSpec spec;
  private final int slices;
  private final String queryJson;
  private final boolean allowUnmappedFields;
  private final Set<SeqNoPaginator> openPaginators = ConcurrentHashMap.newKeySet();

  private ElasticsearchSelector(Builder b, Query query) {
    this.client = b.client;
    this.index = b.index;
    this.slices = b.slices;
    this.spec = new ReadSpec(query, b.idField, b.assetTypeField, List.copyOf(b.attributeFields), b.keepAlive, b.fetchSize);
    this.queryJson = QueryJson.toJson(query, client._jsonpMapper());
    this.allowUnmappedFields = b.allowUnmappedFields;
  }

  /**
   * A builder over the host's client, which the selector uses and never closes.
   *
   * @throws NullPointerException if {@code client} is null
   */
  public static Builder builder(ElasticsearchClient client) {
    return new Builder(Objects.requireNonNull(client, "client"));
  }

  /**
   * The shards to read: every primary shard of every index that {@code index} names, times the
   * slices. Checks the index, the fields and the query against the cluster first.
   *
   * @throws IllegalArgumentException if the index does not exist, a field is missing or of the
   *     wrong type, the query filters on a field no index maps (unless {@link
   *     Builder#allowUnmappedFields(boolean) allowUnmappedFields}), or Elasticsearch rejects the query
   * @throws ReprocessException if Elasticsearch cannot be read ({@link
   *     dev.reprocess.RetriableException} when it may pass)
   */
  @Override
  public List<Shard> shards() {
    List<EsShard> primaries = primaries();
    checkFields();
    if (!allowUnmappedFields) {
      MappedFieldsCheck.check(client, index, queryJson);
    }
    checkQuery();
    Map<String, String> uuids = indexUuids();
    List<Shard> shards = new ArrayList<>(primaries.size() * slices);
    for (EsShard primary : primaries) {
      Long base = slices == 1 ? null : SeqNoPaginator.highestSeqNo(client, primary, spec.query());
      for (int slice = 0; slice < slices; slice++) {
        shards.add(new EsShard(primary.index(), primary.shard(), slice, slices, primary.aliasFilter(), base,
            uuids.get(primary.index())).toShard());
      }
    }
    log.info(
        "elasticsearch index '{}': {} primary shards in {} indices, {} slice(s) each: {} shards",
        index, primaries.size(), primaries.stream().map(EsShard::index).distinct().count(), slices, shards.size());
    return List.copyOf(shards);
  }

  /**
   * With slices, a cursor holding the base the shard's slices share (read when {@link #shards()}
   * listed them) and no position: the engine saves it before the run's first event, so a slice a
   * stopped run never started keeps the base its siblings use, and a document moved meanwhile
   * into a block of an already completed slice is still read above that base. {@code null} without
   * slices.
   */
  @Override
  public Cursor startCursor(Shard shard) {
    EsShard es = EsShard.from(shard);
    return es.base() == null ? null : new SeqNoCursor(-1, es.base(), es.id(), es.indexUuid()).toCursor();
  }

  /**
   * Opens a paginator over one shard. No request is sent until its first page is read.
   *
   * @throws IllegalArgumentException if the shard or the cursor was not produced by a selector of
   *     this configuration
   */
  @Override
  public Paginator open(Shard shard, Cursor from, int pageSize) {
    EsShard es = EsShard.from(shard);
    if (es.slices() != slices) {
      throw new IllegalArgumentException(
          "shard '" + shard.id() + "' has " + es.slices() + " slices per shard but this selector has " + slices);
    }
    SeqNoCursor cursor = from == null ? null : SeqNoCursor.parse(from);
    if (cursor != null) {
      cursor.requireBelongsTo(es);
    }
    SeqNoPaginator paginator = new SeqNoPaginator(client, es, spec, cursor, pageSize, openPaginators::remove);
    openPaginators.add(paginator);
    return paginator;
  }

  /**
   * The number of documents matching the query in the shard's Elasticsearch shard (a {@code
   * _count} request), divided by the slices: an estimate, since slices are balanced only to within
   * 4,096 sequence numbers and documents change. Empty if the count fails.
   */
  @Override
  public OptionalLong estimateCount(Shard shard) {
    EsShard es = EsShard.from(shard);
    try {
      Query query = es.filter(spec.query(), client._jsonpMapper());
      long count = client.count(c -> c.index(es.index()).preference("_shards:" + es.shard()).query(query)).count();
      long share = count / es.slices() + (es.slice() < count % es.slices() ? 1 : 0);
      return OptionalLong.of(share);
    } catch (ElasticsearchException | IOException e) {
      log.warn("{}: could not count the matching documents for progress: {}", es.label(), e.toString());
      return OptionalLong.empty();
    }
  }

  /** For logs, e.g. {@code elasticsearch index 'assets' query {"match_all":{}}, idField _id, 1 slice(s) per shard}. */
  @Override
  public String describe() {
    return "elasticsearch index '" + index + "' query " + queryJson + ", idField " + spec.idField()
        + ", " + slices + " slice(s) per shard";
  }

  /**
   * The selection's definition: index, query (as JSON), id, type and attribute fields, slices per
   * shard. Page order is fixed (by {@code _seq_no} per slice).
   */
  @Override
  public String selectionDefinition() {
    Map<String, Object> d = new HashMap<>();
    d.put("kind", "elasticsearch");
    d.put("index", index);
    d.put("query", queryJson);
    d.put("idField", spec.idField());
    d.put("assetTypeField", spec.assetTypeField());
    d.put("attributeFields", spec.attributeFields());
    d.put("slices", slices);
    return SelectionDefinition.of(d);
  }

  /**
   * Closes every paginator still open, and with it its point in time. Idempotent; the client stays
   * open, and the selector stays usable (a job that runs again opens new paginators).
   */
  @Override
  public void close() {
    for (SeqNoPaginator paginator : List.copyOf(openPaginators)) {
      paginator.close();
    }
  }

  // ---- validation against the cluster

  private List<EsShard> primaries() {
    SearchShardsResponse response;
    try {
      response = client.searchShards(s -> s.index(index));
    } catch (ElasticsearchException e) {
      if (EsErrors.isIndexNotFound(e)) {
        throw notFound();
      }
      if (EsErrors.isIndexClosed(e)) {
        throw EsErrors.indexClosed(index, e);
      }
      throw EsErrors.wrap("elasticsearch index '" + index + "': listing shards", e);
    } catch (IOException e) {
      throw EsErrors.wrapFirstContact(EsErrors.endpoint(client), "listing the shards of index '" + index + "'", e);
    }
    TreeSet<EsShard> primaries = new TreeSet<>((a, b) -> {
      int byIndex = a.index().compareTo(b.index());
      return byIndex != 0 ? byIndex : Integer.compare(a.shard(), b.shard());
    });
    for (List<NodeShard> copies : response.shards()) {
      if (!copies.isEmpty()) {
        NodeShard any = copies.stream().filter(NodeShard::primary).findFirst().orElse(copies.get(0));
        ShardStoreIndex reachedThrough = response.indices().get(any.index());
        String aliasFilter = reachedThrough == null || reachedThrough.filter() == null
            ? null
            : QueryJson.toJson(reachedThrough.filter(), client._jsonpMapper());
        primaries.add(new EsShard(any.index(), any.shard(), 0, 1, aliasFilter));
      }
    }
    if (primaries.isEmpty()) {
      throw notFound();
    }
    return List.copyOf(primaries);
  }

  /**
   * The uuid of every concrete index {@code index} names, which cursors carry; empty when they
   * cannot be read (a user without the right to read settings), which is logged: cursors then only
   * name their shard.
   */
  private Map<String, String> indexUuids() {
    try {
      Map<String, String> uuids = new HashMap<>();
      client.indices().getSettings(g -> g.index(index).name("index.uuid")).settings().forEach((name, state) -> {
        IndexSettings s = state.settings();
        String uuid = s == null ? null : s.uuid() != null ? s.uuid() : s.index() != null ? s.index().uuid() : null;
        if (uuid != null) {
          uuids.put(name, uuid);
        }
      });
      return uuids;
    } catch (ElasticsearchException | IOException e) {
      log.warn("elasticsearch index '{}': cannot read the index uuids ({}); cursors will name their shard only",
          index, e.toString());
      return Map.of();
    }
  }

  private IllegalArgumentException notFound() {
    return new IllegalArgumentException(
        "index is '" + index + "': no open index or alias of that name exists (or the pattern matches none)");
  }

  private void checkFields() {
    List<String> fields = spec.docValueFields();
    if (fields.isEmpty()) {
      return;
    }
    FieldCapsResponse response;
    try {
      response = client.fieldCaps(f -> f.index(index).fields(fields).includeUnmapped(true));
    } catch (ElasticsearchException | IOException e) {
      throw EsErrors.wrap("elasticsearch index '" + index + "': reading the mapping of " + fields, e);
    }
    if (!spec.idIsDocumentId()) {
      checkField("idField", spec.idField(), response, Set.of("keyword"),
          "it must be a keyword field with doc values holding the asset id, or _id");
    }
    if (spec.assetTypeField() != null) {
      checkField("assetTypeField", spec.assetTypeField(), response, TYPE_FIELD_TYPES,
          "it must be a keyword field with doc values");
    }
    for (String field : spec.attributeFields()) {
      checkField("attributeFields", field, response, null,
          "attribute fields are read from doc values, so they must be aggregatable (keyword, numeric, date, boolean, ip...)");
    }
  }

  private void checkField(String option, String field, FieldCapsResponse response, Set<String> types, String rule) {
    Map<String, FieldCapability> caps = response.fields().get(field);
    if (caps == null || caps.isEmpty()) {
      throw new IllegalArgumentException(
          option + " is '" + field + "': no index of '" + index + "' maps that field; " + rule);
    }
    for (Map.Entry<String, FieldCapability> e : caps.entrySet()) {
      String type = e.getKey();
      FieldCapability cap = e.getValue();
      String where = cap.indices().isEmpty() ? "index '" + index + "'" : "indices " + cap.indices();
      if ("unmapped".equals(type)) {
        throw new IllegalArgumentException(option + " is '" + field + "': it is not mapped in " + where + "; " + rule);
      }
      if (types != null && !types.contains(type)) {
        throw new IllegalArgumentException(
            option + " is '" + field + "': it is a " + type + " field in " + where + "; " + rule);
      }
      if (!cap.aggregatable()) {
        String which = cap.nonAggregatableIndices().isEmpty() ? where : "indices " + cap.nonAggregatableIndices();
        throw new IllegalArgumentException(
            option + " is '" + field + "': it has no doc values in " + which + " (" + type + "); " + rule);
      }
    }
  }

  private void checkQuery() {
    try {
      client.search(s -> s
              .index(index)
              .size(0)
              .query(spec.query())
              .sort(so -> so.field(f -> f.field("_seq_no").order(SortOrder.Asc)))
              .trackTotalHits(t -> t.enabled(false))
              .allowPartialSearchResults(false),
          Void.class);
    } catch (ElasticsearchException e) {
      if (EsErrors.isIndexClosed(e)) {
        throw EsErrors.indexClosed(index, e);
      }
      if (e.status() == 400 || EsErrors.isIndexNotFound(e)) {
        throw new IllegalArgumentException(
            "query is " + queryJson + ": Elasticsearch rejects it for index '" + index + "': " + EsErrors.describe(e), e);
      }
      throw EsErrors.wrap("elasticsearch index '" + index + "': checking the query", e);
    } catch (IOException e) {
      throw EsErrors.wrap("elasticsearch index '" + index + "': checking the query", e);
    }
  }

  /**
   * Configures an {@link ElasticsearchSelector}. Mutable, not thread-safe; {@link #build()} may be
   * called more than once.
   */
  public static final class Builder {
    private final ElasticsearchClient client;
    private String index;
    private String queryJson;
    private Query query;
    private String idField = DEFAULT_ID_FIELD;
    private String assetTypeField;
    private final List<String> attributeFields = new ArrayList<>();
    private int slices = DEFAULT_SLICES;
    private Duration keepAlive = DEFAULT_KEEP_ALIVE;
    private int fetchSize = DEFAULT_FETCH_SIZE;
    private boolean allowUnmappedFields;

    private Builder(ElasticsearchClient client) {
      this.client = client;
    }

    /**
     * The index, alias, data stream or pattern to read ({@code assets}, {@code assets-*}, {@code
     * a,b}), as Elasticsearch resolves it when {@link ElasticsearchSelector#shards()} runs.
     * Required.
     */
    public Builder index(String index) {
      this.index = index;
      return this;
    }

    /**
     * The query, as query DSL JSON, e.g. {@code {"term": {"color": "red"}}} (a request body
     * {@code {"query": {...}}} is accepted too). Parsed by {@link #build()}, which reports the line
     * and column of a syntax error. Default: all documents. Replaces {@link #query(Query)}.
     */
    public Builder query(String json) {
      this.queryJson = json;
      this.query = null;
      return this;
    }

    /**
     * Whether the query may filter on fields that no index of {@link #index} maps. By default
     * (false) {@link ElasticsearchSelector#shards()} reads the mapping ({@code _field_caps}, no
     * document) and throws an {@link IllegalArgumentException} naming the first field of a {@code
     * term}, {@code terms}, {@code match}, {@code match_phrase}, {@code range}, {@code exists},
     * {@code prefix}, {@code wildcard}, {@code regexp} or {@code fuzzy} clause (at any depth of
     * {@code bool} and other compound queries) that is not mapped, since Elasticsearch answers such
     * a query with no hit and the job would select nothing. Set it when a field is unmapped on
     * purpose (a query written ahead of a mapping change).
     */
    public Builder allowUnmappedFields(boolean allowUnmappedFields) {
      this.allowUnmappedFields = allowUnmappedFields;
      return this;
    }

    /** The query, in the client's typed form. Default: all documents. Replaces {@link #query(String)}. */
    public Builder query(Query query) {
      this.query = Objects.requireNonNull(query, "query");
      this.queryJson = null;
      return this;
    }

    /**
     * The field that holds the asset id: {@code _id} (the default) or a keyword field with doc
     * values and one value per document.
     */
    public Builder idField(String field) {
      this.idField = field;
      return this;
    }

    /** A keyword field that holds the asset type; default none (events then carry no type). */
    public Builder assetTypeField(String field) {
      this.assetTypeField = field;
      return this;
    }

    /**
     * Fields whose values become the assets' attributes (and the events'), read from doc values:
     * one value as its string form (numbers as JSON numbers, dates as Elasticsearch formats
     * them), several as a JSON array. Replaces earlier calls. Default none.
     */
    public Builder attributeFields(String... fields) {
      return attributeFields(List.of(fields));
    }

    /** As {@link #attributeFields(String...)}. */
    public Builder attributeFields(Collection<String> fields) {
      this.attributeFields.clear();
      this.attributeFields.addAll(fields);
      return this;
    }

    /**
     * How many shards each primary shard is split into, read in parallel by the job (see its
     * {@code shardsInParallel}); 1 to {@value ElasticsearchSelector#MAX_SLICES}, default 1. Changing
     * it changes the shard ids, so a job resumed with another value starts again.
     */
    public Builder slices(int slices) {
      this.slices = slices;
      return this;
    }

    /**
     * How long Elasticsearch keeps a shard's point in time between two page requests; each request
     * extends it. Default 5 minutes, from 1 second to 24 hours. An expired point in time is reopened
     * and read to its end (see the class documentation's selection guarantee for what that costs).
     */
    public Builder keepAlive(Duration keepAlive) {
      this.keepAlive = keepAlive;
      return this;
    }

    /**
     * How many hits one search request asks for, from 1 to {@value ElasticsearchSelector#MAX_FETCH_SIZE};
     * default {@value ElasticsearchSelector#DEFAULT_FETCH_SIZE}. It is independent of the job's
     * page size: hits are buffered (at most this many per shard being read) and handed out in
     * pages, each with an exact cursor. Larger requests cost Elasticsearch and the client less per
     * id.
     */
    public Builder fetchSize(int fetchSize) {
      this.fetchSize = fetchSize;
      return this;
    }

    /**
     * Checks the options (without I/O) and builds the selector.
     *
     * @throws IllegalArgumentException naming the option, the value and the rule
     */
    public ElasticsearchSelector build() {
      if (index == null || index.isBlank() || !index.equals(index.strip()) || index.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(
            "index is '" + index + "': it must be an index, alias or pattern without whitespace, e.g. assets or assets-*");
      }
      requireField("idField", idField);
      if (assetTypeField != null) {
        requireField("assetTypeField", assetTypeField);
        if (assetTypeField.equals(idField)) {
          throw new IllegalArgumentException("assetTypeField is '" + assetTypeField + "': it must differ from idField");
        }
      }
      Set<String> seen = new LinkedHashSet<>();
      for (String field : attributeFields) {
        requireField("attributeFields", field);
        if (!seen.add(field)) {
          throw new IllegalArgumentException("attributeFields has '" + field + "' twice: each field may appear once");
        }
      }
      if (seen.contains(ReadSpec.DOCUMENT_ID)) {
        throw new IllegalArgumentException(
            "attributeFields has '_id': it has no doc values; use idField(\"_id\") for the document id");
      }
      if (slices < 1 || slices > MAX_SLICES) {
        throw new IllegalArgumentException("slices is " + slices + ": it must be between 1 and " + MAX_SLICES);
      }
      if (keepAlive == null || keepAlive.compareTo(MIN_KEEP_ALIVE) < 0 || keepAlive.compareTo(MAX_KEEP_ALIVE) > 0) {
        throw new IllegalArgumentException(
            "keepAlive is " + keepAlive + ": it must be between " + MIN_KEEP_ALIVE + " and " + MAX_KEEP_ALIVE);
      }
      if (fetchSize < 1 || fetchSize > MAX_FETCH_SIZE) {
        throw new IllegalArgumentException("fetchSize is " + fetchSize + ": it must be between 1 and " + MAX_FETCH_SIZE);
      }
      Query q = query;
      if (q == null) {
        q = queryJson == null
            ? Query.of(b -> b.matchAll(m -> m))
            : QueryJson.parse("query", queryJson, client._jsonpMapper());
      }
      return new ElasticsearchSelector(this, q);
    }

    private static void requireField(String option, String field) {
      if (field == null || field.isBlank() || !field.equals(field.strip())) {
        throw new IllegalArgumentException(
            option + " is '" + field + "': it must be a field name without surrounding whitespace");
      }
    }
  }
}
