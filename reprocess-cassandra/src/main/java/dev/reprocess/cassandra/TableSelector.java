package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.schema.ClusteringOrder;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import dev.reprocess.AssetRef;
import dev.reprocess.AssetSelector;
import dev.reprocess.Cursor;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.internal.BucketSampleCheck;
import dev.reprocess.cassandra.internal.ClusteringKeyset;
import dev.reprocess.cassandra.internal.Identifiers;
import dev.reprocess.cassandra.internal.KeyCursor;
import dev.reprocess.cassandra.internal.KeyText;
import dev.reprocess.cassandra.internal.Lazy;
import dev.reprocess.cassandra.internal.PartitionDiscoverer;
import dev.reprocess.cassandra.internal.PartitionValues;
import dev.reprocess.cassandra.internal.RowSettings;
import dev.reprocess.cassandra.internal.SchemaCheck;
import dev.reprocess.cassandra.internal.StatementPreparation;
import dev.reprocess.cassandra.internal.TableName;
import dev.reprocess.cassandra.internal.TablePaginator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Selects the rows of a table of (almost) any primary key, partition by partition, in keyset order
 * over the whole clustering key. Use it when the table is not the reference layout of {@link
 * TimeBucketSelector} (a partition key of exactly asset type and bucket, one timeuuid clustering
 * column): a bucket-only partition key {@code ((day), asset_id)}, extra partition-key columns
 * {@code ((tenant, asset_type, bucket), asset_id)} or {@code ((day, shard_no), asset_id)}, a
 * composite clustering key of mixed orders {@code (day, added_date, item_id) WITH CLUSTERING ORDER
 * BY (added_date DESC, item_id ASC)}, ids that are {@code uuid}, {@code text} or {@code bigint}.
 *
 * <pre>{@code
 * AssetSelector selector = TableSelector.builder(session)
 *     .table("media.items_by_day")
 *     .partitionValues("tenant", "a", "b")          // a listed partition-key column
 *     .bucketColumn("day")                          // the bucket column, from the window
 *     .bucketing(Bucketing.daily())
 *     .window(Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-08T00:00:00Z"))
 *     .timeColumn("added_date")                     // optional: exact window on this clustering column
 *     .idColumn("item_id")
 *     .build();
 * }</pre>
 *
 * <p><b>Shards.</b> Every partition-key column is either listed ({@link Builder#partitionValues})
 * or the bucket column ({@link Builder#bucketColumn}), whose values are the buckets of the window
 * ({@link Bucketing}, column types as {@link BucketType}); there may be no bucket column. Shards are
 * the product of the values, the last partition-key column varying fastest, with ids naming each
 * column in partition-key order, e.g. {@code tenant=a/asset_type=image/day=2026-12-01} ({@code %},
 * {@code /} and {@code =} in values percent-encoded), stable across runs, and properties holding the values ({@code pk.<column>}, CQL literals). At most
 * {@value #MAX_SHARDS} shards; the job's {@code maxShards} applies on top.
 *
 * <p><b>Pages.</b> Keyset pagination over the full clustering key (its orders read from the
 * schema): a shard starts with one query; the rows after a key {@code (k1, ..., kn)} are read with
 * one query per clustering-prefix level, {@code c1 = k1 AND ... AND c(n-1) = k(n-1) AND cn > kn},
 * then {@code ... c(n-1) > k(n-1)}, down to {@code c1 > k1} ({@code <} for a column read
 * descending), chained, never a tuple comparison, which would lose and repeat rows when the orders
 * are mixed. Reading follows the table's clustering order, or its reverse for every column ({@link
 * Builder#reversed}). Pages are driver pages of at most {@code pageSize} rows; a page may be
 * shorter where one level query ends. A partition with only static content holds no asset.
 *
 * <p><b>Window.</b> With a {@link Builder#timeColumn time column} (the first clustering column, a
 * {@code timestamp} or {@code timeuuid}), rows are selected when {@code from <= time < to}, exact to
 * the millisecond ({@code timeuuid}: compared as {@code minTimeuuid} bounds, as {@link
 * TimeBucketSelector} does). Without one, the window only chooses the buckets. A time column deeper
 * in the clustering key is refused at {@link #shards()}: the window would not be one range of each
 * partition, so bounding it would need a filtering scan; select such a table by its buckets, with a
 * {@link Builder#rowFilter} on the time column if the edges must be exact. A window with neither a
 * bucket nor a time column, or a bucketing without a bucket column, is refused by {@link
 * Builder#build()}, since it would change nothing.
 *
 * <p><b>Assets.</b> The id is any one clustering or partition-key column of type {@code timeuuid},
 * {@code uuid}, {@code text}, {@code ascii}, {@code bigint} or {@code int}, handed out in its text
 * form. The creation time is the time column's value, else the id's timestamp when the id is a
 * timeuuid, else absent. The asset type is the value of the {@link Builder#assetTypeColumn} when
 * one is named, else absent. {@link Builder#selectColumns} become attributes, as for {@link
 * TimeBucketSelector}.
 *
 * <p><b>Cursor.</b> The full clustering key of the last row handed out, as a versioned string
 * {@code k1.<shape>.<value>...}, each value typed by its column; resuming selects exactly the rest
 * of the shard. A cursor from another table, clustering key, read direction or selector is refused
 * with an {@link IllegalArgumentException}.
 *
 * <p><b>Errors.</b> {@link Builder#build()} checks the options without I/O; {@link #shards()}
 * checks them against the schema and throws an {@link IllegalArgumentException} naming the option,
 * the value and the rule before anything is read. Names are validated and quoted; values are always
 * bound. Read failures are {@link dev.reprocess.RetriableException}s when transient, {@link
 * dev.reprocess.ReprocessException}s otherwise.
 *
 * <p>Immutable and thread-safe. The session is the host's: it is never closed here.
 */
public final class TableSelector implements AssetSelector {
  /** The most shards one selection may have. */
  public static final int MAX_SHARDS = TimeBucketSelector.MAX_SHARDS;

  private static final Logger LOG = LoggerFactory.getLogger(TableSelector.class);
  private static final Set<DataType> ID_TYPES = Set.of(
      DataTypes.TIMEUUID, DataTypes.UUID, DataTypes.TEXT, DataTypes.ASCII, DataTypes.BIGINT, DataTypes.INT);

  private final CqlSession session;
  private final TableName table;
  private final Map<CqlIdentifier, List<Object>> listed;
  private final Map<CqlIdentifier, List<String>> listedTexts;
  private final CqlIdentifier bucketColumn;
  private final CqlIdentifier timeColumn;
  private final CqlIdentifier idColumn;
  private final CqlIdentifier assetTypeColumn;
  private final Instant from;
  private final Instant to;
  private final Bucketing bucketing;
  private final boolean reversed;
  private final PartitionDiscovery discovery;
  private final boolean estimateCounts;
  private final boolean checkBucketValues;
  private final RowSettings rows;
  private final Lazy<TableShape> shape = new Lazy<>(this::resolve);

  private TableSelector(Builder b, CqlSession session, TableName table, Map<CqlIdentifier, List<Object>> listed,
      CqlIdentifier bucketColumn, CqlIdentifier assetTypeColumn, RowSettings rows) {
    this.session = session;
    this.table = table;
    this.listed = listed;
    this.listedTexts = b.checkedTexts(listed.keySet());
    this.bucketColumn = bucketColumn;
    this.timeColumn = b.timeColumn == null ? null : Identifiers.parse("timeColumn", b.timeColumn);
    this.idColumn = Identifiers.parse("idColumn", b.idColumn);
    this.assetTypeColumn = assetTypeColumn;
    this.from = b.from;
    this.to = b.to;
    this.bucketing = b.bucketing;
    this.reversed = b.reversed;
    if (b.discovery == null) {
      throw new IllegalArgumentException("partitionDiscovery is null: it must be NONE, PROBE or SCAN_DISTINCT");
    }
    this.discovery = b.discovery;
    this.estimateCounts = b.estimateCounts;
    this.checkBucketValues = b.checkBucketValues;
    this.rows = rows;
  }

  /**
   * A builder over the host's session.
   *
   * @param session the host's session; never closed by the selector
   */
  public static Builder builder(CqlSession session) {
    return new Builder(session);
  }

  /**
   * One shard per combination of partition-key values (see the class comment); with a {@link
   * Builder#partitionDiscovery partition discovery}, only those whose partition holds a row.
   *
   * @throws IllegalArgumentException if the configuration does not match the table, or there are
   *     more than {@value #MAX_SHARDS} shards
   */
  @Override
  public List<Shard> shards() {
    TableShape s = shape.get();
    return PartitionDiscoverer.forTable(session, table, s.rows())
        .keepExisting(discovery, s.partitions().shards(MAX_SHARDS), s.partitions()::valuesOf);
  }

  /**
   * Opens a paginator over one shard.
   *
   * @param from a previous page's cursor; {@code null} to start the shard
   * @throws IllegalArgumentException if {@code pageSize} is below 1, the shard is not one of this
   *     selector's, or the cursor is not a cursor of this selector's shape
   */
  @Override
  public Paginator open(Shard shard, Cursor from, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize is " + pageSize + ": it must be at least 1");
    }
    Objects.requireNonNull(shard, "shard");
    TableShape s = shape.get();
    Object[] partition = s.partitions().valuesOf(shard);
    Object[] resumeAfter = from == null ? null : s.cursors().decode(from, shard.id());
    Function<Row, AssetRef> toAsset = row -> s.asset(row, shard.assetType());
    return new TablePaginator(session, s.keyset(), s.cursors(), shard.id(), partition, s.lower(), s.upper(),
        resumeAfter, pageSize, s.rows(), toAsset);
  }

  /**
   * With {@link Builder#estimateCounts(boolean) estimateCounts(true)}, the number of rows of the
   * shard's partition in the window ({@code SELECT count(*)}, which reads the partition; the row
   * filter is not applied); empty otherwise, or if counting fails.
   */
  @Override
  public OptionalLong estimateCount(Shard shard) {
    if (!estimateCounts) {
      return OptionalLong.empty();
    }
    TableShape s = shape.get();
    Object[] partition = s.partitions().valuesOf(shard);
    try {
      Row row = session.execute(rows.apply(s.keyset().count(partition, s.lower(), s.upper()), 5000)).one();
      return row == null ? OptionalLong.empty() : OptionalLong.of(row.getLong(0));
    } catch (RuntimeException e) {
      LOG.debug("{}: counting shard {} failed, no estimate: {}", describe(), shard.id(), e.toString());
      return OptionalLong.empty();
    }
  }

  /**
   * {@code kind=cassandra-table}, the table, the listed partition values, the bucket, time, id and
   * asset-type columns, the window, the bucketing, the direction and the selected columns: a run
   * whose definition differs from the stored one refuses to resume (see the job's {@code
   * acceptChangedSelection}).
   */
  @Override
  public String selectionDefinition() {
    Map<String, Object> d = new java.util.HashMap<>();
    d.put("kind", "cassandra-table");
    d.put("table", table.cql());
    Map<String, Object> values = new java.util.TreeMap<>();
    listed.forEach((column, list) -> values.put(column.asCql(true), list));
    listedTexts.forEach((column, list) -> values.put(column.asCql(true), list));
    d.put("partitionValues", values);
    d.put("bucketColumn", bucketColumn == null ? "none" : bucketColumn.asCql(true));
    d.put("timeColumn", timeColumn == null ? "none" : timeColumn.asCql(true));
    d.put("idColumn", idColumn.asCql(true));
    d.put("assetTypeColumn", assetTypeColumn == null ? "none" : assetTypeColumn.asCql(true));
    d.put("window", "[" + from + ", " + to + ")");
    d.put("bucketing", bucketing == null ? "none" : bucketing);
    d.put("reversed", reversed);
    d.put("selectColumns", rows.extraColumns().stream().map(c -> c.asCql(true)).toList());
    d.put("rowFilter", rows.filter() != null);
    return dev.reprocess.SelectionDefinition.of(d);
  }

  /** E.g. {@code cassandra table media.items_by_day (tenant x day, daily, table order)}. */
  @Override
  public String describe() {
    return "cassandra table " + table.cql() + " (" + String.join(" x ", partitionNames()) + ", "
        + (bucketColumn == null ? "no bucket" : bucketing) + (from == null ? "" : ", " + from + " to " + to) + ", "
        + (reversed ? "reversed order" : "table order") + ")";
  }

  private List<String> partitionNames() {
    List<String> names = new ArrayList<>();
    listed.keySet().forEach(c -> names.add(c.asCql(true)));
    listedTexts.keySet().forEach(c -> names.add(c.asCql(true)));
    if (bucketColumn != null) {
      names.add(bucketColumn.asCql(true));
    }
    return names;
  }

  private TableShape resolve() {
    TableMetadata t = SchemaCheck.table(session, "table", table);
    SchemaCheck.columns(t, "selectColumns", rows.extraColumns());
    PartitionValues partitions = TableShape.partitions(t, typedListed(t), bucketColumn, assetTypeColumn,
        column -> bucketValues(t, column));
    List<ColumnMetadata> clustering = TableShape.clustering(t);
    ColumnMetadata id = SchemaCheck.column(t, "idColumn", idColumn);
    if (!ID_TYPES.contains(id.getType()) || !(t.getPrimaryKey().contains(id))) {
      throw new IllegalArgumentException("idColumn is '" + idColumn.asCql(true) + "': the column is a "
          + SchemaCheck.typeOf(id) + (t.getPrimaryKey().contains(id) ? "" : " non-key") + " column, it must be a"
          + " clustering or partition-key column of type timeuuid, uuid, text, ascii, bigint or int");
    }
    ColumnMetadata time = timeColumn == null ? null : TableShape.timeColumn(t, timeColumn, clustering);
    if (time != null && from == null) {
      throw new IllegalArgumentException("window is not set: timeColumn '" + timeColumn.asCql(true)
          + "' bounds the rows by the window, so the window must be set");
    }
    boolean[] ascending = new boolean[clustering.size()];
    for (int i = 0; i < ascending.length; i++) {
      ascending[i] = (t.getClusteringColumns().get(clustering.get(i)) == ClusteringOrder.ASC) != reversed;
    }
    List<CqlIdentifier> selected = TableShape.selectList(clustering, id, time);
    RowSettings rowSettings = new RowSettings(rows.extraColumns(), selected.size(), rows.filter(), rows.statementOptions());
    String head = TableShape.head(table, selected, rows.selectSuffix(), t.getPartitionKey());
    List<CqlIdentifier> names = clustering.stream().map(ColumnMetadata::getName).toList();
    KeyCursor cursors = new KeyCursor("table " + table.cql() + " " + TableShape.describe(clustering, ascending),
        clustering.stream().map(ColumnMetadata::getType).toList());
    ClusteringKeyset keyset = StatementPreparation.prepare(describe(),
        () -> new ClusteringKeyset(session, head, names, ascending, reversed, time != null,
            estimateCounts ? TableShape.countHead(table, t.getPartitionKey()) : null));
    Object lower = time == null ? null : TableShape.bound(time, from);
    Object upper = time == null ? null : TableShape.bound(time, to);
    return new TableShape(partitions, keyset, cursors, lower, upper, selected.indexOf(id.getName()),
        id.getType(), time == null ? -1 : selected.indexOf(time.getName()), rowSettings);
  }

  /** The listed values, with those given as text read by their column's type. */
  private Map<CqlIdentifier, List<Object>> typedListed(TableMetadata t) {
    if (listedTexts.isEmpty()) {
      return listed;
    }
    Map<CqlIdentifier, List<Object>> all = new LinkedHashMap<>(listed);
    listedTexts.forEach((column, texts) -> {
      ColumnMetadata meta = SchemaCheck.column(t, "partitionValueTexts", column);
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        values.add(KeyText.parse("partitionValueTexts[" + i + "] of " + column.asCql(true), column, meta.getType(),
            texts.get(i)));
      }
      all.put(column, values);
    });
    return all;
  }

  private List<Object> bucketValues(TableMetadata t, ColumnMetadata column) {
    BucketType type = BucketType.of(column.getType()).orElseThrow(() -> new IllegalArgumentException(
        "bucketColumn is '" + bucketColumn.asCql(true) + "': the column is " + SchemaCheck.typeOf(column)
            + ", it must be text, date, int, bigint or timestamp"));
    if (from == null) {
      throw new IllegalArgumentException("window is not set: the bucket column '" + bucketColumn.asCql(true)
          + "' takes its values from the window, so the window must be set");
    }
    bucketing.checkCompatible(type);
    if (checkBucketValues) {
      List<CqlIdentifier> key = t.getPartitionKey().stream().map(ColumnMetadata::getName).toList();
      BucketSampleCheck.check(session, table, key, bucketColumn, type, bucketing, from);
    }
    return bucketing.valuesIn(from, to, type, MAX_SHARDS);
  }

  /**
   * Builds a {@link TableSelector}. Mutable and not thread-safe; {@link #build()} validates every
   * option without I/O. Names are CQL identifiers: unquoted (case-insensitive) or double-quoted
   * (case-sensitive).
   */
  public static final class Builder extends CassandraSelectorBuilder<Builder> {
    private final Map<String, List<Object>> partitionValues = new LinkedHashMap<>();
    private final Map<String, List<String>> partitionValueTexts = new LinkedHashMap<>();
    private String bucketColumn;
    private String timeColumn;
    private String idColumn = "asset_id";
    private String assetTypeColumn;
    private Instant from;
    private Instant to;
    private Bucketing bucketing = Bucketing.daily();
    private boolean bucketingSet;
    private boolean reversed;
    private PartitionDiscovery discovery = PartitionDiscovery.NONE;
    private boolean estimateCounts;
    private boolean checkBucketValues = true;

    private Builder(CqlSession session) {
      super(session);
    }

    /**
     * The values of one partition-key column, read in this order (e.g. tenants, asset types, shard
     * numbers {@code 0..N-1}); each must be of the column's Java type ({@code String} for text,
     * {@code Integer} for int, {@code Long} for bigint, {@code UUID}, {@code LocalDate}...). Every
     * partition-key column but the bucket column must be given values. Replaces earlier values of
     * the same column.
     */
    public Builder partitionValues(String column, Object... values) {
      return partitionValues(column, Arrays.asList(values));
    }

    /** The values of one partition-key column; see {@link #partitionValues(String, Object...)}. */
    public Builder partitionValues(String column, Collection<?> values) {
      partitionValues.put(column, values == null ? null : new ArrayList<>(values));
      return this;
    }

    /**
     * The values of one partition-key column in text form, read by {@link TableSelector#shards()}
     * as the column's type ({@code 42}, {@code 2026-12-01}, {@code 2026-12-01T00:00:00Z}, a uuid;
     * the forms {@link AssetLoader} reads), for values that come from configuration. Otherwise as
     * {@link #partitionValues(String, Collection)}; a column has either values or texts. Replaces
     * earlier texts of the same column.
     */
    public Builder partitionValueTexts(String column, Collection<String> values) {
      partitionValueTexts.put(column, values == null ? null : new ArrayList<>(values));
      return this;
    }

    /** The text values, checked like the listed values; none may name a column that has values. */
    private Map<CqlIdentifier, List<String>> checkedTexts(Set<CqlIdentifier> listed) {
      Map<CqlIdentifier, List<String>> texts = new LinkedHashMap<>();
      for (Map.Entry<String, List<String>> e : partitionValueTexts.entrySet()) {
        CqlIdentifier c = Identifiers.parse("partitionValueTexts", e.getKey());
        List<String> values = e.getValue();
        if (values == null || values.isEmpty() || values.contains(null) || Set.copyOf(values).size() != values.size()) {
          throw new IllegalArgumentException("partitionValueTexts of " + c.asCql(true) + " is " + values + ": it"
              + " must list at least one value, each once, none null");
        }
        if (listed.contains(c) || c.equals(bucketColumn == null ? null : Identifiers.parse("bucketColumn", bucketColumn))) {
          throw new IllegalArgumentException("partitionValueTexts of " + c.asCql(true) + " is " + values + ": the"
              + " column also has partitionValues or is the bucketColumn, a column is given values once");
        }
        texts.put(c, List.copyOf(values));
      }
      return texts;
    }

    /**
     * The partition-key column whose values are the window's buckets ({@link #bucketing}); of type
     * text, date, int, bigint or timestamp. Default none: the partitions are the listed values.
     */
    public Builder bucketColumn(String column) {
      this.bucketColumn = column;
      return this;
    }

    /**
     * How the window maps to bucket values. Default {@link Bucketing#daily()}. Setting it without a
     * {@link #bucketColumn} is refused by {@link #build()} (it would have no effect).
     */
    public Builder bucketing(Bucketing bucketing) {
      this.bucketing = bucketing;
      this.bucketingSet = true;
      return this;
    }

    /**
     * The time window {@code [from, to)}: it chooses the buckets, and bounds the {@link
     * #timeColumn} exactly. Required with a bucket or time column, and refused by {@link #build()}
     * without either (it would have no effect); {@code from} before {@code to}.
     */
    public Builder window(Instant from, Instant to) {
      this.from = from;
      this.to = to;
      return this;
    }

    /**
     * The first clustering column, of type timestamp or timeuuid, bounded by the window to the
     * millisecond and used as the creation time. Default none.
     */
    public Builder timeColumn(String column) {
      this.timeColumn = column;
      return this;
    }

    /** The id column: a clustering or partition-key column (see the class comment). Default {@code asset_id}. */
    public Builder idColumn(String column) {
      this.idColumn = column;
      return this;
    }

    /** A listed text partition-key column whose value is the asset type of the shard's assets. Default none. */
    public Builder assetTypeColumn(String column) {
      this.assetTypeColumn = column;
      return this;
    }

    /**
     * Whether every clustering column is read in the reverse of the table's clustering order (e.g.
     * oldest first on a table clustered {@code DESC} by time). Default false: the table's order.
     */
    public Builder reversed(boolean reversed) {
      this.reversed = reversed;
      return this;
    }

    /**
     * How {@link TableSelector#shards()} leaves out the partitions that hold no row, for sparse
     * windows (see {@link PartitionDiscovery}). Not part of the selection's definition: it changes
     * no selected asset. Default {@link PartitionDiscovery#NONE}; null is refused by {@link #build()}.
     */
    public Builder partitionDiscovery(PartitionDiscovery discovery) {
      this.discovery = discovery;
      return this;
    }

    /**
     * As {@link TimeBucketSelector.Builder#estimateCounts}: whether {@link
     * TableSelector#estimateCount} counts each shard's rows in the window. Default false.
     */
    public Builder estimateCounts(boolean estimateCounts) {
      this.estimateCounts = estimateCounts;
      return this;
    }

    /**
     * As {@link TimeBucketSelector.Builder#checkBucketValues}, with a {@link #bucketColumn}:
     * {@link TableSelector#shards()} samples 50 partition keys and refuses a bucketing that
     * produces none of their bucket-column values. Default true.
     */
    public Builder checkBucketValues(boolean checkBucketValues) {
      this.checkBucketValues = checkBucketValues;
      return this;
    }

    /**
     * The selector. No I/O: the options are checked against the schema by {@link
     * TableSelector#shards()}.
     *
     * @throws IllegalArgumentException naming the option, the value and the rule
     */
    public TableSelector build() {
      CqlSession session = checkedSession();
      TableName tableName = checkedTable("the table, e.g. 'media.items_by_day'");
      Map<CqlIdentifier, List<Object>> listed = new LinkedHashMap<>();
      for (Map.Entry<String, List<Object>> e : partitionValues.entrySet()) {
        CqlIdentifier c = Identifiers.parse("partitionValues", e.getKey());
        if (e.getValue() == null || e.getValue().isEmpty()) {
          throw new IllegalArgumentException("partitionValues of " + c.asCql(true) + " is empty: it must list"
              + " at least one value");
        }
        if (e.getValue().stream().distinct().count() != e.getValue().size()) {
          throw new IllegalArgumentException("partitionValues of " + c.asCql(true) + " lists a value twice: each"
              + " partition must be read once");
        }
        listed.put(c, List.copyOf(e.getValue()));
      }
      if (from != null || to != null) {
        if (from == null || to == null || !from.isBefore(to)) {
          throw new IllegalArgumentException("window is [" + from + ", " + to + "): both must be set and from"
              + " must be before to");
        }
      }
      if (bucketing == null) {
        throw new IllegalArgumentException("bucketing is null: it must be a Bucketing, e.g. Bucketing.daily()");
      }
      CqlIdentifier bucket = bucketColumn == null ? null : Identifiers.parse("bucketColumn", bucketColumn);
      checkHasEffect();
      if (bucket != null && listed.containsKey(bucket)) {
        throw new IllegalArgumentException("bucketColumn is '" + bucketColumn + "': it also has partitionValues,"
            + " a partition-key column is either listed or the bucket column");
      }
      CqlIdentifier type = assetTypeColumn == null ? null : Identifiers.parse("assetTypeColumn", assetTypeColumn);
      if (type != null && !listed.containsKey(type) && partitionValueTexts.keySet().stream()
          .map(k -> Identifiers.parse("partitionValueTexts", k)).noneMatch(type::equals)) {
        throw new IllegalArgumentException("assetTypeColumn is '" + assetTypeColumn + "': it must be a column"
            + " given partitionValues");
      }
      return new TableSelector(this, session, tableName, listed, bucket, type, checkedRowSettings(0));
    }

    /** A window or a bucketing that would change nothing is a mistake: refused, naming the option. */
    private void checkHasEffect() {
      if (from != null && bucketColumn == null && timeColumn == null) {
        throw new IllegalArgumentException("window is [" + from + ", " + to + "): it has no effect without a"
            + " bucketColumn (whose values it chooses) or a timeColumn (which it bounds); set one of them, or"
            + " drop the window to read every row of the listed partitions");
      }
      if (bucketingSet && bucketColumn == null) {
        throw new IllegalArgumentException("bucketing is " + bucketing + ": it has no effect without a bucketColumn"
            + " (it turns the window into the bucket column's values); set bucketColumn or drop the bucketing");
      }
    }
  }
}
