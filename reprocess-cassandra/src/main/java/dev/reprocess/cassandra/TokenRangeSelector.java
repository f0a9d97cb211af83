package dev.reprocess.cassandra;

import dev.reprocess.SelectionDefinition;
import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.metadata.token.Token;
import com.datastax.oss.driver.api.core.metadata.token.TokenRange;
import com.datastax.oss.driver.api.core.type.DataTypes;
import dev.reprocess.AssetSelector;
import dev.reprocess.Cursor;
import dev.reprocess.Paginator;
import dev.reprocess.Shard;
import dev.reprocess.cassandra.internal.Identifiers;
import dev.reprocess.cassandra.internal.Lazy;
import dev.reprocess.cassandra.internal.RowSettings;
import dev.reprocess.cassandra.internal.SchemaCheck;
import dev.reprocess.cassandra.internal.StatementPreparation;
import dev.reprocess.cassandra.internal.TableName;
import dev.reprocess.cassandra.internal.TokenRangeCursor;
import dev.reprocess.cassandra.internal.TokenRangePaginator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Visits every row of a table, for jobs over a table that is not bucketed: a full scan split into
 * token ranges. The ranges come from the driver's token map (the ring's ranges, {@link
 * TokenMap#getTokenRanges()}), each split further with {@link TokenRange#splitEvenly} so that there
 * are {@link Builder#splits(int) splits} of them, and unwrapped where they wrap around the end of
 * the ring ({@link TokenRange#unwrap()}); each range is a shard. This is how Spark's Cassandra
 * connector and the DataStax bulk loader scan a table.
 *
 * <pre>{@code
 * AssetSelector selector = TokenRangeSelector.builder(session)
 *     .table("media.assets")
 *     .idColumn("asset_id")
 *     .assetTypeColumn("asset_type")
 *     .splits(64)
 *     .build();
 * }</pre>
 *
 * <p><b>Shards</b> have ids {@code token(<start>,<end>]} (the range that ends the ring: {@code
 * token(<start>,+inf)}) and properties {@value #PROPERTY_START} and {@value #PROPERTY_END} (absent
 * for the last range), tokens formatted by the token map. They are stable across runs as long as
 * the ring and the split count are; after a topology change a resumed job reads with new shards.
 *
 * <p><b>Pages</b>: one query per range, {@code SELECT id FROM t WHERE token(pk) > ? AND token(pk)
 * <= ?}, paged by the driver; each driver page is a page, and the next one is fetched while the
 * current one is handled. The cursor is {@code <start>|<end>|<paging state>}: the range's bounds
 * (a cursor given with another shard is refused) and the driver's paging state in Base64 ({@link
 * com.datastax.oss.driver.api.core.cql.ExecutionInfo#getPagingState()}, given back with {@link
 * com.datastax.oss.driver.api.core.cql.Statement#setPagingState(java.nio.ByteBuffer)}).
 *
 * <p>The id column can be any column (a partition key or clustering column, usually); a {@code
 * uuid} or {@code timeuuid} id is written in its canonical form, and a {@code timeuuid}'s
 * timestamp is the asset's creation time. A row whose id is null (a partition with only static
 * content, or a regular id column left unset) is no asset. Every other row is an asset: a table
 * with several rows per id yields the id several times.
 *
 * <p><b>Selection guarantee.</b> Every asset whose row exists when the job starts and still exists
 * when it ends is selected at least once, whatever production writes meanwhile and however often
 * the job is stopped and resumed: rows are read live in token order, and the driver's paging state
 * in the cursor resumes after the last row read, which no write moves. A row rewritten during the
 * job is selected once (a page in flight when the job stops is delivered again); a row deleted and
 * re-inserted under the same key counts as deleted, then created. A row created during the job is
 * selected if its token range has not been read past its key yet, not if its range was already
 * read. A row deleted during the job is selected if it was read before the deletion.
 *
 * <p>Immutable and thread-safe. The session is the host's: it is never closed here.
 */
public final class TokenRangeSelector implements AssetSelector {
  /** Shard property: the range's start (exclusive), as the token map formats it. */
  public static final String PROPERTY_START = "start";
  /** Shard property: the range's end (inclusive); absent for the range that ends the ring. */
  public static final String PROPERTY_END = "end";

  private static final Logger LOG = LoggerFactory.getLogger(TokenRangeSelector.class);

  private final CqlSession session;
  private final TableName table;
  private final CqlIdentifier idColumn;
  private final CqlIdentifier typeColumn;
  private final int splits;
  private final RowSettings rows;
  private final Lazy<Prepared> prepared = new Lazy<>(this::resolve);

  private TokenRangeSelector(Builder b, CqlSession session, TableName table, CqlIdentifier idColumn,
      CqlIdentifier typeColumn, RowSettings rows) {
    this.session = session;
    this.table = table;
    this.idColumn = idColumn;
    this.typeColumn = typeColumn;
    this.splits = b.splits;
    this.rows = rows;
  }

  /**
   * A builder over the host's session.
   *
   * @param session the host's session, with token metadata enabled (the default); never closed
   */
  public static Builder builder(CqlSession session) {
    return new Builder(session);
  }

  /**
   * The token ranges, in ring order.
   *
   * @throws IllegalArgumentException if the table or a column does not exist, or the session has
   *     no token map
   */
  @Override
  public List<Shard> shards() {
    Prepared p = prepare();
    List<TokenRange> ring = new ArrayList<>(p.tokenMap.getTokenRanges());
    Collections.sort(ring);
    int target = Math.max(splits, ring.size());
    List<Shard> shards = new ArrayList<>(target + 1);
    for (int i = 0; i < ring.size(); i++) {
      int parts = target / ring.size() + (i < target % ring.size() ? 1 : 0);
      TokenRange range = ring.get(i);
      List<TokenRange> pieces = parts == 1 ? List.of(range) : range.splitEvenly(parts);
      for (TokenRange piece : pieces) {
        for (TokenRange r : piece.unwrap()) {
          if (!r.isEmpty()) {
            shards.add(shard(p.tokenMap, r));
          }
        }
      }
    }
    LOG.debug("{}: {} shards from {} ring ranges", describe(), shards.size(), ring.size());
    return shards;
  }

  /**
   * Opens a paginator over one token range.
   *
   * @param from a previous page's cursor for the same range; {@code null} to start the range
   * @throws IllegalArgumentException if {@code pageSize} is below 1, the shard is not a token
   *     range, or the cursor is malformed or belongs to another range
   */
  @Override
  public Paginator open(Shard shard, Cursor from, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize is " + pageSize + ": it must be at least 1");
    }
    Objects.requireNonNull(shard, "shard");
    Prepared p = prepare();
    String startText = shard.properties().get(PROPERTY_START);
    String endText = shard.properties().get(PROPERTY_END);
    if (startText == null) {
      throw new IllegalArgumentException(
          "shard is '" + shard.id() + "': it has no '" + PROPERTY_START + "' property, so a token-range selector did not make it");
    }
    Token start;
    Token end;
    try {
      start = p.tokenMap.parse(startText);
      end = endText == null ? null : p.tokenMap.parse(endText);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "shard is '" + shard.id() + "': its tokens are not " + p.tokenMap.getPartitionerName() + " tokens", e);
    }
    TokenRangeCursor resume =
        from == null ? null : TokenRangeCursor.parse(from.value(), shard.id(), startText, endText == null ? "" : endText);
    return new TokenRangePaginator(
        session,
        end == null ? p.afterStart : p.inRange,
        shard.id(),
        start,
        end,
        startText,
        endText == null ? "" : endText,
        p.uuidIds,
        p.timeuuidIds,
        typeColumn != null,
        resume,
        pageSize,
        rows);
  }

  /** E.g. {@code cassandra token ranges media.assets (64 splits)}. */
  @Override
  public String describe() {
    return "cassandra token ranges " + table.cql() + (splits > 0 ? " (" + splits + " splits)" : "");
  }

  /** The selection's definition: table, id and type columns, splits, extra columns, row filter set. */
  @Override
  public String selectionDefinition() {
    Map<String, Object> d = new HashMap<>();
    d.put("kind", "cassandra-token-ranges");
    d.put("table", table.cql());
    d.put("columns", idColumn.asCql(true) + "," + (typeColumn == null ? "" : typeColumn.asCql(true)));
    d.put("splits", splits);
    d.put("selectColumns", rows.extraColumns().stream().map(c -> c.asCql(true)).toList());
    d.put("rowFilter", rows.filter() != null);
    return SelectionDefinition.of(d);
  }

  private static Shard shard(TokenMap tokenMap, TokenRange r) {
    String start = tokenMap.format(r.getStart());
    // After unwrap(), a range is either start < end, or ends at the ring's minimum token, which
    // stands for "to the end of the ring" (no upper bound).
    boolean bounded = r.getStart().compareTo(r.getEnd()) < 0;
    Map<String, String> properties = new HashMap<>();
    properties.put(PROPERTY_START, start);
    String id;
    if (bounded) {
      String end = tokenMap.format(r.getEnd());
      properties.put(PROPERTY_END, end);
      id = "token(" + start + "," + end + "]";
    } else {
      id = "token(" + start + ",+inf)";
    }
    return new Shard(id, null, properties);
  }

  private Prepared prepare() {
    return prepared.get();
  }

  private Prepared resolve() {
    TableMetadata t = SchemaCheck.table(session, "table", table);
    ColumnMetadata id = SchemaCheck.column(t, "idColumn", idColumn);
    if (typeColumn != null) {
      SchemaCheck.textColumn(SchemaCheck.column(t, "assetTypeColumn", typeColumn), "assetTypeColumn");
    }
    SchemaCheck.columns(t, "selectColumns", rows.extraColumns());
    TokenMap tokenMap = session.getMetadata().getTokenMap().orElseThrow(() -> new IllegalArgumentException(
        "session has no token map: the token-range selector needs token metadata"
            + " (advanced.metadata.token-map.enabled = true, the driver's default)"));
    String token = "token(" + SchemaCheck.names(t.getPartitionKey()) + ")";
    String select = "SELECT " + idColumn.asCql(true) + (typeColumn == null ? "" : ", " + typeColumn.asCql(true))
        + rows.selectSuffix() + " FROM " + table.cql() + " WHERE " + token + " > ?";
    return StatementPreparation.prepare(describe(), () -> new Prepared(
        tokenMap,
        session.prepare(select + " AND " + token + " <= ?"),
        session.prepare(select),
        id.getType().equals(DataTypes.UUID) || id.getType().equals(DataTypes.TIMEUUID),
        id.getType().equals(DataTypes.TIMEUUID)));
  }

  private record Prepared(
      TokenMap tokenMap, PreparedStatement inRange, PreparedStatement afterStart, boolean uuidIds, boolean timeuuidIds) {}

  /** Builds a {@link TokenRangeSelector}. Mutable and not thread-safe; {@link #build()} does no I/O. */
  public static final class Builder extends CassandraSelectorBuilder<Builder> {
    private String idColumn = "asset_id";
    private String assetTypeColumn;
    private int splits;

    private Builder(CqlSession session) {
      super(session);
    }

    /** The column holding the asset id. Default {@code asset_id}. */
    public Builder idColumn(String column) {
      this.idColumn = column;
      return this;
    }

    /** A text column holding the asset type, copied into each asset. Default none (the type is unknown). */
    public Builder assetTypeColumn(String column) {
      this.assetTypeColumn = column;
      return this;
    }

    /**
     * How many token ranges to read: the ring's ranges are split evenly until there are this
     * many (one more when a range wraps around the end of the ring). Default 0: the ring's own
     * ranges (one per vnode). A count below the ring's range count gives the ring's ranges.
     */
    public Builder splits(int splits) {
      this.splits = splits;
      return this;
    }

    /**
     * The selector. No I/O: the schema and the token map are read by {@link TokenRangeSelector#shards()}.
     *
     * @throws IllegalArgumentException naming the option, the value and the rule
     */
    public TokenRangeSelector build() {
      CqlSession session = checkedSession();
      TableName tableName = checkedTable("the table, e.g. 'assets.assets'");
      CqlIdentifier id = Identifiers.parse("idColumn", idColumn);
      CqlIdentifier type = assetTypeColumn == null ? null : Identifiers.parse("assetTypeColumn", assetTypeColumn);
      if (splits < 0) {
        throw new IllegalArgumentException("splits is " + splits + ": it must be 0 (the ring's ranges) or more");
      }
      RowSettings rows = checkedRowSettings(type == null ? 1 : 2);
      return new TokenRangeSelector(this, session, tableName, id, type, rows);
    }
  }
}
