package dev.reprocess.cassandra;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import dev.reprocess.AssetRef;
import dev.reprocess.cassandra.internal.ClusteringKeyset;
import dev.reprocess.cassandra.internal.KeyCursor;
import dev.reprocess.cassandra.internal.PartitionValues;
import dev.reprocess.cassandra.internal.RowSettings;
import dev.reprocess.cassandra.internal.SchemaCheck;
import dev.reprocess.cassandra.internal.TableName;
import dev.reprocess.cassandra.internal.Timeuuids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * What a {@link TableSelector} resolved from the schema, once: the partitions, the prepared keyset
 * statements, the cursor format, the window bounds and where the id and time are in a row; with
 * the schema rules it checks (messages naming the option, the value and the rule). Immutable.
 */
record TableShape(
    PartitionValues partitions,
    ClusteringKeyset keyset,
    KeyCursor cursors,
    Object lower,
    Object upper,
    int idIndex,
    DataType idType,
    int timeIndex,
    RowSettings rows) {

  /** The asset of a row: the id's text form, the creation time, the extra columns as attributes. */
  AssetRef asset(Row row, String assetType) {
    Object id = row.getObject(idIndex);
    Instant createdAt = null;
    if (timeIndex >= 0) {
      Object time = row.getObject(timeIndex);
      createdAt = time instanceof UUID u ? Timeuuids.createdAt(u) : (Instant) time;
    } else if (idType.equals(DataTypes.TIMEUUID)) {
      createdAt = Timeuuids.createdAt((UUID) id);
    }
    return new AssetRef(String.valueOf(id), assetType, createdAt, rows.attributes(row));
  }

  /** The partitions: each partition-key column listed or the bucket column, nothing else. */
  static PartitionValues partitions(TableMetadata t, Map<CqlIdentifier, List<Object>> listed, CqlIdentifier bucket,
      CqlIdentifier assetType, Function<ColumnMetadata, List<Object>> bucketValues) {
    List<ColumnMetadata> key = t.getPartitionKey();
    for (CqlIdentifier c : listed.keySet()) {
      if (key.stream().noneMatch(k -> k.getName().equals(c))) {
        SchemaCheck.column(t, "partitionValues", c);
        throw new IllegalArgumentException("partitionValues names '" + c.asCql(true) + "': it is not a"
            + " partition-key column of " + name(t) + " (the partition key is (" + SchemaCheck.names(key) + "))");
      }
    }
    if (bucket != null && key.stream().noneMatch(k -> k.getName().equals(bucket))) {
      SchemaCheck.column(t, "bucketColumn", bucket);
      throw new IllegalArgumentException("bucketColumn is '" + bucket.asCql(true) + "': it is not a partition-key"
          + " column of " + name(t) + " (the partition key is (" + SchemaCheck.names(key) + "))");
    }
    List<PartitionValues.Column> columns = new ArrayList<>();
    int assetTypeIndex = -1;
    for (ColumnMetadata k : key) {
      CqlIdentifier n = k.getName();
      if (n.equals(bucket)) {
        columns.add(new PartitionValues.Column(n, k.getType(), bucketValues.apply(k)));
      } else if (listed.containsKey(n)) {
        PartitionValues.Column c = new PartitionValues.Column(n, k.getType(), listed.get(n));
        PartitionValues.checkTypes("partitionValues", c);
        columns.add(c);
      } else {
        throw new IllegalArgumentException("partitionValues has no values for '" + n.asCql(true) + "': every"
            + " partition-key column of " + name(t) + " (" + SchemaCheck.names(key) + ") must be given values"
            + " or be the bucketColumn");
      }
      if (n.equals(assetType)) {
        SchemaCheck.textColumn(k, "assetTypeColumn");
        assetTypeIndex = columns.size() - 1;
      }
    }
    return new PartitionValues(columns, assetTypeIndex);
  }

  /** The clustering columns, in order; at least one. */
  static List<ColumnMetadata> clustering(TableMetadata t) {
    List<ColumnMetadata> clustering = new ArrayList<>(t.getClusteringColumns().keySet());
    if (clustering.isEmpty()) {
      throw new IllegalArgumentException("table is '" + name(t) + "': it has no clustering column, a table"
          + " selector pages a partition by its clustering key (use TokenRangeSelector)");
    }
    return clustering;
  }

  /** The time column: the first clustering column, timestamp or timeuuid. */
  static ColumnMetadata timeColumn(TableMetadata t, CqlIdentifier name, List<ColumnMetadata> clustering) {
    ColumnMetadata time = SchemaCheck.column(t, "timeColumn", name);
    if (!time.equals(clustering.get(0))) {
      throw new IllegalArgumentException("timeColumn is '" + name.asCql(true) + "': the clustering key of "
          + name(t) + " is (" + SchemaCheck.names(clustering) + "), the time column must be its first column,"
          + " so that the window is one range of each partition");
    }
    if (!time.getType().equals(DataTypes.TIMESTAMP) && !time.getType().equals(DataTypes.TIMEUUID)) {
      throw new IllegalArgumentException("timeColumn is '" + name.asCql(true) + "': the column is "
          + SchemaCheck.typeOf(time) + ", it must be timestamp or timeuuid");
    }
    return time;
  }

  /** The window bound on a time column: {@code minTimeuuid} for a timeuuid, else the ceiling millisecond. */
  static Object bound(ColumnMetadata time, Instant instant) {
    if (time.getType().equals(DataTypes.TIMEUUID)) {
      return Timeuuids.lowerBound(instant);
    }
    long millis = instant.toEpochMilli() + (instant.getNano() % 1_000_000 == 0 ? 0 : 1);
    return Instant.ofEpochMilli(millis);
  }

  /** The selected columns: the clustering key first (the position), then the id and time if not in it. */
  static List<CqlIdentifier> selectList(List<ColumnMetadata> clustering, ColumnMetadata id, ColumnMetadata time) {
    List<CqlIdentifier> selected = new ArrayList<>(clustering.stream().map(ColumnMetadata::getName).toList());
    if (!selected.contains(id.getName())) {
      selected.add(id.getName());
    }
    if (time != null && !selected.contains(time.getName())) {
      selected.add(time.getName());
    }
    return selected;
  }

  /** {@code SELECT <columns><extra> FROM t WHERE pk1 = ? AND ...}. */
  static String head(TableName table, List<CqlIdentifier> selected, String extra, List<ColumnMetadata> key) {
    StringBuilder sb = new StringBuilder("SELECT ");
    for (int i = 0; i < selected.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(selected.get(i).asCql(true));
    }
    return sb.append(extra).append(fromPartition(table, key)).toString();
  }

  /** {@code SELECT count(*) FROM t WHERE pk1 = ? AND ...}. */
  static String countHead(TableName table, List<ColumnMetadata> key) {
    return "SELECT count(*)" + fromPartition(table, key);
  }

  /** {@code  FROM t WHERE pk1 = ? AND ...}. */
  private static String fromPartition(TableName table, List<ColumnMetadata> key) {
    StringBuilder sb = new StringBuilder(" FROM ").append(table.cql()).append(" WHERE ");
    for (int i = 0; i < key.size(); i++) {
      sb.append(i == 0 ? "" : " AND ").append(key.get(i).getName().asCql(true)).append(" = ?");
    }
    return sb.toString();
  }

  /** The clustering key with types and read directions, e.g. {@code added_date timestamp DESC, item_id uuid ASC}. */
  static String describe(List<ColumnMetadata> clustering, boolean[] ascending) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < clustering.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(clustering.get(i).getName().asCql(true)).append(' ')
          .append(SchemaCheck.typeOf(clustering.get(i))).append(ascending[i] ? " ASC" : " DESC");
    }
    return sb.toString();
  }

  private static String name(TableMetadata t) {
    return t.getKeyspace().asCql(true) + "." + t.getName().asCql(true);
  }
}
