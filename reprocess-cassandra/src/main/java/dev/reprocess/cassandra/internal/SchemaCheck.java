package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.Metadata;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a configuration against the session's schema metadata, with messages that name the
 * option, the value and the rule. When the keyspace or table is not in the metadata the session
 * holds (created moments ago, or schema metadata disabled), the schema is refreshed once.
 */
public final class SchemaCheck {
  private static final Set<DataType> TEXT_TYPES = Set.of(DataTypes.TEXT, DataTypes.ASCII);

  private SchemaCheck() {}

  /** The table's metadata, or an IllegalArgumentException saying which part is missing. */
  public static TableMetadata table(CqlSession session, String option, TableName name) {
    Optional<TableMetadata> table = find(session.getMetadata(), name);
    if (table.isEmpty()) {
      table = find(session.refreshSchema(), name);
    }
    if (table.isPresent()) {
      return table.get();
    }
    Metadata metadata = session.getMetadata();
    if (metadata.getKeyspace(name.keyspace()).isEmpty()) {
      throw new IllegalArgumentException(
          option + " is '" + name.cql() + "': keyspace " + name.keyspace().asCql(true) + " does not exist");
    }
    throw new IllegalArgumentException(
        option + " is '" + name.cql() + "': keyspace " + name.keyspace().asCql(true) + " has no table "
            + name.table().asCql(true));
  }

  /** The keyspace exists, or an IllegalArgumentException. */
  public static void keyspace(CqlSession session, String option, TableName name) {
    if (session.getMetadata().getKeyspace(name.keyspace()).isPresent()
        || session.refreshSchema().getKeyspace(name.keyspace()).isPresent()) {
      return;
    }
    throw new IllegalArgumentException(
        option + " is '" + name.cql() + "': keyspace " + name.keyspace().asCql(true) + " does not exist");
  }

  /** A column of the table, or an IllegalArgumentException listing the columns there are. */
  public static ColumnMetadata column(TableMetadata table, String option, CqlIdentifier column) {
    ColumnMetadata c = table.getColumns().get(column);
    if (c == null) {
      String existing =
          table.getColumns().keySet().stream().map(id -> id.asCql(true)).sorted().collect(Collectors.joining(", "));
      throw new IllegalArgumentException(
          option + " is '" + column.asCql(true) + "': table " + table.getKeyspace().asCql(true) + "."
              + table.getName().asCql(true) + " has no such column (it has " + existing + ")");
    }
    return c;
  }

  /** Every column of {@code columns} is a column of the table, or an IllegalArgumentException naming the first that is not. */
  public static void columns(TableMetadata table, String option, List<CqlIdentifier> columns) {
    for (CqlIdentifier c : columns) {
      column(table, option, c);
    }
  }

  /** The columns' names as CQL, comma-separated, e.g. {@code asset_type, bucket}. */
  public static String names(Collection<ColumnMetadata> columns) {
    return columns.stream().map(c -> c.getName().asCql(true)).collect(Collectors.joining(", "));
  }

  /** The column holds text ({@code text}, {@code varchar} or {@code ascii}), or an IllegalArgumentException. */
  public static void textColumn(ColumnMetadata column, String option) {
    if (!TEXT_TYPES.contains(column.getType())) {
      throw new IllegalArgumentException(
          option + " is '" + column.getName().asCql(true) + "': the column is " + column.getType().asCql(false, true)
              + ", it must be text");
    }
  }

  /** A short description of a column's type, e.g. {@code int}. */
  public static String typeOf(ColumnMetadata column) {
    return column.getType().asCql(false, true);
  }

  private static Optional<TableMetadata> find(Metadata metadata, TableName name) {
    Optional<KeyspaceMetadata> keyspace = metadata.getKeyspace(name.keyspace());
    return keyspace.flatMap(k -> k.getTable(name.table()));
  }
}
