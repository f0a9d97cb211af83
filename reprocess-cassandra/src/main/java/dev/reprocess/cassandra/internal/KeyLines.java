package dev.reprocess.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.reprocess.AssetRef;
import dev.reprocess.internal.Quote;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The composite-key lines of an id list: one primary key per line, its values in the order of the
 * key columns named by the host, separated by commas and quoted as in RFC 4180 (a value holding a
 * comma or a double quote is enclosed in double quotes, a double quote inside doubled), read with
 * Jackson's CSV parser; e.g. {@code acme,2026-12-01,"item, the 1st"}. Each value is typed by its
 * column ({@link KeyText}); an empty value is refused. The asset id is the id column's value, the
 * other columns are attributes named by their internal names (what {@code AssetLoader} reads back);
 * the creation time is the id's timestamp when the id is a timeuuid. Immutable and thread-safe.
 */
public final class KeyLines {
  private static final ObjectReader CSV = new CsvMapper()
      .enable(CsvParser.Feature.WRAP_AS_ARRAY)
      .readerFor(String[].class);

  private final List<CqlIdentifier> columns;
  private final List<DataType> types;
  private final int idIndex;
  private final String assetType;

  private KeyLines(List<CqlIdentifier> columns, List<DataType> types, int idIndex, String assetType) {
    this.columns = List.copyOf(columns);
    this.types = List.copyOf(types);
    this.idIndex = idIndex;
    this.assetType = assetType;
  }

  /**
   * The lines of a table's primary key, checked against the schema: the key columns must be the
   * table's primary-key columns, each once (in any order), of types {@link KeyText} reads.
   *
   * @throws IllegalArgumentException naming the option ({@code keyColumns}, {@code table}), the
   *     value and the rule
   */
  public static KeyLines of(CqlSession session, TableName table, List<CqlIdentifier> keyColumns,
      CqlIdentifier idColumn, String assetType) {
    TableMetadata t = SchemaCheck.table(session, "table", table);
    List<ColumnMetadata> primaryKey = t.getPrimaryKey();
    Set<CqlIdentifier> keyNames = new HashSet<>();
    primaryKey.forEach(c -> keyNames.add(c.getName()));
    List<DataType> types = new ArrayList<>();
    for (CqlIdentifier c : keyColumns) {
      ColumnMetadata meta = SchemaCheck.column(t, "keyColumns", c);
      if (!keyNames.contains(c)) {
        throw notTheKey(table, keyColumns, primaryKey, c.asCql(true) + " is not a primary-key column");
      }
      if (!KeyText.supports(meta.getType())) {
        throw new IllegalArgumentException("keyColumns names '" + c.asCql(true) + "': the column is "
            + SchemaCheck.typeOf(meta) + ", a key column of an id list must be " + KeyText.supportedTypes());
      }
      types.add(meta.getType());
    }
    if (keyColumns.size() != primaryKey.size()) {
      throw notTheKey(table, keyColumns, primaryKey, "every primary-key column must be named, so that a line"
          + " names one row");
    }
    return new KeyLines(keyColumns, types, keyColumns.indexOf(idColumn), assetType);
  }

  private static IllegalArgumentException notTheKey(TableName table, List<CqlIdentifier> keyColumns,
      List<ColumnMetadata> primaryKey, String rule) {
    return new IllegalArgumentException("keyColumns is (" + keyColumns.stream().map(c -> c.asCql(true))
        .collect(Collectors.joining(", ")) + "): " + rule + " (the primary key of " + table.cql() + " is ("
        + SchemaCheck.names(primaryKey) + "))");
  }

  /**
   * The asset a line names.
   *
   * @param where the line's place, the start of a message, e.g. {@code idsFile is 'keys.csv': line 12}
   * @throws IllegalArgumentException naming the place, the column, its type and the value
   */
  public AssetRef asset(String line, String where) {
    List<String> values = split(line, where);
    if (values.size() != columns.size()) {
      throw new IllegalArgumentException(where + " is '" + Quote.abbreviate(line, 100) + "': it has "
          + values.size() + " value" + (values.size() == 1 ? "" : "s") + ", a line must have one per key column ("
          + columns.stream().map(CqlIdentifier::asInternal).collect(Collectors.joining(",")) + ")");
    }
    Object id = null;
    Map<String, String> attributes = new HashMap<>();
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).isEmpty()) {
        throw new IllegalArgumentException(where + ": value " + (i + 1) + " (" + columns.get(i).asCql(true)
            + ") is empty, a key value must not be");
      }
      Object value = KeyText.parse(where, columns.get(i), types.get(i), values.get(i));
      if (i == idIndex) {
        id = value;
      } else {
        attributes.put(columns.get(i).asInternal(), KeyText.format(value));
      }
    }
    Instant createdAt = types.get(idIndex).equals(DataTypes.TIMEUUID) ? Timeuuids.createdAt((UUID) id) : null;
    return new AssetRef(KeyText.format(id), assetType, createdAt, attributes);
  }

  /** The values of one RFC 4180 record. */
  static List<String> split(String line, String where) {
    try (MappingIterator<String[]> records = CSV.readValues(line)) {
      List<String> values = new ArrayList<>();
      if (records.hasNextValue()) {
        values.addAll(List.of(records.nextValue()));
      }
      if (records.hasNextValue()) {
        throw new IllegalArgumentException(where + " is '" + Quote.abbreviate(line, 100) + "': it holds more than"
            + " one record");
      }
      return values;
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith(where)) {
        throw iae;
      }
      throw new IllegalArgumentException(where + " is '" + Quote.abbreviate(line, 100) + "': it is not a record of"
          + " comma-separated values quoted as in RFC 4180 (" + firstLine(e.getMessage()) + ")", e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    int end = message.indexOf('\n');
    return Quote.excerpt(end < 0 ? message : message.substring(0, end), 160);
  }
}
