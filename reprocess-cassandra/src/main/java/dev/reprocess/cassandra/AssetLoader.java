package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.cassandra.internal.DriverErrors;
import dev.reprocess.cassandra.internal.Identifiers;
import dev.reprocess.cassandra.internal.KeyText;
import dev.reprocess.cassandra.internal.Lazy;
import dev.reprocess.cassandra.internal.SchemaCheck;
import dev.reprocess.cassandra.internal.StatementOptions;
import dev.reprocess.cassandra.internal.StatementPreparation;
import dev.reprocess.cassandra.internal.TableName;
import dev.reprocess.internal.Quote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Fetches the full row of an asset by its primary key, for handlers that need more than the id:
 * {@code SELECT * FROM t WHERE pk1 = ? AND ... AND ck1 = ? AND ...} (or the chosen columns), a
 * statement prepared once, every value bound.
 *
 * <pre>{@code
 * AssetLoader loader = AssetLoader.builder(session).table("media.assets").build();
 * EventHandler handler = event -> {
 *   Row row = loader.load(event).orElse(null);
 *   if (row == null) return Outcome.SKIPPED;   // deleted since it was selected
 *   ...
 * };
 * }</pre>
 *
 * <p><b>The key of an event.</b> The table's primary key may be the id column alone (a payload
 * table such as the reference {@code assets}) or composite, e.g. {@code ((tenant, day), added_date,
 * item_id)}. The {@link Builder#idColumn id column} is one of its columns and takes the event's
 * {@link ReprocessEvent#assetId() assetId}; every other primary-key column takes the event's
 * attribute of the same name (the column's internal name, e.g. {@code tenant}). Events carry them
 * when the selector reads them along with the id: a {@link TableSelector} or {@link
 * TokenRangeSelector} with the key columns among its {@code selectColumns(...)}, or an {@link
 * IdListSelector} with {@code keyColumns(...)}, which hands out every key column but the id as an
 * attribute. An event missing one is refused with an {@link IllegalArgumentException} naming the
 * attribute and the key.
 *
 * <p><b>Text forms.</b> Each value is read from text by its column's type, in the form the
 * selectors hand it out ({@code toString()} of the driver's Java value): {@code timeuuid} and
 * {@code uuid} ({@code 8-4-4-4-12} hex; a timeuuid must be version 1), {@code text}, {@code ascii}
 * (7-bit), {@code bigint}, {@code int}, {@code smallint}, {@code tinyint}, {@code varint} (decimal
 * integers), {@code decimal}, {@code double}, {@code float}, {@code boolean}, {@code date} ({@code
 * 2026-12-01}), {@code timestamp} (ISO-8601, {@code 2026-12-01T10:00:00Z}). A malformed value is an
 * {@link IllegalArgumentException}, thrown at once (also by the async methods), naming where it
 * came from, the column, its type and the value (shortened when long); nothing is queried.
 *
 * <p>Immutable and thread-safe; owns nothing (the session is the host's), so it is not closeable.
 */
public final class AssetLoader {
  /** A primary-key column: its name and type, in primary-key order. */
  private record KeyColumn(CqlIdentifier name, DataType type) {}

  private final CqlSession session;
  private final TableName table;
  private final CqlIdentifier idColumn;
  private final List<KeyColumn> key;
  private final List<CqlIdentifier> columns;
  private final StatementOptions statementOptions;
  private final Lazy<PreparedStatement> select = new Lazy<>(this::prepareSelect);

  private AssetLoader(CqlSession session, TableName table, CqlIdentifier idColumn, List<KeyColumn> key,
      List<CqlIdentifier> columns, StatementOptions statementOptions) {
    this.session = session;
    this.table = table;
    this.idColumn = idColumn;
    this.key = key;
    this.columns = columns;
    this.statementOptions = statementOptions;
  }

  /** A builder over the host's session (never closed by the loader). */
  public static Builder builder(CqlSession session) {
    return new Builder(session);
  }

  /**
   * The row of the event's asset: the id column from its {@code assetId}, the other primary-key
   * columns from its attributes of the same names (see the class comment).
   *
   * @return the row, or empty if there is none (the asset was deleted)
   * @throws IllegalArgumentException if a key column is missing from the event or its value is not
   *     of the column's type
   * @throws dev.reprocess.RetriableException on a transient failure (timeout, unavailable)
   * @throws dev.reprocess.ReprocessException on any other failure
   */
  public Optional<Row> load(ReprocessEvent event) {
    return DriverErrors.await(loadAsync(event), "loading asset " + event.assetId() + " from " + table.cql());
  }

  /**
   * The row of the event's asset, without blocking; see {@link #load(ReprocessEvent)}. The stage
   * fails with the driver's exception.
   *
   * @throws IllegalArgumentException at once, as {@link #load(ReprocessEvent)}
   */
  public CompletionStage<Optional<Row>> loadAsync(ReprocessEvent event) {
    String where = "event " + event.eventId() + " (shard " + Quote.excerpt(event.shardId(), 120) + "), for " + table.cql();
    return execute(column -> {
      if (column.equals(idColumn)) {
        return "assetId of " + where;
      }
      String value = event.attributes().get(column.asInternal());
      if (value == null) {
        throw new IllegalArgumentException("attribute '" + column.asInternal() + "' of " + where + " is missing: "
            + "the primary key of " + table.cql() + " is (" + keyNames() + "); the id column " + idColumn.asCql(true)
            + " comes from assetId, every other key column from the attribute of its name (select them with the"
            + " selector's selectColumns, or an IdListSelector's keyColumns)");
      }
      return "attribute '" + column.asInternal() + "' of " + where;
    }, column -> column.equals(idColumn) ? event.assetId() : event.attributes().get(column.asInternal()));
  }

  /**
   * The row of the asset {@code assetId}, when the primary key is the id column alone; see {@link
   * #load(ReprocessEvent)}.
   *
   * @throws IllegalArgumentException if the table's primary key has more columns (use {@link
   *     #load(ReprocessEvent)} or {@link #load(Map)}), or the id is not of the column's type
   */
  public Optional<Row> load(String assetId) {
    return DriverErrors.await(loadAsync(assetId), "loading asset " + assetId + " from " + table.cql());
  }

  /**
   * The row of the asset {@code assetId}, without blocking; see {@link #load(String)}.
   *
   * @throws IllegalArgumentException at once, as {@link #load(String)}
   */
  public CompletionStage<Optional<Row>> loadAsync(String assetId) {
    Objects.requireNonNull(assetId, "assetId");
    if (key.size() != 1) {
      throw new IllegalArgumentException("assetId is '" + Quote.abbreviate(assetId) + "': the primary key of "
          + table.cql() + " is (" + keyNames() + "), an id alone does not name a row; load(event) or load(key map)");
    }
    return execute(column -> "assetId for " + table.cql(), column -> assetId);
  }

  /**
   * The row whose primary key is {@code key}: each primary-key column's internal name (e.g. {@code
   * tenant}) mapped to its value in text form (see the class comment); other entries are ignored.
   *
   * @throws IllegalArgumentException if a key column is missing or its value is not of its type
   * @throws dev.reprocess.RetriableException on a transient failure (timeout, unavailable)
   * @throws dev.reprocess.ReprocessException on any other failure
   */
  public Optional<Row> load(Map<String, String> key) {
    return DriverErrors.await(loadAsync(key), "loading key " + Quote.abbreviate(key.toString()) + " from " + table.cql());
  }

  /**
   * The row whose primary key is {@code key}, without blocking; see {@link #load(Map)}.
   *
   * @throws IllegalArgumentException at once, as {@link #load(Map)}
   */
  public CompletionStage<Optional<Row>> loadAsync(Map<String, String> key) {
    Objects.requireNonNull(key, "key");
    return execute(column -> {
      if (key.get(column.asInternal()) == null) {
        throw new IllegalArgumentException("key has no '" + column.asInternal() + "': the primary key of "
            + table.cql() + " is (" + keyNames() + "), every column must be given");
      }
      return "key '" + column.asInternal() + "' for " + table.cql();
    }, column -> key.get(column.asInternal()));
  }

  /**
   * Binds every key column's value and runs the select.
   *
   * @param source where a column's value comes from, for messages; throws if it is missing
   * @param value a column's value in text form
   */
  private CompletionStage<Optional<Row>> execute(Function<CqlIdentifier, String> source,
      Function<CqlIdentifier, String> value) {
    Object[] values = new Object[key.size()];
    for (int i = 0; i < values.length; i++) {
      KeyColumn k = key.get(i);
      String where = source.apply(k.name());
      values[i] = KeyText.parse(where, k.name(), k.type(), value.apply(k.name()));
    }
    return session.executeAsync(statementOptions.apply(select.get().bind(values)))
        .thenApply(rs -> Optional.ofNullable(rs.one()));
  }

  private String keyNames() {
    return key.stream().map(k -> k.name().asCql(true)).collect(Collectors.joining(", "));
  }

  private PreparedStatement prepareSelect() {
    String what = columns.isEmpty() ? "*" : columns.stream().map(c -> c.asCql(true)).collect(Collectors.joining(", "));
    String where = key.stream().map(k -> k.name().asCql(true) + " = ?").collect(Collectors.joining(" AND "));
    return StatementPreparation.prepare("asset loader " + table.cql(),
        () -> session.prepare("SELECT " + what + " FROM " + table.cql() + " WHERE " + where));
  }

  /** Builds an {@link AssetLoader}. Mutable and not thread-safe. */
  public static final class Builder extends CassandraTableBuilder<Builder> {
    private String idColumn = "asset_id";
    private final List<String> columns = new ArrayList<>();

    private Builder(CqlSession session) {
      super(session, null);
    }

    /**
     * The id column: a column of the primary key, whose value is the event's {@code assetId}.
     * Default {@code asset_id}.
     */
    public Builder idColumn(String column) {
      this.idColumn = column;
      return this;
    }

    /** The columns to fetch; adds to earlier calls. Default: all ({@code SELECT *}). */
    public Builder columns(String... columns) {
      this.columns.addAll(Arrays.asList(columns));
      return this;
    }

    /**
     * The loader. Checks the options, then the table against the session's schema metadata (no
     * query is sent unless the table is missing from it, when the schema is refreshed once): the id
     * column must be a primary-key column, and every primary-key column of a type read from text
     * (see the class comment). The statement is prepared on first use.
     *
     * @throws IllegalArgumentException naming the option, the value and the rule
     */
    public AssetLoader build() {
      CqlSession session = checkedSession();
      TableName name = checkedTable("the table, e.g. 'assets.assets'");
      CqlIdentifier id = Identifiers.parse("idColumn", idColumn);
      List<CqlIdentifier> cols = new ArrayList<>();
      for (String c : columns) {
        cols.add(Identifiers.parse("columns", c));
      }
      StatementOptions statementOptions = checkedStatementOptions();
      TableMetadata t = SchemaCheck.table(session, "table", name);
      SchemaCheck.column(t, "idColumn", id);
      SchemaCheck.columns(t, "columns", cols);
      List<ColumnMetadata> primaryKey = t.getPrimaryKey();
      if (primaryKey.stream().noneMatch(c -> c.getName().equals(id))) {
        throw new IllegalArgumentException("idColumn is '" + id.asCql(true) + "': table " + name.cql()
            + " has primary key (" + SchemaCheck.names(primaryKey) + "), the id column must be one of its columns");
      }
      List<KeyColumn> key = new ArrayList<>();
      for (ColumnMetadata c : primaryKey) {
        if (!KeyText.supports(c.getType())) {
          String option = c.getName().equals(id) ? "idColumn is '" + id.asCql(true) + "'"
              : "table is '" + name.cql() + "'";
          throw new IllegalArgumentException(option + ": primary-key column " + c.getName().asCql(true) + " is "
              + SchemaCheck.typeOf(c) + ", a key column the loader binds must be " + KeyText.supportedTypes());
        }
        key.add(new KeyColumn(c.getName(), c.getType()));
      }
      return new AssetLoader(session, name, id, List.copyOf(key), List.copyOf(cols), statementOptions);
    }
  }
}
