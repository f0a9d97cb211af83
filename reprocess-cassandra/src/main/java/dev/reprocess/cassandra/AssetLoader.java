package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import dev.reprocess.ReprocessEvent;
import dev.reprocess.cassandra.internal.DriverErrors;
import dev.reprocess.cassandra.internal.Identifiers;
import dev.reprocess.cassandra.internal.Lazy;
import dev.reprocess.cassandra.internal.SchemaCheck;
import dev.reprocess.cassandra.internal.StatementOptions;
import dev.reprocess.cassandra.internal.StatementPreparation;
import dev.reprocess.cassandra.internal.TableName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Fetches the full row of an asset by its id, for handlers that need more than the id: {@code
 * SELECT * FROM t WHERE asset_id = ?} (or the chosen columns), a statement prepared once.
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
 * <p>The table's primary key must be the id column alone (a payload table such as the reference
 * {@code assets}), so that an id names one row. Ids of type {@code uuid}, {@code timeuuid}, {@code
 * text}, {@code ascii}, {@code int} and {@code bigint} are supported; the id string is converted
 * to the column's type.
 *
 * <p>Immutable and thread-safe; owns nothing (the session is the host's), so it is not closeable.
 */
public final class AssetLoader {
  private final CqlSession session;
  private final TableName table;
  private final CqlIdentifier idColumn;
  private final List<CqlIdentifier> columns;
  private final Function<String, Object> idParser;
  private final DataType idType;
  private final StatementOptions statementOptions;
  private final Lazy<PreparedStatement> select = new Lazy<>(this::prepareSelect);

  private AssetLoader(CqlSession session, TableName table, CqlIdentifier idColumn, List<CqlIdentifier> columns,
      DataType idType, StatementOptions statementOptions) {
    this.session = session;
    this.table = table;
    this.idColumn = idColumn;
    this.columns = columns;
    this.idType = idType;
    this.idParser = parser(idType);
    this.statementOptions = statementOptions;
  }

  /** A builder over the host's session (never closed by the loader). */
  public static Builder builder(CqlSession session) {
    return new Builder(session);
  }

  /**
   * The row of the event's asset.
   *
   * @return the row, or empty if there is none (the asset was deleted)
   * @throws IllegalArgumentException if the id cannot be converted to the id column's type
   * @throws dev.reprocess.RetriableException on a transient failure (timeout, unavailable)
   * @throws dev.reprocess.ReprocessException on any other failure
   */
  public Optional<Row> load(ReprocessEvent event) {
    return load(event.assetId());
  }

  /** The row of the asset {@code assetId}; see {@link #load(ReprocessEvent)}. */
  public Optional<Row> load(String assetId) {
    return DriverErrors.await(loadAsync(assetId), "loading asset " + assetId + " from " + table.cql());
  }

  /**
   * The row of the asset {@code assetId}, without blocking. The stage fails with the driver's
   * exception; {@link #load(String)} translates it.
   *
   * @throws IllegalArgumentException at once if the id cannot be converted to the id column's type
   */
  public CompletionStage<Optional<Row>> loadAsync(String assetId) {
    Object id;
    try {
      id = idParser.apply(Objects.requireNonNull(assetId, "assetId"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "assetId is '" + assetId + "': column " + idColumn.asCql(true) + " of " + table.cql() + " is "
              + idType.asCql(false, true) + ", the id must be one",
          e);
    }
    return session.executeAsync(statementOptions.apply(statement().bind(id))).thenApply(rs -> Optional.ofNullable(rs.one()));
  }

  private PreparedStatement statement() {
    return select.get();
  }

  private PreparedStatement prepareSelect() {
    String what = columns.isEmpty() ? "*" : columns.stream().map(c -> c.asCql(true)).collect(Collectors.joining(", "));
    return StatementPreparation.prepare("asset loader " + table.cql(),
        () -> session.prepare("SELECT " + what + " FROM " + table.cql() + " WHERE " + idColumn.asCql(true) + " = ?"));
  }

  private static Function<String, Object> parser(DataType type) {
    if (type.equals(DataTypes.UUID)) {
      return UUID::fromString;
    }
    if (type.equals(DataTypes.TIMEUUID)) {
      return text -> {
        UUID id = UUID.fromString(text);
        if (id.version() != 1) {
          throw new IllegalArgumentException("not a version 1 uuid");
        }
        return id;
      };
    }
    if (type.equals(DataTypes.TEXT) || type.equals(DataTypes.ASCII)) {
      return text -> text;
    }
    if (type.equals(DataTypes.BIGINT)) {
      return Long::valueOf;
    }
    if (type.equals(DataTypes.INT)) {
      return Integer::valueOf;
    }
    return null;
  }

  /** Builds an {@link AssetLoader}. Mutable and not thread-safe. */
  public static final class Builder extends CassandraTableBuilder<Builder> {
    private String idColumn = "asset_id";
    private final List<String> columns = new ArrayList<>();

    private Builder(CqlSession session) {
      super(session, null);
    }

    /** The id column, the table's whole primary key. Default {@code asset_id}. */
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
     * query is sent unless the table is missing from it, when the schema is refreshed once); the
     * statement is prepared on first use.
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
      ColumnMetadata idMeta = SchemaCheck.column(t, "idColumn", id);
      SchemaCheck.columns(t, "columns", cols);
      List<ColumnMetadata> primaryKey = t.getPrimaryKey();
      if (primaryKey.size() != 1 || !primaryKey.get(0).getName().equals(id)) {
        throw new IllegalArgumentException(
            "idColumn is '" + id.asCql(true) + "': table " + name.cql() + " has primary key ("
                + SchemaCheck.names(primaryKey)
                + "), the asset loader needs a table whose primary key is the id column alone");
      }
      if (parser(idMeta.getType()) == null) {
        throw new IllegalArgumentException(
            "idColumn is '" + id.asCql(true) + "': the column is " + SchemaCheck.typeOf(idMeta)
                + ", it must be uuid, timeuuid, text, ascii, int or bigint");
      }
      return new AssetLoader(session, name, id, List.copyOf(cols), idMeta.getType(), statementOptions);
    }
  }
}
