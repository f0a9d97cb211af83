package dev.reprocess.cassandra;

import dev.reprocess.SelectionDefinition;
import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.schema.ClusteringOrder;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataTypes;
import dev.reprocess.AssetSelector;
import dev.reprocess.Cursor;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.internal.BucketSampleCheck;
import dev.reprocess.cassandra.internal.Identifiers;
import dev.reprocess.cassandra.internal.Lazy;
import dev.reprocess.cassandra.internal.PartitionDiscoverer;
import dev.reprocess.cassandra.internal.RowSettings;
import dev.reprocess.cassandra.internal.SchemaCheck;
import dev.reprocess.cassandra.internal.StatementPreparation;
import dev.reprocess.cassandra.internal.TableName;
import dev.reprocess.cassandra.internal.TimeBucketPaginator;
import dev.reprocess.cassandra.internal.Timeuuids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Selects the assets of some asset types created in a time window, from a table partitioned by
 * {@code (asset type, time bucket)} and clustered by a timeuuid asset id: the layout service
 * teams use precisely so they can page through their assets. The reference layout, which the
 * defaults name:
 *
 * <pre>{@code
 * CREATE TABLE assets_by_type_bucket (
 *   asset_type text, bucket <text|date|int|bigint|timestamp>, asset_id timeuuid,
 *   PRIMARY KEY ((asset_type, bucket), asset_id)
 * ) WITH CLUSTERING ORDER BY (asset_id DESC)
 * }</pre>
 *
 * <p>A host's own table works the same with its own names: the partition key must be exactly the
 * asset-type and bucket columns, and the timeuuid id column must be the only clustering column.
 *
 * <pre>{@code
 * AssetSelector selector = TimeBucketSelector.builder(session)
 *     .table("media.assets_by_type_bucket")
 *     .assetTypes("image/png", "image/jpeg")
 *     .window(Instant.parse("2024-06-01T00:00:00Z"), Instant.parse("2024-08-01T00:00:00Z"))
 *     .bucketing(Bucketing.daily())
 *     .newestFirst()
 *     .build();
 * }</pre>
 *
 * <p><b>Shards.</b> Every {@code (asset type, bucket)} pair of the window is a shard, with id
 * {@code <asset type>#<bucket>} (e.g. {@code image/png#2024-06-01}) and properties {@value
 * #PROPERTY_ASSET_TYPE}, {@value #PROPERTY_BUCKET} (the bucket's string form, see {@link
 * BucketType}) and, for the first and last bucket of the window, {@value #PROPERTY_FROM} / {@value
 * #PROPERTY_TO} (ISO-8601 instants), so that a shard can be read on another host. Shards come
 * newest bucket first (or oldest first), and inside a bucket in the order of the asset types.
 *
 * <p><b>Pages.</b> Keyset pagination over the id, one partition at a time: the first query is
 * {@code SELECT asset_id FROM t WHERE asset_type = ? AND bucket = ? AND asset_id >= ? AND
 * asset_id < ?}, where the bounds are {@code minTimeuuid(from)} and {@code minTimeuuid(to)} for
 * the window's edge buckets (so the window is exact, at the millisecond precision of a timeuuid);
 * a bucket inside the window is read whole, {@code WHERE asset_type = ? AND bucket = ?} with no
 * bound on the id (a partition with only static content holds no asset); resuming adds {@code
 * asset_id < last} (newest first) or {@code asset_id > last} (oldest first) with the last id
 * handed out. Within one query the driver pages ({@code
 * setPageSize}) and the next page is requested while the current one is handled, which hides a
 * network round trip per page (measured in the module's README). The cursor is the last id of the
 * page (a timeuuid string); each {@link dev.reprocess.AssetRef} carries the id, the shard's asset type
 * and the id's timestamp as its creation time.
 *
 * <p><b>Statements</b> are prepared once per selector, on the first {@link #shards()} or {@link
 * #open}; names are validated and quoted, values always bound, so an asset type with quotes or CQL
 * in it is only a value.
 *
 * <p><b>Errors.</b> {@link Builder#build()} checks the options without I/O; {@link #shards()} checks them
 * against the session's schema (the table and columns exist, the id is a timeuuid clustering
 * column, the bucket column's type matches) and throws an {@link IllegalArgumentException} naming
 * the option, the value and the rule before anything is read. Read failures are {@link
 * dev.reprocess.RetriableException}s when transient (timeouts, unavailable replicas), {@link
 * dev.reprocess.ReprocessException}s otherwise.
 *
 * <p><b>Selection guarantee.</b> Every asset whose row exists in the window when the job starts and
 * still exists when it ends is selected at least once, whatever production writes meanwhile and
 * however often the job is stopped and resumed: rows are read live, in clustering order, and a
 * row's key is its position, which no write changes. A row rewritten (an upsert under the same key)
 * during the job is selected once; a page in flight when the job stops is delivered again when it
 * resumes. A row deleted and re-inserted under the same key counts as deleted, then created. A row
 * created during the job is selected if its {@code (asset type, bucket)} partition has not been
 * read past its id yet (a bucket not started, or ahead of the position in the bucket being read);
 * not if its bucket was already read. A row deleted during the job is selected if it was read
 * before the deletion.
 *
 * <p>Immutable and thread-safe. The session is the host's: it is never closed here.
 */
public final class TimeBucketSelector implements AssetSelector {
  /** Shard property: the asset type. */
  public static final String PROPERTY_ASSET_TYPE = "assetType";
  /** Shard property: the bucket value, in its string form ({@link BucketType#format}). */
  public static final String PROPERTY_BUCKET = "bucket";
  /** Shard property of the window's oldest bucket: the window's start, ISO-8601. */
  public static final String PROPERTY_FROM = "from";
  /** Shard property of the window's newest bucket: the window's end (exclusive), ISO-8601. */
  public static final String PROPERTY_TO = "to";
  /** The most shards one selection may have. */
  public static final int MAX_SHARDS = 1_000_000;

  private static final Logger LOG = LoggerFactory.getLogger(TimeBucketSelector.class);

  private final CqlSession session;
  private final TableName table;
  private final CqlIdentifier typeColumn;
  private final CqlIdentifier bucketColumn;
  private final CqlIdentifier idColumn;
  private final BucketType declaredBucketType;
  private final ClusteringOrder declaredClusteringOrder;
  private final List<String> assetTypes;
  private final Instant from;
  private final Instant to;
  private final Bucketing bucketing;
  private final ReadOrder order;
  private final boolean estimateCounts;
  private final boolean checkBucketValues;
  private final PartitionDiscovery discovery;
  private final RowSettings rows;
  private final Lazy<Prepared> prepared = new Lazy<>(this::resolve);

  private TimeBucketSelector(Builder b, CqlSession session, TableName table, RowSettings rows) {
    this.session = session;
    this.table = table;
    this.typeColumn = Identifiers.parse("assetTypeColumn", b.assetTypeColumn);
    this.bucketColumn = Identifiers.parse("bucketColumn", b.bucketColumn);
    this.idColumn = Identifiers.parse("idColumn", b.idColumn);
    this.declaredBucketType = b.bucketType;
    this.declaredClusteringOrder = b.clusteringOrder;
    this.assetTypes = List.copyOf(b.assetTypes);
    this.from = b.from;
    this.to = b.to;
    this.bucketing = b.bucketing;
    this.order = b.order;
    this.estimateCounts = b.estimateCounts;
    this.checkBucketValues = b.checkBucketValues;
    this.discovery = b.discovery;
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
   * Every {@code (asset type, bucket)} of the window, in reading order; with a {@link
   * Builder#partitionDiscovery partition discovery}, only those whose partition holds a row.
   *
   * @throws IllegalArgumentException if the configuration does not match the table (see the class comment)
   */
  @Override
  public List<Shard> shards() {
    Prepared p = prepare();
    List<Object> buckets = bucketing.valuesIn(from, to, p.bucketType, MAX_SHARDS / assetTypes.size());
    int oldest = 0;
    int newest = buckets.size() - 1;
    List<Shard> shards = new ArrayList<>(buckets.size() * assetTypes.size());
    for (int k = 0; k < buckets.size(); k++) {
      int i = order == ReadOrder.NEWEST_FIRST ? newest - k : k;
      String bucket = p.bucketType.format(buckets.get(i));
      for (String type : assetTypes) {
        Map<String, String> properties = new HashMap<>();
        properties.put(PROPERTY_ASSET_TYPE, type);
        properties.put(PROPERTY_BUCKET, bucket);
        if (i == oldest) {
          properties.put(PROPERTY_FROM, from.toString());
        }
        if (i == newest) {
          properties.put(PROPERTY_TO, to.toString());
        }
        shards.add(new Shard(type + "#" + bucket, type, properties));
      }
    }
    LOG.debug("{}: {} shards ({} asset types x {} buckets)", describe(), shards.size(), assetTypes.size(), buckets.size());
    return p.discoverer.keepExisting(discovery, shards, shard -> {
      Bounds b = bounds(shard, p);
      return p.typeFirst ? new Object[] {b.assetType, b.bucket} : new Object[] {b.bucket, b.assetType};
    });
  }

  /**
   * Opens a paginator over one shard.
   *
   * @param from the last id handed out, as a previous page's cursor; {@code null} to start the shard
   * @throws IllegalArgumentException if {@code pageSize} is below 1, the shard is not one of this
   *     kind of selector, or the cursor is not a timeuuid
   */
  @Override
  public Paginator open(Shard shard, Cursor from, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize is " + pageSize + ": it must be at least 1");
    }
    Objects.requireNonNull(shard, "shard");
    Prepared p = prepare();
    Bounds bounds = bounds(shard, p);
    UUID resumeAfter = null;
    if (from != null) {
      resumeAfter = Timeuuids.parse(from.value());
      if (resumeAfter == null) {
        throw new IllegalArgumentException(
            "cursor is '" + from.value() + "' for shard " + shard.id()
                + ": it must be a timeuuid, the last id a time-bucket selector handed out");
      }
    }
    return new TimeBucketPaginator(
        session,
        p.wholePartition,
        p.fromInclusive,
        p.afterExclusive,
        order == ReadOrder.NEWEST_FIRST,
        shard.id(),
        bounds.assetType,
        bounds.bucket,
        bounds.lower,
        bounds.upper,
        resumeAfter,
        pageSize,
        rows);
  }

  /**
   * With {@link Builder#estimateCounts(boolean) estimateCounts(true)}, the number of rows of the
   * shard in the window ({@code SELECT count(*)}, which reads the partition); empty otherwise, or
   * if counting fails.
   */
  @Override
  public OptionalLong estimateCount(Shard shard) {
    if (!estimateCounts) {
      return OptionalLong.empty();
    }
    Prepared p = prepare();
    Bounds b = bounds(shard, p);
    try {
      Row row = session.execute(rows.apply(p.count.bind(b.assetType, b.bucket, b.lower, b.upper), 5000)).one();
      return row == null ? OptionalLong.empty() : OptionalLong.of(row.getLong(0));
    } catch (RuntimeException e) {
      LOG.debug("{}: counting shard {} failed, no estimate: {}", describe(), shard.id(), e.toString());
      return OptionalLong.empty();
    }
  }

  /** E.g. {@code cassandra time buckets media.assets_by_type_bucket (2 asset types, daily, newest first)}. */
  @Override
  public String describe() {
    return "cassandra time buckets " + table.cql() + " (" + assetTypes.size() + " asset types, " + bucketing + ", "
        + from + " to " + to + ", " + (order == ReadOrder.NEWEST_FIRST ? "newest first" : "oldest first") + ")";
  }

  /**
   * The selection's definition: table, type, bucket and id columns, declared bucket type and
   * clustering order, asset types (in order), window, bucketing, read order, extra columns and
   * whether a row filter is set (a filter's code cannot be compared).
   */
  @Override
  public String selectionDefinition() {
    Map<String, Object> d = new HashMap<>();
    d.put("kind", "cassandra-time-buckets");
    d.put("table", table.cql());
    d.put("columns", typeColumn.asCql(true) + "," + bucketColumn.asCql(true) + "," + idColumn.asCql(true));
    d.put("bucketType", declaredBucketType);
    d.put("clusteringOrder", declaredClusteringOrder);
    d.put("assetTypes", String.join(",", assetTypes));
    d.put("window", "[" + from + ", " + to + ")");
    d.put("bucketing", bucketing);
    d.put("order", order);
    d.put("selectColumns", rows.extraColumns().stream().map(c -> c.asCql(true)).toList());
    d.put("rowFilter", rows.filter() != null);
    return SelectionDefinition.of(d);
  }

  private Bounds bounds(Shard shard, Prepared p) {
    String type = shard.properties().get(PROPERTY_ASSET_TYPE);
    String bucket = shard.properties().get(PROPERTY_BUCKET);
    if (type == null || bucket == null) {
      throw new IllegalArgumentException(
          "shard is '" + shard.id() + "': it has no '" + PROPERTY_ASSET_TYPE + "' and '" + PROPERTY_BUCKET
              + "' properties, so a time-bucket selector did not make it");
    }
    String lowerProperty = shard.properties().get(PROPERTY_FROM);
    String upperProperty = shard.properties().get(PROPERTY_TO);
    try {
      UUID lower = lowerProperty == null ? Timeuuids.MIN : Timeuuids.lowerBound(Instant.parse(lowerProperty));
      UUID upper = upperProperty == null ? Timeuuids.MAX : Timeuuids.lowerBound(Instant.parse(upperProperty));
      return new Bounds(type, p.bucketType.parse(bucket), lower, upper);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("shard is '" + shard.id() + "': its properties are not a time-bucket shard's: "
          + e.getMessage(), e);
    }
  }

  private Prepared prepare() {
    return prepared.get();
  }

  private Prepared resolve() {
    TableMetadata t = SchemaCheck.table(session, "table", table);
    String tableName = table.cql();
    ColumnMetadata type = SchemaCheck.column(t, "assetTypeColumn", typeColumn);
    SchemaCheck.textColumn(type, "assetTypeColumn");
    ColumnMetadata bucket = SchemaCheck.column(t, "bucketColumn", bucketColumn);
    ColumnMetadata id = SchemaCheck.column(t, "idColumn", idColumn);
    SchemaCheck.columns(t, "selectColumns", rows.extraColumns());
    List<ColumnMetadata> partitionKey = t.getPartitionKey();
    if (partitionKey.size() != 2
        || !partitionKey.stream().map(ColumnMetadata::getName).toList().containsAll(List.of(typeColumn, bucketColumn))) {
      throw new IllegalArgumentException(
          "table is '" + tableName + "': its partition key is (" + SchemaCheck.names(partitionKey)
              + "), it must be exactly the asset type and bucket columns (" + typeColumn.asCql(true) + ", "
              + bucketColumn.asCql(true) + ")");
    }
    if (!id.getType().equals(DataTypes.TIMEUUID)) {
      throw new IllegalArgumentException(
          "idColumn is '" + idColumn.asCql(true) + "': the column is " + SchemaCheck.typeOf(id)
              + ", it must be a timeuuid clustering column");
    }
    Map<ColumnMetadata, ClusteringOrder> clustering = t.getClusteringColumns();
    if (clustering.size() != 1 || !clustering.containsKey(id)) {
      throw new IllegalArgumentException(
          "idColumn is '" + idColumn.asCql(true) + "': table " + tableName + " has clustering columns ("
              + SchemaCheck.names(clustering.keySet())
              + "), the id must be its only clustering column, since pages resume after the last id");
    }
    ClusteringOrder actualOrder = clustering.get(id);
    if (declaredClusteringOrder != null && declaredClusteringOrder != actualOrder) {
      throw new IllegalArgumentException(
          "clusteringOrder is " + declaredClusteringOrder + ": table " + tableName + " clusters "
              + idColumn.asCql(true) + " " + actualOrder + ", they must match");
    }
    BucketType actual = BucketType.of(bucket.getType()).orElseThrow(() -> new IllegalArgumentException(
        "bucketColumn is '" + bucketColumn.asCql(true) + "': the column is " + SchemaCheck.typeOf(bucket)
            + ", it must be text, date, int, bigint or timestamp"));
    if (declaredBucketType != null && declaredBucketType != actual) {
      throw new IllegalArgumentException(
          "bucketType is " + declaredBucketType.cql() + ": column " + bucketColumn.asCql(true) + " of " + tableName
              + " is " + SchemaCheck.typeOf(bucket) + ", they must match");
    }
    bucketing.checkCompatible(actual);
    if (checkBucketValues) {
      BucketSampleCheck.check(session, table, typeColumn, bucketColumn, actual, bucketing, from);
    }

    String idCql = idColumn.asCql(true);
    String partition = "SELECT " + idCql + rows.selectSuffix() + " FROM " + tableName + " WHERE "
        + typeColumn.asCql(true) + " = ? AND " + bucketColumn.asCql(true) + " = ?";
    String orderBy = " ORDER BY " + idCql + (order == ReadOrder.NEWEST_FIRST ? " DESC" : " ASC");
    return StatementPreparation.prepare(describe(), () -> {
      PreparedStatement wholePartition = session.prepare(partition + orderBy);
      PreparedStatement fromInclusive =
          session.prepare(partition + " AND " + idCql + " >= ? AND " + idCql + " < ?" + orderBy);
      PreparedStatement afterExclusive = order == ReadOrder.OLDEST_FIRST
          ? session.prepare(partition + " AND " + idCql + " > ? AND " + idCql + " < ?" + orderBy)
          : null;
      PreparedStatement count = estimateCounts
          ? session.prepare("SELECT count(*) FROM " + tableName + " WHERE " + typeColumn.asCql(true) + " = ? AND "
              + bucketColumn.asCql(true) + " = ? AND " + idCql + " >= ? AND " + idCql + " < ?")
          : null;
      return new Prepared(actual, wholePartition, fromInclusive, afterExclusive, count,
          partitionKey.get(0).getName().equals(typeColumn), new PartitionDiscoverer(session, table,
              List.of(partitionKey.get(0).getName(), partitionKey.get(1).getName()), rows));
    });
  }

  private record Prepared(BucketType bucketType, PreparedStatement wholePartition, PreparedStatement fromInclusive,
      PreparedStatement afterExclusive, PreparedStatement count, boolean typeFirst, PartitionDiscoverer discoverer) {}

  private record Bounds(String assetType, Object bucket, UUID lower, UUID upper) {}

  /**
   * Builds a {@link TimeBucketSelector}. Mutable and not thread-safe; {@link #build()} validates
   * every option without I/O. Names are CQL identifiers: unquoted (case-insensitive) or
   * double-quoted (case-sensitive).
   */
  public static final class Builder extends CassandraSelectorBuilder<Builder> {
    private String assetTypeColumn = "asset_type";
    private String bucketColumn = "bucket";
    private String idColumn = "asset_id";
    private BucketType bucketType;
    private ClusteringOrder clusteringOrder;
    private final List<String> assetTypes = new ArrayList<>();
    private Instant from;
    private Instant to;
    private Bucketing bucketing = Bucketing.daily();
    private ReadOrder order = ReadOrder.NEWEST_FIRST;
    private boolean estimateCounts;
    private boolean checkBucketValues = true;
    private PartitionDiscovery discovery = PartitionDiscovery.NONE;

    private Builder(CqlSession session) {
      super(session);
    }

    /** The asset-type column, a text partition key column. Default {@code asset_type}. */
    public Builder assetTypeColumn(String column) {
      this.assetTypeColumn = column;
      return this;
    }

    /** The bucket column, the other partition key column. Default {@code bucket}. */
    public Builder bucketColumn(String column) {
      this.bucketColumn = column;
      return this;
    }

    /**
     * The bucket column's CQL type. Optional: by default it is read from the schema; when given, it
     * must match the schema.
     */
    public Builder bucketType(BucketType type) {
      this.bucketType = type;
      return this;
    }

    /** The timeuuid clustering column holding the asset id. Default {@code asset_id}. */
    public Builder idColumn(String column) {
      this.idColumn = column;
      return this;
    }

    /**
     * The id column's clustering order. Optional: by default it is read from the schema; when
     * given, it must match the schema. Either order can be read newest or oldest first.
     */
    public Builder clusteringOrder(ClusteringOrder order) {
      this.clusteringOrder = order;
      return this;
    }

    /** The asset types to select, in the order their shards are read within a bucket; adds to earlier calls. Required. */
    public Builder assetTypes(String... types) {
      return assetTypes(Arrays.asList(types));
    }

    /** The asset types to select; adds to earlier calls. Required: at least one, non-blank, no duplicates. */
    public Builder assetTypes(Collection<String> types) {
      assetTypes.addAll(types);
      return this;
    }

    /**
     * The creation-time window: assets created at or after {@code from} and before {@code to}.
     * Required; {@code from} must be before {@code to}.
     */
    public Builder window(Instant from, Instant to) {
      this.from = from;
      this.to = to;
      return this;
    }

    /** How creation times map to bucket values. Default {@link Bucketing#daily()}. */
    public Builder bucketing(Bucketing bucketing) {
      this.bucketing = bucketing;
      return this;
    }

    /** Newest bucket first, ids descending (the default). */
    public Builder newestFirst() {
      return order(ReadOrder.NEWEST_FIRST);
    }

    /** Oldest bucket first, ids ascending. */
    public Builder oldestFirst() {
      return order(ReadOrder.OLDEST_FIRST);
    }

    /** The read order. Default {@link ReadOrder#NEWEST_FIRST}. */
    public Builder order(ReadOrder order) {
      this.order = order;
      return this;
    }

    /**
     * Whether {@link TimeBucketSelector#estimateCount} counts each shard's rows with {@code
     * SELECT count(*)} for progress and ETA. Counting reads every partition once more. Default
     * false.
     */
    public Builder estimateCounts(boolean estimateCounts) {
      this.estimateCounts = estimateCounts;
      return this;
    }

    /**
     * Whether {@link TimeBucketSelector#shards()} first checks the bucketing against a sample of the
     * table's partitions ({@code SELECT DISTINCT} of 50 partition keys, no row data): when the table
     * holds partitions and none of the sampled bucket values is one the bucketing produces for a time
     * from 1900 to 2200 (an {@code int} column of {@code yyyyMMdd} numbers read with {@code daily()}'s
     * default days-since-epoch encoding), it throws an {@link IllegalArgumentException} naming {@code
     * bucketing}, a sampled value and the likely fix, before anything is read or written. Skipped for
     * a bucketing whose values do not grow with time (a formatter like {@code ddMMyyyy}, most
     * functions). Turn it off when the table legitimately holds only buckets of another bucketing.
     * Default true.
     */
    public Builder checkBucketValues(boolean checkBucketValues) {
      this.checkBucketValues = checkBucketValues;
      return this;
    }

    /**
     * How {@link TimeBucketSelector#shards()} leaves out the {@code (asset type, bucket)} partitions
     * that hold no row, for sparse windows (see {@link PartitionDiscovery}). Not part of the
     * selection's definition: it changes no selected asset. Default {@link PartitionDiscovery#NONE}.
     */
    public Builder partitionDiscovery(PartitionDiscovery discovery) {
      this.discovery = discovery;
      return this;
    }

    /**
     * The selector. No I/O: the options are checked against the schema by {@link
     * TimeBucketSelector#shards()}.
     *
     * @throws IllegalArgumentException naming the option, the value and the rule, if an option is
     *     missing or invalid
     */
    public TimeBucketSelector build() {
      CqlSession session = checkedSession();
      TableName tableName = checkedTable("the table, e.g. 'assets.assets_by_type_bucket'");
      if (assetTypes.isEmpty()) {
        throw new IllegalArgumentException("assetTypes is empty: it must list at least one asset type");
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < assetTypes.size(); i++) {
        String type = assetTypes.get(i);
        if (type == null || type.isBlank()) {
          throw new IllegalArgumentException("assetTypes[" + i + "] is '" + type + "': it must be a non-blank string");
        }
        if (!seen.add(type)) {
          throw new IllegalArgumentException("assetTypes[" + i + "] is '" + type + "': it is listed twice");
        }
      }
      if (from == null || to == null) {
        throw new IllegalArgumentException("window is [" + from + ", " + to + "): both from and to must be set");
      }
      if (!from.isBefore(to)) {
        throw new IllegalArgumentException("window is [" + from + ", " + to + "): from must be before to");
      }
      if (bucketing == null) {
        throw new IllegalArgumentException("bucketing is null: it must be a Bucketing, e.g. Bucketing.daily()");
      }
      if (order == null) {
        throw new IllegalArgumentException("order is null: it must be NEWEST_FIRST or OLDEST_FIRST");
      }
      if (discovery == null) {
        throw new IllegalArgumentException("partitionDiscovery is null: it must be NONE, PROBE or SCAN_DISTINCT");
      }
      RowSettings rows = checkedRowSettings(1);
      if (bucketType != null) {
        bucketing.checkCompatible(bucketType);
      }
      return new TimeBucketSelector(this, session, tableName, rows);
    }
  }
}
